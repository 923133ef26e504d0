using CareBot.Core.Protection;
using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;
using CareBot.Worker.Hosting;
using CareBot.Core;
using CareBot.Core.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>Data protection verbs: forget (erase a child), backup (a consistent copy of the database).</summary>
internal static class ProtectCommands
{
    public static int Forget(string childId, string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        if (string.IsNullOrWhiteSpace(childId))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.forget.no_id"));
        }

        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
        var key = SchoolOption.ResolveChild(db, schools, childId, school, lang);
        var forget = new ForgetService(db, services.GetRequiredService<TimeProvider>());
        var result = (key is null ? null : forget.Forget(key, "cli"))
            ?? throw new ConfigurationErrorException(Texts.Get(lang, "cli.forget.unknown", childId.Trim()));
        stdout.WriteLine(Texts.Get(lang, "cli.forget.done", schools.Label(result.ChildId), result.Records, result.Pairings, result.OutboxRows, result.ParentsErased, result.InvitesErased));
        return ExitCodes.Ok;
    }

    public static int Backup(FileInfo file, string language, TextWriter stdout, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        if (file.Exists)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.file_exists", file.FullName));
        }

        using var scope = open();
        var services = scope.Services;
        var password = services.GetRequiredService<IOptions<StorageOptions>>().Value.Password;
        var counts = DatabaseBackup.Write(services.GetRequiredService<CareDb>(), file.FullName, password);
        stdout.WriteLine(Texts.Get(lang, string.IsNullOrEmpty(password) ? "cli.backup.done" : "cli.backup.done_encrypted", file.FullName, string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))));
        return ExitCodes.Ok;
    }
}

using CareBot.Core.Protection;
using CareBot.Core.Storage;
using CareBot.Worker.Hosting;
using CareBot.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>Data protection verbs: forget (erase a child), backup (a consistent copy of the database).</summary>
internal static class ProtectCommands
{
    public static int Forget(string childId, string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        if (string.IsNullOrWhiteSpace(childId))
        {
            throw new ConfigurationErrorException("--child: give the child's id (学号).");
        }

        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
        if (school is not null && schools.Find(school) is null)
        {
            throw new ConfigurationErrorException("--school: " + CareBot.Core.Text.Texts.Get(language, "cli.school_unknown", school));
        }

        var (key, ambiguous) = db.Read(tx => schools.Resolve(tx, childId, school));
        if (ambiguous.Count > 0)
        {
            throw new ConfigurationErrorException("--child: " + CareBot.Core.Text.Texts.Get(language, "cli.child_ambiguous", childId.Trim(), string.Join(", ", ambiguous)));
        }

        var forget = new ForgetService(db, services.GetRequiredService<TimeProvider>());
        var result = (key is null ? null : forget.Forget(key, "cli"))
            ?? throw new ConfigurationErrorException($"--child: no child with id '{childId.Trim()}' in the database; nothing was erased.");
        stdout.WriteLine(result.Summary());
        return ExitCodes.Ok;
    }

    public static int Backup(FileInfo file, TextWriter stdout, Func<CareScope> open)
    {
        if (file.Exists)
        {
            throw new ConfigurationErrorException($"{file.FullName}: already exists; choose a new file name.");
        }

        using var scope = open();
        var services = scope.Services;
        var password = services.GetRequiredService<IOptions<StorageOptions>>().Value.Password;
        var counts = DatabaseBackup.Write(services.GetRequiredService<CareDb>(), file.FullName, password);
        stdout.WriteLine($"backup written to {file.FullName}{(string.IsNullOrEmpty(password) ? "" : " (encrypted with Storage:Password)")}: "
            + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        return ExitCodes.Ok;
    }
}

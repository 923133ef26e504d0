using System.CommandLine;
using CareBot.Core;
using CareBot.Core.Duty;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot duty import FILE.csv [--encoding utf-8|gb18030] [--school ID] [--lang zh|en]</c>: the activity-room duty
/// rota of one school, all or nothing, on disk before the one-line summary is printed; <c>carebot duty clear</c> empties it.
/// </summary>
internal static class DutyCommands
{
    /// <summary>The <c>duty</c> verb and its <c>import</c>; the options are the ones the other verbs share.</summary>
    /// <param name="open">Opens the database (or takes the worker's) for a verb in the given language.</param>
    public static Command Build(Func<string, string> text, Option<string> lang, Option<string> encoding, Option<string> school, AdminVerb admin, Func<string?, CareScope> open, TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = text("cli.help.duty_file") };
        var import = new Command("import", text("cli.help.duty_import")) { file, encoding, school, lang };
        import.SetAction((pr, ct) => admin(
            ["duty", "import", pr.GetValue(file)!.FullName, "--lang", pr.GetValue(lang)!, .. CliApp.Optional("--encoding", pr.GetValue(encoding)), .. CliApp.Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(Import(pr.GetValue(file)!, pr.GetValue(encoding), pr.GetValue(school), pr.GetValue(lang)!, stdout, stderr, () => open(pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        var clear = new Command("clear", text("cli.help.duty_clear")) { school, lang };
        clear.SetAction((pr, ct) => admin(
            ["duty", "clear", "--lang", pr.GetValue(lang)!, .. CliApp.Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(Clear(pr.GetValue(school), pr.GetValue(lang)!, stdout, () => open(pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        return new Command("duty", text("cli.help.duty")) { import, clear };
    }

    /// <summary><c>carebot duty clear</c>: no rota (and no duty reminders) until the next import, e.g. over the holidays.</summary>
    public static int Clear(string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        using var scope = open();
        var services = scope.Services;
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
        var schoolId = SchoolOption.Single(schools, school, lang, "cli.duty.school_required");
        var removed = new DutyImporter(services.GetRequiredService<CareDb>(), services.GetRequiredService<TimeProvider>(), schools).Clear(schoolId, "cli");
        stdout.WriteLine(schools.Several ? Texts.Get(lang, "cli.duty.cleared_school", schools.NameOf(schoolId), removed) : Texts.Get(lang, "cli.duty.cleared", removed));
        return ExitCodes.Ok;
    }

    public static int Import(FileInfo file, string? encoding, string? school, string language, TextWriter stdout, TextWriter stderr, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        if (!file.Exists)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.no_file", file.FullName));
        }

        if (file.Extension.ToLowerInvariant() is ".xlsx" or ".xlsm" or ".xls")
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.duty.not_csv", file.FullName));
        }

        using var scope = open();
        var services = scope.Services;
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
        var schoolId = SchoolOption.Single(schools, school, lang, "cli.duty.school_required");
        var importer = new DutyImporter(services.GetRequiredService<CareDb>(), services.GetRequiredService<TimeProvider>(), schools);
        DutyImportResult result;
        try
        {
            result = importer.Import(file.FullName, AdminCommands.ParseEncoding(encoding), schoolId, lang, "cli");
        }
        catch (IOException ex)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.cannot_read", file.FullName, ex.Message), ex);
        }

        if (result.Unreadable)
        {
            // Over an import limit: that one line says it all.
            stderr.WriteLine(result.FormatProblems().Single());
            return ExitCodes.BadInput;
        }

        return AdminCommands.ImportOutcome(result.Succeeded, result.FormatProblems(), result.Summary(), stdout, stderr);
    }
}

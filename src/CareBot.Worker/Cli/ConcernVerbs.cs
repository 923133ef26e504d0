using System.CommandLine;
using System.Globalization;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Safeguarding;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot concern list [--open] [--school ID]</c> (one line per concern, never its note) and
/// <c>carebot concern show ID</c> (the concern with its note: a read of sensitive data, audited).
/// Beside a running worker both are handed to it (<see cref="AdminRequestService"/>).
/// </summary>
internal static class ConcernVerbs
{
    public static Command Build(Func<string, string> t, Option<string> lang, Option<string> school, AdminVerb admin, Func<string, CareScope> open, TextWriter stdout)
    {
        var onlyOpen = new Option<bool>("--open") { Description = t("cli.help.concern_open") };
        var list = new Command("list", t("cli.help.concern_list")) { onlyOpen, school, lang };
        list.SetAction((pr, ct) =>
        {
            var language = pr.GetValue(lang)!;
            string[] forward = ["concern", "list", "--lang", language, .. pr.GetValue(onlyOpen) ? new[] { "--open" } : [], .. CliApp.Optional("--school", pr.GetValue(school))];
            return admin(forward, () => Task.FromResult(List(pr.GetValue(onlyOpen), pr.GetValue(school), language, stdout, () => open(language))), ct, language);
        });

        var id = new Argument<string>("ID") { Description = t("cli.help.concern_id") };
        var show = new Command("show", t("cli.help.concern_show")) { id, school, lang };
        show.SetAction((pr, ct) =>
        {
            var language = pr.GetValue(lang)!;
            string[] forward = ["concern", "show", pr.GetValue(id)!, "--lang", language, .. CliApp.Optional("--school", pr.GetValue(school))];
            return admin(forward, () => Task.FromResult(Show(pr.GetValue(id)!, pr.GetValue(school), language, stdout, () => open(language))), ct, language);
        });

        return new Command("concern", t("cli.help.concern")) { list, show };
    }

    /// <summary>What both verbs work with: the database, the clock, the settings and the schools of <c>--school</c>.</summary>
    private sealed record Context(CareDb Db, CareClock Clock, CareOptions Care, IReadOnlyCollection<string>? Only)
    {
        public static Context Of(CareScope scope, string? school, string language)
        {
            var care = scope.Services.GetRequiredService<IOptions<CareOptions>>().Value;
            return new(scope.Services.GetRequiredService<CareDb>(), scope.Services.GetRequiredService<CareClock>(), care, SchoolOption.Scope(school, care, language));
        }
    }

    internal static int List(bool onlyOpen, string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        using var scope = open();
        var (db, clock, care, only) = Context.Of(scope, school, language);
        var rows = db.Read(tx => tx.Concerns.FindAll()
            .Where(c => SchoolDirectory.InScope(only, c.SchoolId) && (!onlyOpen || c.IsOpen))
            .OrderBy(c => c.Id)
            .Select(c => (Concern: c, Child: tx.Children.FindById(c.ChildId)))
            .ToList());
        db.Write(tx => tx.AuditWrite(clock.UtcNow, "cli", "concern.listed", null, $"count:{rows.Count}"));
        if (rows.Count == 0)
        {
            stdout.WriteLine(Texts.Get(language, "cli.concern.none"));
            return ExitCodes.Ok;
        }

        string When(DateTime? utc) => utc is { } u ? clock.ToLocal(u).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        stdout.WriteLine(Texts.Get(language, "cli.concern.header"));
        using (var csv = Core.Export.ExportSafety.Csv(stdout))
        {
            foreach (var (c, child) in rows)
            {
                var reported = c.ReportedTo is { } to ? Texts.Get(language, ConcernWords.AuthorityKey(to)) + " " + When(c.ReportedUtc) : "";
                csv.WriteRecord(
                [
                    c.Id.ToString(CultureInfo.InvariantCulture),
                    care.Directory.Label(c.ChildId),
                    child?.Name ?? "",
                    Texts.Get(language, ConcernWords.TypeKey(c.Type)),
                    Texts.Get(language, ConcernWords.StatusKey(c.Status)),
                    When(c.RecordedUtc),
                    When(c.AcknowledgedUtc),
                    reported,
                    When(c.ClosedUtc),
                ]);
            }
        }

        return ExitCodes.Ok;
    }

    internal static int Show(string id, string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        using var scope = open();
        var (db, clock, care, only) = Context.Of(scope, school, language);
        var number = int.TryParse(id.Trim().TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        var concern = number is null ? null : db.Read(tx => tx.Concerns.FindById(number.Value));
        if (concern is null || !SchoolDirectory.InScope(only, concern.SchoolId))
        {
            throw new ConfigurationErrorException("ID: " + Texts.Get(language, "cli.concern.unknown", id.Trim()));
        }

        // A read of sensitive data: audited before it is printed.
        db.Write(tx => tx.AuditWrite(clock.UtcNow, "cli", "concern.read", concern.ChildId, $"concern:{concern.Id}"));
        stdout.WriteLine(db.Read(tx => SafeguardingService.Describe(tx, language, concern, care.Directory, clock.ToLocal)));
        return ExitCodes.Ok;
    }
}

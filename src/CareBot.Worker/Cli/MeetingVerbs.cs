using System.CommandLine;
using CareBot.Core;
using CareBot.Core.Meetings;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot meeting add</c> (a parents' meeting: saved, and an invitation queued for every linked parent of the
/// children concerned, in one write) and <c>carebot meeting show ID</c> (who answered what, who came).
/// </summary>
internal static class MeetingVerbs
{
    public static Command Build(Func<string, string> t, Option<string> lang, Option<string> school, AdminVerb admin, Func<string, CareScope> open, TextWriter stdout)
    {
        var date = new Option<string>("--date") { Description = t("cli.help.meeting_date"), Required = true };
        var time = new Option<string>("--time") { Description = t("cli.help.meeting_time"), Required = true };
        var place = new Option<string>("--place") { Description = t("cli.help.meeting_place"), Required = true };
        var title = new Option<string>("--title") { Description = t("cli.help.meeting_title"), Required = true };
        var classes = new Option<string[]>("--class") { Description = t("cli.help.meeting_class"), AllowMultipleArgumentsPerToken = false };
        var add = new Command("add", t("cli.help.meeting_add")) { date, time, place, title, classes, school, lang };
        add.SetAction((pr, ct) =>
        {
            var language = pr.GetValue(lang)!;
            var input = new MeetingInput(pr.GetValue(date), pr.GetValue(time), pr.GetValue(place), pr.GetValue(title), pr.GetValue(classes) ?? [], pr.GetValue(school));
            string[] forward =
            [
                "meeting", "add", "--date", input.Date!, "--time", input.Time!, "--place", input.Place!, "--title", input.Title!, "--lang", language,
                .. input.Classes.SelectMany(c => new[] { "--class", c }),
                .. input.School is null ? [] : new[] { "--school", input.School },
            ];
            return admin(forward, () => Task.FromResult(Add(input, language, stdout, () => open(language))), ct, language);
        });

        var id = new Argument<string>("ID") { Description = t("cli.help.meeting_id") };
        var show = new Command("show", t("cli.help.meeting_show")) { id, school, lang };
        show.SetAction((pr, ct) =>
        {
            var language = pr.GetValue(lang)!;
            string[] forward = ["meeting", "show", pr.GetValue(id)!, "--lang", language, .. pr.GetValue(school) is { } s ? new[] { "--school", s } : []];
            return admin(forward, () => Task.FromResult(Show(pr.GetValue(id)!, pr.GetValue(school), language, stdout, () => open(language))), ct, language);
        });

        return new Command("meeting", t("cli.help.meeting")) { add, show };
    }

    internal static int Add(MeetingInput input, string language, TextWriter stdout, Func<CareScope> open)
    {
        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var clock = services.GetRequiredService<CareClock>();
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;

        if (MeetingRules.Check(input, clock.Today, out var draft) is { } problem)
        {
            throw Bad(problem, language);
        }

        var schoolId = SchoolOption.Single(schools, input.School, language, "cli.meeting.school_required");
        MeetingAnnounced? announced = null;
        var refused = db.Write(tx => MeetingService.Announce(tx, draft!, schoolId, "cli", clock.UtcNow, out announced));
        if (refused is not null)
        {
            throw Bad(refused, language);
        }

        var m = announced!.Meeting;
        stdout.WriteLine(Texts.Get(language, "cli.meeting.added", m.Id, m.Title, MeetingService.When(language, m), announced.Invited, announced.NotReachable));
        return ExitCodes.Ok;
    }

    internal static int Show(string id, string? school, string language, TextWriter stdout, Func<CareScope> open)
    {
        using var scope = open();
        var services = scope.Services;
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var only = SchoolOption.Scope(school, care, language);
        var db = services.GetRequiredService<CareDb>();
        var text = MeetingService.ParseId(id) is { } number
            ? db.Read(tx => tx.Meetings.FindById(number) is { } m && SchoolDirectory.InScope(only, m.SchoolId)
                ? MeetingView.Describe(tx, m, language, care.Directory)
                : null)
            : null;
        if (text is null)
        {
            throw new ConfigurationErrorException("ID: " + Texts.Get(language, "cli.meeting.unknown", id.Trim()));
        }

        db.Write(tx => tx.AuditWrite(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, "cli", "meeting.read", null, $"meeting:{id.Trim()}"));
        stdout.WriteLine(text);
        return ExitCodes.Ok;
    }

    private static ConfigurationErrorException Bad(MeetingProblem problem, string language) =>
        new("--" + problem.Field + ": " + Texts.Get(language, problem.Key, problem.Args));
}

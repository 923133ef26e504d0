using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

/// <summary>
/// <c>carebot meeting add</c> / <c>meeting show</c> in a county of two schools: saved with its invitations before success
/// is printed; bad input is one line naming the option, exit 2, and nothing saved.
/// </summary>
public sealed class MeetingCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-meeting-cli-").FullName;

    // The command line runs on the real clock: the meeting is a month from now.
    private readonly string _date = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings() => new()
    {
        ["Storage:DatabasePath"] = DbPath,
        ["Telegram:BotToken"] = null,
        ["CareBot:Schools:0:Id"] = "a",
        ["CareBot:Schools:0:Name"] = "A小学",
        ["CareBot:Schools:1:Id"] = "b",
        ["CareBot:Schools:1:Name"] = "B小学",
    };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => CliRun.RunAsync(Settings(), args);

    private void Seed()
    {
        using var db = new LiteCareDb(DbPath);
        db.Write(tx =>
        {
            var linked = new Person { Name = "张父", Phone = "13700000001", Roles = Roles.Parent, Chat = TelegramChats.At(601), Status = Reachability.Reachable };
            var notLinked = new Person { Name = "陈父", Phone = "13700000002", Roles = Roles.Parent };
            tx.People.Insert(linked);
            tx.People.Insert(notLinked);
            tx.Children.Insert(new Child { Id = "a/1", SchoolId = "a", StudentNo = "1", Name = "小明", Class = "一年级1班", Parents = [new ParentLink { PersonId = linked.Id, Relation = ParentRelation.Father }] });
            tx.Children.Insert(new Child { Id = "a/2", SchoolId = "a", StudentNo = "2", Name = "小红", Class = "一年级2班", Parents = [new ParentLink { PersonId = notLinked.Id, Relation = ParentRelation.Father }] });
            tx.Children.Insert(new Child { Id = "b/1", SchoolId = "b", StudentNo = "1", Name = "小军", Class = "一年级1班", Parents = [new ParentLink { PersonId = notLinked.Id, Relation = ParentRelation.Mother }] });
        });
    }

    private (int Meetings, int Invitations) Counts()
    {
        using var db = new LiteCareDb(DbPath);
        return db.Read(tx => (tx.Meetings.Count(), tx.Outbox.Count(o => o.Kind == OutboxKind.Meeting)));
    }

    [Fact]
    public async Task Meeting_add_saves_the_meeting_and_its_invitations_and_show_prints_the_answers()
    {
        Seed();
        var (code, output, err) = await Run("meeting", "add", "--date", _date, "--time", "9:30", "--place", "学校会议室", "--title", "寒假家长会", "--school", "a", "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("#1 \"寒假家长会\"", output, StringComparison.Ordinal);
        Assert.Contains("1 parents get an invitation, 1 are not linked", output, StringComparison.Ordinal);
        Assert.Equal((1, 1), Counts());
        using (var db = new LiteCareDb(DbPath))
        {
            var meeting = db.Read(tx => tx.Meetings.FindById(1));
            Assert.Equal(("a", "09:30"), (meeting.SchoolId, meeting.Time));
            Assert.Equal(["a/1", "a/2"], meeting.ChildIds);
            Assert.Single(db.Read(tx => tx.Audit.Find(a => a.Action == "meeting.announced" && a.Actor == "cli").ToList()));
        }

        var show = await Run("meeting", "show", "1");
        Assert.True(show.Code == ExitCodes.Ok, show.Err);
        Assert.Contains("小明（一年级1班，学号 1）：父亲 张父：未回复", show.Out, StringComparison.Ordinal);
        Assert.Contains("小红（一年级2班，学号 2）：父亲 陈父：未绑定", show.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("小军", show.Out, StringComparison.Ordinal);

        // Meeting 1 is school A's: asked within school B, it is not there.
        var other = await Run("meeting", "show", "1", "--school", "b");
        Assert.Equal(ExitCodes.BadInput, other.Code);
        Assert.StartsWith("carebot: ID:", other.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--date", "2026-02-30", "--date:")]
    [InlineData("--time", "9.30", "--time:")]
    [InlineData("--class", "九年级", "--class:")]
    [InlineData("--school", "nowhere", "--school:")]
    [InlineData(null, null, "--school:")] // two schools: the meeting's must be named
    public async Task Bad_input_is_one_line_naming_the_option_and_nothing_is_saved(string? option, string? value, string expected)
    {
        Seed();
        var args = new List<string> { "meeting", "add", "--date", _date, "--time", "09:30", "--place", "会议室", "--title", "家长会" };
        if (option is "--date" or "--time")
        {
            args[args.IndexOf(option) + 1] = value!;
        }

        if (option is "--class" or "--date" or "--time")
        {
            args.AddRange(["--school", "a"]);
        }

        if (option is "--class" or "--school")
        {
            args.AddRange([option, value!]);
        }

        var (code, _, err) = await Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("carebot: " + expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Equal((0, 0), Counts());
    }
}

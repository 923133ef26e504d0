using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using System.Globalization;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CareBot.Worker.Tests.EndToEnd;

public class WorkerEndToEndTests
{
    /// <summary>The provider the worker runs on; <see cref="WorkerEndToEndTestsOnPostgres"/> runs the suite again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    // Monday 2026-11-23 07:59 in Asia/Shanghai.
    private static readonly DateTimeOffset Monday0759 = new(2026, 11, 23, 7, 59, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 90001, ParentUser = 90002;

    private static (Person Mentor, Person Parent, Child Child) FirstFamily(CareDb db)
    {
        var child = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).First());
        var mentor = db.Read(tx => tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == child.Id && p.Role == PairingRole.Mentor).CarerId));
        var parent = db.Read(tx => tx.People.FindById(child.Parents[0].PersonId));
        return (mentor, parent, child);
    }

    [Fact]
    public async Task Mentor_and_parent_link_by_invite_log_visits_and_talk_through_the_real_bot()
    {
        await using var kit = await E2eKit.StartAsync(Monday0759, store: Store);
        string mentorCode = "", parentCode = "";
        kit.Seed(2, db =>
        {
            var (mentor, parent, _) = FirstFamily(db);
            var invites = new InviteService(db, kit.Time);
            mentorCode = invites.Issue([mentor], 14, "test")[0].Code;
            parentCode = invites.Issue([parent], 14, "test")[0].Code;
        });
        await kit.StartWorkerAsync();

        // The mentor links by invite and gets the first reminder (a child never visited is due at once).
        kit.Server.AddUser(MentorUser, "王老师");
        kit.Server.UserSends(MentorUser, $"/start {mentorCode}");
        await kit.Expect(MentorUser, "绑定成功");
        Assert.Contains(kit.Server.Telegram.Commands(), c => c.Command == "visit" && c.Description.Contains("家访", StringComparison.Ordinal));
        Assert.Contains(kit.Server.Telegram.Commands("en"), c => c.Command == "visit" && c.Description.Contains("home visit", StringComparison.Ordinal));
        kit.Time.JumpTo(Monday0759.AddMinutes(1));
        kit.Runner.RunReminders();
        var reminder = await kit.Server.WaitForMessageAsync(MentorUser, m => m.Buttons.Count > 0, TimeSpan.FromSeconds(20));
        Assert.Contains("家访", reminder.Text, StringComparison.Ordinal);
        Assert.Contains(reminder.Buttons, b => b.CallbackData?.StartsWith("visited:", StringComparison.Ordinal) == true);

        // A plain reply to the reminder logs a visit; a command logs another.
        kit.Server.UserSends(MentorUser, "第一次家访，见到了奶奶", replyToMessageId: reminder.MessageId);
        await kit.Expect(MentorUser, "已记录");
        kit.Server.UserSends(MentorUser, "/visit 1 第二次家访");
        await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text.Contains("已记录", StringComparison.Ordinal) && m.MessageId > reminder.MessageId + 1, TimeSpan.FromSeconds(20));

        // The parent links, writes; the mentor's answer to the relay reaches that parent.
        kit.Server.AddUser(ParentUser, "张大山");
        kit.Server.UserSends(ParentUser, $"/start {parentCode}");
        await kit.Expect(ParentUser, "绑定成功");
        kit.Server.UserSends(ParentUser, "孩子最近学习怎么样？");
        var relay = await kit.Expect(MentorUser, "孩子最近学习怎么样？");
        kit.Server.UserSends(MentorUser, "挺好的，数学进步了", replyToMessageId: relay.MessageId);
        await kit.Expect(ParentUser, "挺好的，数学进步了");

        await kit.StopWorkerAsync();
        using var db = kit.OpenDb();
        var (m, p, c) = FirstFamily(db);
        var records = db.Read(tx => tx.Records.Find(r => r.ChildId == c.Id).ToList());
        Assert.Equal(2, records.Count(r => r.Kind == CareKind.Visit && r.AuthorId == m.Id));
        Assert.Contains(records, r => r.Text == "第一次家访，见到了奶奶");
        Assert.Contains(records, r => r.Kind == CareKind.ParentMessage && r.AuthorId == p.Id);
        Assert.Equal(MentorUser, m.TelegramId);
        Assert.Equal(ParentUser, p.TelegramId);
    }

    [Fact]
    public async Task A_simulated_week_brings_a_reminder_a_visit_and_one_weekly_update_across_restarts()
    {
        await using var kit = await E2eKit.StartAsync(Monday0759, store: Store);
        kit.Seed(1, db =>
        {
            var (mentor, parent, _) = FirstFamily(db);
            mentor.Chat = TelegramChats.At(MentorUser);
            mentor.Status = Reachability.Reachable;
            parent.Chat = TelegramChats.At(ParentUser);
            parent.Status = Reachability.Reachable;
            db.Write(tx => tx.People.Update(mentor));
            db.Write(tx => tx.People.Update(parent));
        });
        kit.Server.AddUser(MentorUser, "王老师");
        kit.Server.AddUser(ParentUser, "张大山");
        await kit.StartWorkerAsync();

        kit.Time.JumpTo(Monday0759.AddMinutes(1));
        kit.Runner.RunReminders();
        kit.Runner.RunReminders(); // the job running twice adds nothing
        var reminder = await kit.Server.WaitForMessageAsync(MentorUser, m => m.Buttons.Count > 0, TimeSpan.FromSeconds(20));
        kit.Server.UserSends(MentorUser, "周一家访：爷爷腿脚不便，孩子很懂事", replyToMessageId: reminder.MessageId);
        await kit.Expect(MentorUser, "已记录");

        // Mid-week restart.
        kit.Time.JumpTo(Monday0759.AddDays(2));
        await kit.StopWorkerAsync();
        await kit.StartWorkerAsync();

        // Sunday 19:00: the weekly update, planned twice and with a restart in between, arrives once.
        var sunday = Monday0759.AddDays(6).AddHours(11).AddMinutes(1);
        kit.Time.JumpTo(sunday);
        kit.Runner.RunWeeklyUpdates(DateOnly.FromDateTime(sunday.DateTime));
        var update = await kit.Expect(ParentUser, "爷爷腿脚不便");
        await kit.StopWorkerAsync();
        await kit.StartWorkerAsync();
        await kit.WaitForStartUpCatchUpAsync(); // it plans this week again: nothing new
        Assert.Equal(0, kit.Runner.RunWeeklyUpdates(DateOnly.FromDateTime(sunday.DateTime)).Added);
        await kit.WaitForIdleOutboxAsync(); // whatever was planned has gone out

        var week = $"{ISOWeek.GetYear(sunday.DateTime)}-W{ISOWeek.GetWeekOfYear(sunday.DateTime):D2}";
        kit.WithDb(db => Assert.Single(db.Read(tx => tx.Outbox.Find(o => o.Chat == TelegramChats.At(ParentUser) && o.Key.StartsWith("weekly:")).ToList()), o => o.Key.EndsWith(week, StringComparison.Ordinal)));
        var updates = kit.Server.MessagesTo(ParentUser).Where(m => m.Text.Contains("爷爷腿脚不便", StringComparison.Ordinal)).ToList();
        Assert.True(updates.Count == 1, string.Join("\n----\n", kit.Server.MessagesTo(ParentUser).Select(m => m.Text)));
        Assert.Single(kit.Server.MessagesTo(MentorUser), m => m.Buttons.Any(b => b.CallbackData?.StartsWith("visited:", StringComparison.Ordinal) == true) && m.SentAt < update.SentAt);
    }
}

public sealed class AdminVerbsBesideTheWorkerTests
{
    [Fact]
    public async Task Import_report_and_backup_beside_a_running_worker_are_done_by_the_worker()
    {
        await using var kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)));
        kit.Seed(2);
        await kit.StartWorkerAsync();
        var dir = Path.GetDirectoryName(kit.DatabasePath)!;
        var roster = Path.Combine(dir, "roster.csv");
        await File.WriteAllBytesAsync(roster, CareBot.Core.Roster.RosterSample.Create(5, perCarer: 1));
        var settings = new Dictionary<string, string?> { ["Storage:DatabasePath"] = kit.DatabasePath };

        async Task<(int Code, string Out, string Err)> Cli(params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = await CareBot.Worker.Cli.CliApp.RunAsync(args, stdout, stderr, settings);
            return (code, stdout.ToString(), stderr.ToString());
        }

        var import = await Cli("import", roster, "--lang", "en");
        Assert.True(import.Code == 0, import.Err);
        Assert.Contains("handing the request", import.Err, StringComparison.Ordinal);
        kit.WithDb(db => Assert.Equal(5, db.Read(tx => tx.Children.Count())));

        var report = await Cli("report", "--csv");
        Assert.True(report.Code == 0, report.Err);
        Assert.StartsWith("carer_id,", report.Out, StringComparison.Ordinal);

        var copy = Path.Combine(dir, "copy.db");
        var backup = await Cli("backup", copy);
        Assert.True(backup.Code == 0, backup.Err);

        // Aid, handed to the worker with every option: saved by the worker as given.
        var child = kit.Host!.Services.GetRequiredService<CareDb>().Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).First());
        var aid = await Cli("aid", "add", "--child", child.No, "--kind", "学习用品", "--amount", "120.5", "--date", "2026-11-20", "--source", "县妇联", "--lang", "en");
        Assert.True(aid.Code == 0, aid.Err);
        Assert.Contains("handing the request", aid.Err, StringComparison.Ordinal);
        kit.WithDb(db => Assert.Equal(
            (child.Id, "学习用品", 120.5m, new DateOnly(2026, 11, 20), "县妇联"),
            db.Read(tx => tx.Aid.FindAll().Select(a => (a.ChildId, a.Kind, a.Amount, a.Date, a.Source)).Single())));

        var forget = await Cli("forget", "--child", "NOPE");
        Assert.Equal(2, forget.Code);
        Assert.Contains("NOPE", forget.Err, StringComparison.Ordinal);

        await kit.StopWorkerAsync();
        using var restored = new LiteCareDb(copy);
        Assert.Equal(5, restored.Read(tx => tx.Children.Count()));
    }
}

/// <summary>The same end-to-end suite with the worker on PostgreSQL.</summary>
public sealed class WorkerEndToEndTestsOnPostgres : WorkerEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>
/// A concern through the real host and the local Bot API server, at 23:00 inside quiet hours: the admin's alert goes
/// at once; an hour later, unacknowledged, the safeguarding job (Quartz) sends it again; the admin presses 已知悉; the
/// concern is read beside the running worker with <c>carebot concern list</c> and <c>show</c>. The family gets nothing.
/// </summary>
public class SafeguardingEndToEndTests
{
    /// <summary>The provider the worker runs on; <see cref="SafeguardingEndToEndTestsOnPostgres"/> runs the suite again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private const long MentorUser = 93001, FatherUser = 93002, AdminUser = 93004;

    [Fact]
    public async Task A_concern_in_quiet_hours_alerts_at_once_repeats_after_an_hour_and_stops_when_acknowledged()
    {
        var start = new DateTimeOffset(2026, 11, 24, 23, 0, 0, China);
        await using var kit = await E2eKit.StartAsync(start, store: Store);
        kit.Seed(2, db => db.Write(tx =>
        {
            var child = tx.Children.FindAll().OrderBy(c => c.Id).First();
            Link(tx, tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == child.Id && p.Role == PairingRole.Mentor).CarerId), MentorUser);
            Link(tx, tx.People.FindById(child.Parents[0].PersonId), FatherUser);
            tx.People.Insert(new Person { Name = "刘校长", Phone = "13600000001", Roles = Roles.Admin, Chat = TelegramChats.At(AdminUser), Status = Reachability.Reachable });
        }));
        foreach (var (user, name) in new[] { (MentorUser, "王老师"), (FatherUser, "张父"), (AdminUser, "刘校长") })
        {
            kit.Server.AddUser(user, name);
        }

        await kit.StartWorkerAsync(new Dictionary<string, string?> { ["CareBot:QuietHours"] = "22:00-07:00" });

        kit.Server.UserSends(MentorUser, "/concern 1 侵害 E2E-NOTE 腿上有淤青，说是被奶奶打的");
        await kit.Expect(MentorUser, "已登记关注 #1");
        var alert = await kit.Expect(AdminUser, "🚨 关注 #1");
        Assert.Equal(["已知悉"], alert.Buttons.Select(b => b.Text));
        Assert.DoesNotContain("E2E-NOTE", alert.Text, StringComparison.Ordinal);

        // An hour on, nobody has acknowledged: the job sends it again (still inside quiet hours).
        kit.Time.JumpTo(start.AddMinutes(61));
        var scheduler = await kit.Host!.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(SafeguardingJob.Key);
        var again = await kit.Expect(AdminUser, "第 2 次提醒");
        Assert.Contains("关注 #1", again.Text, StringComparison.Ordinal);

        kit.Server.UserPressesButton(AdminUser, again.MessageId, again.Buttons[0].CallbackData!);
        await kit.Expect(AdminUser, "已确认知悉关注 #1");
        var db = kit.Host.Services.GetRequiredService<CareDb>();
        var concern = db.Read(tx => tx.Concerns.FindById(1));
        var admin = db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(AdminUser)));
        Assert.Equal(admin.Id, concern.AcknowledgedBy);
        Assert.True(concern.AcknowledgedUtc >= start.AddMinutes(61).UtcDateTime);

        // Another hour: acknowledged, so no third alert.
        kit.Time.JumpTo(start.AddMinutes(130));
        await scheduler.TriggerJob(SafeguardingJob.Key);
        await Poll.UntilAsync(() => Task.FromResult(db.Read(tx => tx.Audit.Exists(a => a.Action == "concern.acknowledged"))), TimeSpan.FromSeconds(10), "the acknowledgement");
        await kit.WaitForIdleOutboxAsync();
        Assert.Equal(2, db.Read(tx => tx.Outbox.Count(o => o.Chat == TelegramChats.At(AdminUser) && o.Kind == OutboxKind.Alert)));

        // Beside the running worker: the list (no note) and the concern itself (audited).
        var list = await Cli(kit, "concern", "list", "--open", "--lang", "en");
        Assert.True(list.Code == 0, list.Err);
        Assert.Contains("abuse", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("E2E-NOTE", list.Out, StringComparison.Ordinal);
        var show = await Cli(kit, "concern", "show", "1", "--lang", "en");
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("E2E-NOTE", show.Out, StringComparison.Ordinal);
        Assert.Contains("Acknowledged by 刘校长", show.Out, StringComparison.Ordinal);
        Assert.True(db.Read(tx => tx.Audit.Exists(a => a.Action == "concern.read" && a.Actor == "cli")));
        var unknown = await Cli(kit, "concern", "show", "99", "--lang", "en");
        Assert.Equal(2, unknown.Code);

        Assert.Empty(kit.Server.MessagesTo(FatherUser));
    }

    private static void Link(CareTx tx, Person person, long chat)
    {
        (person.Chat, person.Status) = (TelegramChats.At(chat), Reachability.Reachable);
        tx.People.Update(person);
    }

    private static async Task<(int Code, string Out, string Err)> Cli(E2eKit kit, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CareBot.Worker.Cli.CliApp.RunAsync(args, stdout, stderr, kit.StorageSettings(), kit.CliServices);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>The same end-to-end suite with the worker on PostgreSQL.</summary>
public sealed class SafeguardingEndToEndTestsOnPostgres : SafeguardingEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

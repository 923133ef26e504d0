using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Worker.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>
/// Issue 19, through the real host and the local Bot API server: the server's update ids start again while the worker
/// runs; the server is unreachable for minutes while a meeting's invitations wait.
/// </summary>
public class NetworkEndToEndTests
{
    /// <summary>The provider the worker runs on; <see cref="NetworkEndToEndTestsOnPostgres"/> runs the suite again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private const long MentorUser = 94001, FatherUser = 94002;

    private static void Link(CareTx tx, Person person, long chat)
    {
        (person.Chat, person.Status) = (TelegramChats.At(chat), Reachability.Reachable);
        tx.People.Update(person);
    }

    [Fact]
    public async Task Update_ids_that_start_again_at_1_while_the_worker_runs_still_answer_a_mines_and_a_parents_message()
    {
        await using var kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, China), server: o => o.FirstUpdateId = 1, store: Store);
        kit.Seed(2, db => db.Write(tx =>
        {
            var child = tx.Children.FindAll().OrderBy(c => c.Id).First();
            Link(tx, tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == child.Id && p.Role == PairingRole.Mentor).CarerId), MentorUser);
            Link(tx, tx.People.FindById(child.Parents[0].PersonId), FatherUser);
        }));
        kit.Server.AddUser(MentorUser, "王老师");
        kit.Server.AddUser(FatherUser, "张父");
        await kit.StartWorkerAsync();
        var processor = kit.Host!.Services.GetRequiredService<UpdateProcessor>();

        // Two dozen updates (ids 1..24) are handled and recorded. (Telegram's server takes an offset up to 10 beyond its
        // newest id as one of its own and confirms everything below it: a reset to ids just under the offset loses
        // updates in the server itself, whatever the client does.)
        for (var i = 1; i <= 12; i++)
        {
            kit.Server.UserSends(MentorUser, "/mine");
            kit.Server.UserSends(FatherUser, $"第{i}条留言");
            await kit.Expect(MentorUser, $"第{i}条留言");
        }

        await Poll.UntilAsync(() => processor.Offset == 25, TimeSpan.FromSeconds(20), "ids 1..24 handled");
        var minesBefore = MineAnswers(kit);
        Assert.Equal(12, minesBefore);

        // The server starts its ids again at 1 (a week without updates, a new server or token).
        kit.Server.Telegram.RestartUpdateIds(1);
        kit.Server.UserSends(MentorUser, "/mine");
        kit.Server.UserSends(FatherUser, "孩子这周好吗？");

        await kit.Expect(MentorUser, "孩子这周好吗？");
        await Poll.UntilAsync(() => MineAnswers(kit) == minesBefore + 1, TimeSpan.FromSeconds(20), "the /mine after the restart answered");
        Assert.Equal(1, processor.Sequence);
        Assert.Equal(3, processor.Offset);

        // Nothing applied twice: the parent's messages are recorded once each, the new one included.
        var db = kit.Host.Services.GetRequiredService<CareDb>();
        Assert.Equal(13, db.Read(tx => tx.Records.Count(r => r.Kind == CareKind.ParentMessage)));
        await Poll.UntilAsync(() => kit.Server.Telegram.PendingUpdateCount == 0, TimeSpan.FromSeconds(20), "the new ids confirmed to the server");
    }

    /// <summary>Answers to /mine: the list of the mentor's children.</summary>
    private static int MineAnswers(E2eKit kit) =>
        kit.Server.MessagesTo(MentorUser).Count(m => m.Text.StartsWith("我的结对孩子", StringComparison.Ordinal));

    [Fact]
    public async Task A_meeting_invitation_for_20_parents_waits_out_minutes_of_refused_connections_and_reaches_all_20()
    {
        var start = new DateTimeOffset(2026, 11, 23, 9, 0, 0, China);
        await using var kit = await E2eKit.StartAsync(start, server: _ => { }, store: Store);
        var parents = new List<long>();
        kit.Seed(15, db => db.Write(tx =>
        {
            foreach (var parent in tx.People.FindAll().Where(p => p.Has(Roles.Parent) && !p.IsCarer).OrderBy(p => p.Id).Take(20).ToList())
            {
                var user = 95000 + parents.Count;
                Link(tx, parent, user);
                parents.Add(user);
            }
        }));
        Assert.Equal(20, parents.Count);
        foreach (var user in parents)
        {
            kit.Server.AddUser(user, "家长" + user);
        }

        await kit.StartWorkerAsync();
        await kit.WaitForStartUpCatchUpAsync();
        await kit.WaitForIdleOutboxAsync();

        // Six minutes without the Bot API, from now.
        var outageEnds = start.AddMinutes(6);
        kit.Server.Telegram.RefuseConnectionsUntil(outageEnds);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CareBot.Worker.Cli.CliApp.RunAsync(
            ["meeting", "add", "--date", "2026-11-28", "--time", "09:30", "--place", "学校会议室", "--title", "寒假家长会"],
            stdout, stderr, kit.StorageSettings(), kit.CliServices);
        Assert.True(code == 0, stderr.ToString());

        var db = kit.Host!.Services.GetRequiredService<CareDb>();
        var signal = kit.Host.Services.GetRequiredService<OutboxSignal>();
        List<OutboxMessage> Invitations() => db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Meeting).ToList());
        bool AllTriedAndWaiting() =>
            Invitations() is { Count: 20 } rows && rows.All(r => r.Status == OutboxStatus.Pending && r.Attempts > 0 && r.NotBeforeUtc > kit.Time.GetUtcNow().UtcDateTime);

        // Through the outage, 20 seconds of the clock at a time: every invitation is tried and waits again.
        for (var now = kit.Time.GetUtcNow(); now < outageEnds; now = now.AddSeconds(20))
        {
            kit.Time.JumpTo(now);
            signal.Notify();
            await Poll.UntilAsync(AllTriedAndWaiting, TimeSpan.FromSeconds(20), $"every invitation tried and waiting at {now:HH:mm:ss}");
        }

        Assert.All(Invitations(), r => Assert.Equal(OutboxStatus.Pending, r.Status));
        Assert.True(Invitations().Min(r => r.Attempts) >= 8, $"attempts: {string.Join(",", Invitations().Select(r => r.Attempts))}");
        Assert.True(kit.Server.Telegram.RefusedConnections > 0);
        Assert.All(parents, user => Assert.DoesNotContain(kit.Server.MessagesTo(user), m => m.Text.Contains("家长会通知", StringComparison.Ordinal)));

        // The server is back: within the capped backoff every parent gets the invitation, once.
        kit.Time.JumpTo(outageEnds.AddMinutes(3));
        signal.Notify();
        foreach (var user in parents)
        {
            await kit.Expect(user, "家长会通知：寒假家长会");
        }

        await kit.WaitForIdleOutboxAsync();
        Assert.All(Invitations(), r => Assert.Equal(OutboxStatus.Sent, r.Status));
        Assert.All(parents, user => Assert.Single(kit.Server.MessagesTo(user), m => m.Text.Contains("家长会通知", StringComparison.Ordinal)));
    }
}

/// <summary>The same end-to-end suite with the worker on PostgreSQL.</summary>
public sealed class NetworkEndToEndTestsOnPostgres : NetworkEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

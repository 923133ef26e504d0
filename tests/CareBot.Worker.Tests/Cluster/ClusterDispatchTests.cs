using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Outbox;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>Issue 22: in a cluster the node that polls is the one that sends, so each row goes out once and one send rate holds.</summary>
public sealed class ClusterDispatchTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 93101;

    [Fact]
    public async Task Only_the_leader_sends_and_every_queued_message_arrives_once()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        for (var i = 0; i < 3; i++)
        {
            await kit.StartWorkerAsync();
        }

        var leader = await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        var mentor = leader.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorUser)));
        var outbox = new OutboxStore(leader.Db, kit.Time);
        const int Count = 30;
        for (var i = 0; i < Count; i++)
        {
            outbox.Enqueue(new OutboxMessage { Key = $"cluster-dispatch:{i}", PersonId = mentor.Id, Chat = TelegramChats.At(MentorUser), Text = $"通知 {i:D2}", Priority = OutboxPriority.Reply });
        }

        await Poll.UntilAsync(
            () => leader.Db.Read(tx => tx.Outbox.Count(o => o.Key.StartsWith("cluster-dispatch:") && o.Status == OutboxStatus.Sent)) == Count,
            TimeSpan.FromSeconds(60),
            "every queued message sent");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var texts = kit.Server.MessagesTo(MentorUser).Select(m => m.Text).Where(t => t.StartsWith("通知 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Count, texts.Count);
        Assert.Equal(Count, texts.Distinct().Count());
        // The standbys never spoke to the Bot API: neither polled nor sent.
        Assert.All(kit.Running.Where(w => w != leader), w => Assert.Null(w.Activity.LastApiAnswer));
    }

    [Fact]
    public async Task A_row_another_node_holds_under_its_lease_waits_for_the_lease_to_end_and_then_goes_once()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        await kit.StartWorkerAsync();
        var leader = await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        var mentor = leader.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorUser)));
        var now = kit.Time.GetUtcNow().UtcDateTime;

        // What a node killed mid-send leaves: its row Sending under its lease. A free row goes meanwhile.
        leader.Db.Write(tx => tx.Outbox.Insert(new OutboxMessage
        {
            Key = "ghost", PersonId = mentor.Id, Chat = TelegramChats.At(MentorUser), Text = "幽灵的通知", Status = OutboxStatus.Sending,
            CreatedUtc = now, NotBeforeUtc = now, ClaimedBy = "ghost-node", LeaseUntilUtc = now.AddSeconds(30),
        }));
        new OutboxStore(leader.Db, kit.Time).Enqueue(new OutboxMessage { Key = "free", PersonId = mentor.Id, Chat = TelegramChats.At(MentorUser), Text = "自由的通知" });
        await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text == "自由的通知", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(kit.Server.MessagesTo(MentorUser), m => m.Text == "幽灵的通知");

        kit.Time.JumpTo(kit.Time.GetUtcNow().AddSeconds(31)); // the lease has ended
        await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text == "幽灵的通知", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(kit.Server.MessagesTo(MentorUser), m => m.Text == "幽灵的通知");
        Assert.Equal(leader.NodeId, leader.Db.Read(tx => tx.Outbox.FindOne(o => o.Key == "ghost")!.ClaimedBy));
    }

    [Fact]
    public async Task A_message_a_standby_queues_wakes_the_leader_at_once()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        await kit.StartWorkerAsync();
        await kit.StartWorkerAsync();
        var leader = await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        var standby = kit.Running.Single(w => w != leader);
        var mentor = standby.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorUser)));
        var outbox = new OutboxStore(standby.Db, kit.Time);

        // Idle, the leader looks at the outbox every 5 s by itself; a standby's row (a planner's run there) wakes it
        // through the database at its commit. The first message warms the leader's sending up (its first HTTP
        // connection, its first claim); the next three are timed, so that its own timer cannot pass for the wake-up.
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // idle again, and past the chat's one-second spacing
            var queued = System.Diagnostics.Stopwatch.StartNew();
            outbox.Enqueue(new OutboxMessage { Key = $"from-standby:{i}", PersonId = mentor.Id, Chat = TelegramChats.At(MentorUser), Text = $"备用节点的通知 {i}" });
            await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text == $"备用节点的通知 {i}", TimeSpan.FromSeconds(20));
            var latency = queued.Elapsed;
            Assert.True(i == 0 || latency < TimeSpan.FromSeconds(1.5), $"message {i} went {latency.TotalSeconds:0.00} s after it was queued");
        }
    }

    [Fact]
    public async Task A_leader_stopping_lets_go_of_the_rows_it_claimed_so_the_next_sends_them_at_once()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        var first = await kit.StartWorkerAsync();
        var leader = await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        await kit.StartWorkerAsync();
        var mentor = leader.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorUser)));
        var outbox = new OutboxStore(leader.Db, kit.Time);
        const int Count = 20; // one chat, one a second: 20 s, all claimed by the first leader at once
        for (var i = 0; i < Count; i++)
        {
            outbox.Enqueue(new OutboxMessage { Key = $"bulk:{i}", PersonId = mentor.Id, Chat = TelegramChats.At(MentorUser), Text = $"群发 {i:D2}", Priority = OutboxPriority.Bulk });
        }

        await Poll.UntilAsync(() => kit.Server.MessagesTo(MentorUser).Count(m => m.Text.StartsWith("群发 ", StringComparison.Ordinal)) >= 4, TimeSpan.FromSeconds(20), "the first sends");
        Assert.True(leader.Db.Read(tx => tx.Outbox.Count(o => o.ClaimedBy == leader.NodeId && o.Status == OutboxStatus.Pending)) > 10);

        var stopped = DateTimeOffset.UtcNow;
        await ClusterKit.StopAsync(leader);
        var next = await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => kit.Server.Telegram.Calls.Any(c => c.Is("sendMessage") && c.ReceivedAt > stopped.AddMilliseconds(500)), TimeSpan.FromSeconds(10), "a send by the next leader well before the lease (30 s) ends");

        await Poll.UntilAsync(() => next.Db.Read(tx => tx.Outbox.Count(o => o.Key.StartsWith("bulk:") && o.Status == OutboxStatus.Sent)) == Count, TimeSpan.FromSeconds(60), "every row sent");
        var texts = kit.Server.MessagesTo(MentorUser).Select(m => m.Text).Where(t => t.StartsWith("群发 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Count, texts.Distinct().Count());
        Assert.Equal(Count, texts.Count); // a graceful stop finishes its send in flight: nothing twice
        Assert.NotEqual(first, next);
    }
}

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
}

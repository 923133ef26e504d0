using CareBot.Tests.Shared;
using System.Diagnostics;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Worker.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>Issue 22: several workers on one PostgreSQL database; exactly one polls Telegram, and another takes over.</summary>
public sealed class ClusterPollerTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 93001;
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(10);

    /// <summary>A mentor's /mine is answered, and only once, by whichever worker polls.</summary>
    private static async Task AnsweredOnceAsync(ClusterKit kit)
    {
        kit.Server.UserSends(MentorUser, "/mine");
        await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, Answers(kit));
    }

    private static int Answers(ClusterKit kit) => kit.Server.MessagesTo(MentorUser).Count(m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal));

    [Fact]
    public async Task Exactly_one_of_three_workers_polls_and_a_message_is_answered_once()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        for (var i = 0; i < 3; i++)
        {
            await kit.StartWorkerAsync();
        }

        var leader = await kit.LeaderAsync(Failover);
        await Poll.UntilAsync(() => leader.Activity.Snapshot().LastPoll is not null, Failover, "the leader's first poll");
        kit.Server.UserSends(MentorUser, "/mine");
        await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(kit.Running, w => w.Lease.IsLeader);
        Assert.All(kit.Running.Where(w => w != leader), w => Assert.Null(w.Activity.Snapshot().LastPoll)); // standbys never polled
        Assert.Equal(0, kit.Conflicts);
        Assert.Equal(1, Answers(kit));
    }

    [Fact]
    public async Task A_starting_worker_seeks_the_lead_before_its_other_services_start()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);

        // The first service to start waits for the lead: the host starts only if the lease is sought before it (from
        // the host's Starting step), not in the lease's own turn after Quartz has made its scheduler.
        var worker = await kit.StartWorkerAsync(services: s => s.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => new WaitsForTheLead(sp.GetRequiredService<LeaderLease>()))));

        Assert.True(worker.Lease.IsLeader);
        await Poll.UntilAsync(() => worker.Activity.Snapshot().LastPoll is not null, Failover, "the leader's first poll");
    }

    private sealed class WaitsForTheLead(LeaderLease lease) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => lease.WaitToLeadAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task When_the_leader_stops_gracefully_another_worker_polls_within_ten_seconds()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        await kit.StartWorkerAsync();
        await kit.StartWorkerAsync();
        var first = await kit.LeaderAsync(Failover);
        await Poll.UntilAsync(() => first.Activity.Snapshot().LastPoll is not null, Failover, "the first leader's poll");

        var stopped = Stopwatch.StartNew();
        await ClusterKit.StopAsync(first);
        var second = await kit.LeaderAsync(Failover);
        await Poll.UntilAsync(() => second.Activity.Snapshot().LastPoll is not null, Failover, "the new leader's poll");
        var failover = stopped.Elapsed;

        Assert.NotEqual(first, second);
        Assert.True(failover < Failover, $"failover took {failover.TotalSeconds:0.0} s");
        await AnsweredOnceAsync(kit);
    }

    [Fact]
    public async Task A_leader_that_loses_its_connection_stops_polling_and_another_takes_over_within_ten_seconds()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        await kit.StartWorkerAsync();
        await kit.StartWorkerAsync();
        var first = await kit.LeaderAsync(Failover);
        var epoch = first.Lease.Epoch;
        await Poll.UntilAsync(() => first.Activity.Snapshot().LastPoll is not null, Failover, "the first leader's poll");

        var cut = Stopwatch.StartNew();
        ClusterKit.Terminate(first.Lease.LockSession!.Value);
        await Poll.UntilAsync(() => !first.Lease.IsLeader, TimeSpan.FromSeconds(5), "the cut leader to stop polling");
        var second = await kit.LeaderAsync(Failover);
        var pollsBefore = second.Activity.Snapshot().LastPoll;
        await Poll.UntilAsync(() => second.Activity.Snapshot().LastPoll != pollsBefore || second.Activity.Snapshot().LastPoll is not null, Failover, "the new leader's poll");
        var failover = cut.Elapsed;

        Assert.NotEqual(first, second);
        Assert.True(second.Lease.Epoch > epoch, $"epoch {second.Lease.Epoch} after {epoch}");
        Assert.True(failover < Failover, $"failover took {failover.TotalSeconds:0.0} s");
        await AnsweredOnceAsync(kit);
    }

    [Fact]
    public async Task A_stale_leaders_update_is_refused_in_its_own_transaction_and_applied_once_by_the_new_leader()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        var worker = await kit.StartWorkerAsync();
        await kit.LeaderAsync(Failover);
        var polledUnder = worker.Lease.Epoch!.Value;
        var processor = worker.Host.Services.GetRequiredService<UpdateProcessor>();
        var offset = processor.Offset;

        // Another node takes over (what LeaderLease writes when it gets the lock), while this one has not noticed yet.
        worker.Db.Write(tx =>
        {
            var entry = tx.State.FindById(LeaderLease.EpochKey)!;
            entry.Value++;
            tx.State.Upsert(entry);
        });
        var update = new IncomingMessage(777_001, TelegramChats.At(MentorUser), ChatKind.Private, IncomingKind.Text, "/mine");

        var refused = Assert.Throws<FencedOutException>(() => processor.Process(update));

        Assert.Equal(polledUnder, refused.PolledUnder);
        Assert.Equal(polledUnder + 1, refused.Current);
        var sequence = processor.Sequence;
        Assert.Null(worker.Db.Read(tx => tx.Updates.FindById(UpdateProcessor.RecordId(sequence, update.UpdateId))));
        Assert.Equal(offset, processor.Offset);
        var replies = "reply:" + update.UpdateId + ":";
        Assert.False(worker.Db.Read(tx => tx.Outbox.Exists(o => o.Key.StartsWith(replies))));

        // The new leader (a takeover: a new epoch on this node) applies it, once, however often it is handed over.
        ClusterKit.Terminate(worker.Lease.LockSession!.Value);
        await Poll.UntilAsync(() => worker.Lease.Epoch > polledUnder + 1, TimeSpan.FromSeconds(15), "the lead taken again under a new epoch");
        Assert.NotNull(processor.Process(update));
        Assert.Null(processor.Process(update));
        Assert.Equal(1, worker.Db.Read(tx => tx.Outbox.Count(o => o.Key.StartsWith(replies))));
    }
}

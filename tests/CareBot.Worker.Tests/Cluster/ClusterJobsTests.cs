using System.Collections.Concurrent;
using CareBot.Tests.Shared;
using CareBot.Worker.Cli;
using CareBot.Worker.Cluster;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>Issue 22: Quartz clustered in the PostgreSQL database, the planners once per slot, and the cluster in <c>carebot status</c>.</summary>
public sealed class ClusterJobsTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 94001;

    [Fact]
    public async Task Each_scheduled_reminder_run_fires_on_exactly_one_of_two_workers()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        var every3s = new Dictionary<string, string?> { [CareJobs.VisitRemindersSetting] = "0/3 * * * * ?" };
        var fires = new ConcurrentBag<(string Node, DateTimeOffset Slot)>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var worker = await kit.StartWorkerAsync(every3s);
            var scheduler = await worker.Host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            scheduler.ListenerManager.AddJobListener(new FireLog(worker.Name, fires), [Matchers.Key(VisitReminderJob.Key)]);
        }

        await Poll.UntilAsync(() => fires.Select(f => f.Slot).Distinct().Count() >= 4, TimeSpan.FromSeconds(30), "four reminder fires");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var bySlot = fires.GroupBy(f => f.Slot).ToList();
        Assert.All(bySlot, slot => Assert.Single(slot));
        await using var connection = new NpgsqlConnection(kit.ConnectionString);
        await connection.OpenAsync();
        await using var runs = new NpgsqlCommand("SELECT count(*) FROM carebot_plan_runs WHERE slot LIKE 'reminders:%'", connection);
        Assert.True((long)(await runs.ExecuteScalarAsync())! >= bySlot.Count - 1); // each fire's slot recorded (the last may still run)
    }

    [Fact]
    public async Task A_weekly_run_missed_while_every_worker_was_down_is_caught_up_once_for_its_own_week()
    {
        // Sunday 19:00 passed with no worker running; two start together on Monday morning.
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(3, MentorUser);
        using (var db = new CareBot.Storage.Postgres.PgCareDb(kit.ConnectionString))
        {
            var chat = 95000L;
            foreach (var parent in db.Read(tx => tx.People.FindAll().Where(p => p.Roles.HasFlag(CareBot.Core.Model.Roles.Parent)).ToList()))
            {
                (parent.Chat, parent.Status) = (TelegramChats.At(++chat), CareBot.Core.Model.Reachability.Reachable);
                db.Write(tx => tx.People.Update(parent));
            }
        }

        var workers = await Task.WhenAll(kit.StartWorkerAsync(), kit.StartWorkerAsync());

        // Both catch up at start (the standby after waiting up to 5 s for a first poll it never makes).
        await Poll.UntilAsync(() => PlanRuns(kit, "weekly:2026-11-22T11:00:00Z") == 1, TimeSpan.FromSeconds(30), "the missed weekly slot done");
        await Task.Delay(CatchUpJob.FirstPollWait + TimeSpan.FromSeconds(3));

        Assert.Single(workers, w => w.Activity.Snapshot().Weekly is not null);
        var keys = workers[0].Db.Read(tx => tx.Outbox.Find(o => o.Key.StartsWith("weekly:")).Select(o => o.Key).ToList());
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.EndsWith(":2026-W47", k, StringComparison.Ordinal)); // Sunday's week, never Monday's unfinished one
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public async Task A_schedule_changed_while_the_cluster_was_down_is_the_one_the_database_keeps_after_a_start()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        var first = await kit.StartWorkerAsync(new Dictionary<string, string?> { [CareJobs.WeeklyUpdatesSetting] = "0 0 19 ? * SUN" });
        await ClusterKit.StopAsync(first);

        await kit.StartWorkerAsync(new Dictionary<string, string?> { [CareJobs.WeeklyUpdatesSetting] = "0 30 18 ? * SAT" });

        using var connection = new NpgsqlConnection(kit.ConnectionString);
        connection.Open();
        using var read = new NpgsqlCommand($"SELECT cron_expression FROM qrtz_cron_triggers WHERE trigger_name = '{CareJobs.WeeklyUpdatesTrigger.Name}'", connection);
        Assert.Equal("0 30 18 ? * SAT", (string)read.ExecuteScalar()!);
    }

    [Fact]
    public async Task Status_shows_every_node_with_its_role_and_is_healthy_on_the_leader_and_on_a_standby()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        var workers = new[] { await kit.StartWorkerAsync(), await kit.StartWorkerAsync() };
        await kit.LeaderAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => Rows(kit) == 2 && workers.All(w => File.Exists(WorkerStatus.PathFor(w.DatabasePath))), TimeSpan.FromSeconds(20), "both nodes' beats");
        await Task.Delay(NodeBeatService.Interval + TimeSpan.FromSeconds(1)); // the leader's row says so

        foreach (var worker in workers)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = StatusCommand.Run(Settings(kit, worker), "en", kit.Time, stdout, stderr);

            Assert.True(code == StatusCommand.Healthy, stderr.ToString());
            var text = stdout.ToString();
            Assert.All(workers, w => Assert.Contains("node " + w.NodeId + ":", text, StringComparison.Ordinal));
            Assert.Single(text.Split('\n'), l => l.Contains("leader (polls Telegram)", StringComparison.Ordinal));
            Assert.Single(text.Split('\n'), l => l.Contains(": standby,", StringComparison.Ordinal));
            Assert.Contains(worker.NodeId + ": ", text.Split('\n').Single(l => l.Contains("(this node)", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        // In Chinese too.
        using (var zh = new StringWriter())
        {
            Assert.Equal(StatusCommand.Healthy, StatusCommand.Run(Settings(kit, workers[0]), "zh", kit.Time, zh, TextWriter.Null));
            Assert.Contains("（本节点）", zh.ToString(), StringComparison.Ordinal);
        }

        // A node whose row is gone from the cluster (it cannot reach the database) is not healthy, whatever its file says.
        var standby = workers.Single(w => !w.Lease.IsLeader);
        await ClusterKit.StopAsync(standby);
        using var after = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(StatusCommand.Unhealthy, StatusCommand.Run(Settings(kit, standby), "en", kit.Time, after, error));
        Assert.Equal(1, Rows(kit));
    }

    [Fact]
    public async Task A_node_with_other_settings_is_named_once_in_the_log()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(1, MentorUser);
        var first = await kit.StartWorkerAsync();
        var other = await kit.StartWorkerAsync(new Dictionary<string, string?> { ["CareBot:Care:VisitEveryDays"] = "10" });
        var same = await kit.StartWorkerAsync();
        var beats = first.Host.Services.GetRequiredService<NodeBeatService>();

        await Poll.UntilAsync(() => beats.Differing.Count > 0, TimeSpan.FromSeconds(15), "a differing node named");
        await Task.Delay(NodeBeatService.Interval * 2);

        Assert.Equal([other.NodeId], beats.Differing);
        Assert.NotEqual(first.Host.Services.GetRequiredService<WorkerNode>().SettingsHash, other.Host.Services.GetRequiredService<WorkerNode>().SettingsHash);
        Assert.Equal(first.Host.Services.GetRequiredService<WorkerNode>().SettingsHash, same.Host.Services.GetRequiredService<WorkerNode>().SettingsHash);
    }

    private static Dictionary<string, string?> Settings(ClusterKit kit, ClusterWorker worker) => new()
    {
        ["Storage:DatabasePath"] = worker.DatabasePath,
        ["Storage:Provider"] = "PostgreSQL",
        ["Storage:ConnectionString"] = kit.ConnectionString,
    };

    private static long Rows(ClusterKit kit) => Count(kit, "SELECT count(*) FROM carebot_workers", null);

    private static long PlanRuns(ClusterKit kit, string slot) => Count(kit, "SELECT count(*) FROM carebot_plan_runs WHERE slot = @slot", slot);

    private static long Count(ClusterKit kit, string sql, string? slot)
    {
        using var connection = new NpgsqlConnection(kit.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        if (slot is not null)
        {
            command.Parameters.AddWithValue("slot", slot);
        }

        return (long)command.ExecuteScalar()!;
    }

    private sealed class FireLog(string node, ConcurrentBag<(string Node, DateTimeOffset Slot)> fires) : IJobListener
    {
        public string Name => "cluster-fire-log-" + node;

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            fires.Add((node, context.ScheduledFireTimeUtc ?? context.FireTimeUtc));
            return ValueTask.CompletedTask;
        }
    }
}

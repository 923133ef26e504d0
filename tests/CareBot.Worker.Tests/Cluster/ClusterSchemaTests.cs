using CareBot.Tests.Shared;
using CareBot.Worker.Cli;
using CareBot.Worker.Cluster;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>Quartz's schema made by CareBot in the PostgreSQL database, and nothing of the cluster on LiteDB.</summary>
public sealed class ClusterSchemaTests
{
    private static long Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Quartz_schema_is_made_once_when_several_nodes_start_together_and_again_changes_nothing()
    {
        var database = PgServer.CreateDatabase();
        var nodes = Enumerable.Range(0, 4).Select(_ => new ClusterDatabase(database)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Data)));
            var tables = Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz\\_%'");
            Assert.Equal(ClusterDatabase.QuartzStatements().Count(s => s.Contains("CREATE TABLE", StringComparison.Ordinal)), tables);
            Assert.True(tables >= 11, $"{tables} Quartz tables");
            Assert.Equal(2, Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('carebot_workers', 'carebot_plan_runs')"));

            using var again = new ClusterDatabase(database);
            _ = again.Data;
            Assert.Equal(tables, Scalar(database, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz\\_%'"));
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
            PgServer.DropDatabase(database);
        }
    }

    [Fact]
    public void A_node_that_met_the_server_down_makes_the_schema_once_it_is_back()
    {
        using var server = PgServer.StartPrivateCluster();
        using var cluster = new ClusterDatabase(server.ConnectionString);
        server.StopImmediate();

        Assert.ThrowsAny<NpgsqlException>(() => cluster.Data);

        server.StartServer();
        _ = cluster.Data; // tried again, not the first failure remembered
        Assert.Equal(2, Scalar(server.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename IN ('carebot_workers', 'carebot_plan_runs')"));
    }

    [Fact]
    public void A_planner_run_waiting_for_another_nodes_run_stops_when_its_job_is_cancelled()
    {
        var database = PgServer.CreateDatabase();
        try
        {
            using var cluster = new ClusterDatabase(database);
            var slots = new PlanSlots(cluster, new WorkerNode(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()), TimeProvider.System);
            using var other = cluster.Data.OpenConnection(); // another node's run holds the cluster's planner lock
            using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({ClusterDatabase.PlanLock})", other))
            {
                hold.ExecuteScalar();
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var ran = false;
            var started = DateTime.UtcNow;

            Assert.ThrowsAny<OperationCanceledException>(() => slots.RunOnce("weekly", DateTimeOffset.UnixEpoch, () =>
            {
                ran = true;
                return "ran";
            }, stop.Token));

            Assert.False(ran);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
            Assert.Equal(0, Scalar(database, "SELECT count(*) FROM carebot_plan_runs"));
        }
        finally
        {
            PgServer.DropDatabase(database);
        }
    }

    [Fact]
    public async Task The_scheduler_keeps_its_jobs_in_the_database_and_clusters_on_PostgreSQL()
    {
        await using var kit = await ClusterKit.StartAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)));
        var worker = await kit.StartWorkerAsync();
        var scheduler = await worker.Host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var meta = await scheduler.GetMetadata();

        Assert.True(meta.JobStoreClustered);
        Assert.True(meta.JobStorePersistent);
        Assert.Equal(worker.NodeId, scheduler.SchedulerInstanceId);
        Assert.Equal(1, Scalar(kit.ConnectionString, $"SELECT count(*) FROM qrtz_triggers WHERE sched_name = '{ClusterDatabase.SchedulerName}' AND trigger_name = '{CareJobs.WeeklyUpdatesTrigger.Name}'"));
    }

    [Fact]
    public async Task On_LiteDB_the_worker_is_one_node_with_the_RAM_job_store_and_no_cluster_services()
    {
        var folder = Directory.CreateTempSubdirectory("carebot-single-").FullName;
        try
        {
            using var host = CliApp.BuildHost(new Dictionary<string, string?> { ["Storage:DatabasePath"] = Path.Combine(folder, "carebot.db"), ["Telegram:BotToken"] = "1:x" }, b =>
            {
                b.AddCareWorker();
            });
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            var meta = await scheduler.GetMetadata();

            Assert.False(meta.JobStorePersistent);
            Assert.False(meta.JobStoreClustered);
            Assert.Null(host.Services.GetService<LeaderLease>());
            Assert.Null(host.Services.GetService<IPlanSlots>());
            Assert.Null(host.Services.GetService<IPollLeadership>());
            Assert.Null(host.Services.GetService<CareBot.Core.Chat.IUpdateFence>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

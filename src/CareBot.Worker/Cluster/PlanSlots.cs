using System.Globalization;
using CareBot.Worker.Jobs;
using Npgsql;

namespace CareBot.Worker.Cluster;

/// <summary>
/// Each scheduled planner run done once across the cluster: a run is named by its job and the fire time it stands for
/// (its slot), the runs take a cluster-wide advisory lock one at a time, and a slot some node has finished is not run
/// again, whether the cron trigger fired it or a node's start-up catch-up found it missed. A node that dies mid-run
/// leaves its slot unfinished (its lock goes with its session), so the next node's catch-up runs it; the planners are
/// idempotent by outbox key, so that adds nothing twice.
/// </summary>
public sealed class PlanSlots(ClusterDatabase cluster, WorkerNode node, TimeProvider time) : IPlanSlots
{
    /// <summary>How often a run waiting for the cluster's planner lock asks again.</summary>
    public static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(200);

    public T? RunOnce<T>(string job, DateTimeOffset slot, Func<T> run, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(run);
        var key = Key(job, slot);
        using var connection = cluster.Data.OpenConnection();
        while (!Scalar<bool>(connection, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_try_advisory_lock({ClusterDatabase.PlanLock})")))
        {
            // Synchronous on purpose: the planners are synchronous, and this runs on a job's own thread.
            cancellationToken.WaitHandle.WaitOne(LockRetry);
            cancellationToken.ThrowIfCancellationRequested();
        }

        try
        {
            using (var done = new NpgsqlCommand("SELECT node_id FROM carebot_plan_runs WHERE slot = @slot", connection))
            {
                done.Parameters.AddWithValue("slot", key);
                if (done.ExecuteScalar() is string)
                {
                    return null;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var result = run();
            using var mark = new NpgsqlCommand("INSERT INTO carebot_plan_runs (slot, node_id, done_at) VALUES (@slot, @node, @at) ON CONFLICT (slot) DO NOTHING", connection);
            mark.Parameters.AddWithValue("slot", key);
            mark.Parameters.AddWithValue("node", node.Id);
            mark.Parameters.AddWithValue("at", time.GetUtcNow());
            mark.ExecuteNonQuery();
            return result;
        }
        finally
        {
            Scalar<bool>(connection, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_unlock({ClusterDatabase.PlanLock})"));
        }
    }

    /// <summary>The slot's name: the job and the UTC fire time it stands for.</summary>
    public static string Key(string job, DateTimeOffset slot) =>
        job + ":" + slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static T Scalar<T>(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }
}

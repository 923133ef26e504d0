using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareBot.Worker.Cluster;

/// <summary>One node's row of <c>carebot_workers</c>, as <c>carebot status</c> reads it.</summary>
public sealed record WorkerRow(string NodeId, string Host, int ProcessId, string Role, string SettingsHash, DateTimeOffset StartedAt, DateTimeOffset LastBeat);

/// <summary>
/// This node's row in <c>carebot_workers</c>: its role (leader or standby), its settings hash and its last beat,
/// written every <see cref="Interval"/>; removed on a graceful stop. Each beat also reads the other live nodes and names
/// in the log, once each, a node whose settings hash differs from this node's (ids and hashes only, never a setting).
/// </summary>
public sealed class NodeBeatService(ClusterDatabase cluster, WorkerNode node, LeaderLease lease, TimeProvider time, ILogger<NodeBeatService> logger)
    : BackgroundService
{
    public const string Leader = "leader";
    public const string Standby = "standby";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    /// <summary>A node that has not beaten for this long is taken as gone (status shows it, but not as alive).</summary>
    public static readonly TimeSpan Alive = TimeSpan.FromSeconds(30);

    /// <summary>Rows of nodes gone this long are removed.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromDays(1);

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>The node ids already named for differing settings (for tests).</summary>
    internal IReadOnlyCollection<string> Differing => _warned;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await BeatAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
        finally
        {
            await LeaveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes this node's row and looks at the others. A failure is logged; the next beat tries again.</summary>
    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            await using var connection = await cluster.Data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (var beat = new NpgsqlCommand(
                """
                INSERT INTO carebot_workers (node_id, host, pid, role, settings_hash, started_at, last_beat)
                VALUES (@id, @host, @pid, @role, @hash, @started, @now)
                ON CONFLICT (node_id) DO UPDATE SET role = EXCLUDED.role, settings_hash = EXCLUDED.settings_hash, last_beat = EXCLUDED.last_beat;
                DELETE FROM carebot_workers WHERE last_beat < @forget
                """, connection))
            {
                beat.Parameters.AddWithValue("id", node.Id);
                beat.Parameters.AddWithValue("host", node.Host);
                beat.Parameters.AddWithValue("pid", node.ProcessId);
                beat.Parameters.AddWithValue("role", lease.IsLeader ? Leader : Standby);
                beat.Parameters.AddWithValue("hash", node.SettingsHash);
                beat.Parameters.AddWithValue("started", _started);
                beat.Parameters.AddWithValue("now", now);
                beat.Parameters.AddWithValue("forget", now - Forget);
                await beat.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var other in await ReadAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                if (other.NodeId != node.Id && other.LastBeat >= now - Alive && other.SettingsHash != node.SettingsHash && _warned.Add(other.NodeId))
                {
                    logger.LogWarning(
                        "Node {Other} runs with other settings than this node {Node} (settings hash {OtherHash}, here {Hash}): give every node the same appsettings.json and environment",
                        other.NodeId, node.Id, Short(other.SettingsHash), Short(node.SettingsHash));
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            logger.LogWarning("Node {Node} could not write its beat: {Reason}", node.Id, ex.Message);
        }
    }

    /// <summary>Every node's row, newest beat first.</summary>
    public static async Task<IReadOnlyList<WorkerRow>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var read = new NpgsqlCommand(
            "SELECT node_id, host, pid, role, settings_hash, started_at, last_beat FROM carebot_workers ORDER BY last_beat DESC, node_id", connection);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<WorkerRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new WorkerRow(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return rows;
    }

    private async Task LeaveAsync()
    {
        try
        {
            await using var connection = await cluster.Data.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var leave = new NpgsqlCommand("DELETE FROM carebot_workers WHERE node_id = @id", connection);
            leave.Parameters.AddWithValue("id", node.Id);
            await leave.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            logger.LogInformation("Node {Node} could not remove its row: {Reason}", node.Id, ex.Message);
        }
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}

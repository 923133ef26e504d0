using CareBot.Core.Text;
using CareBot.Worker.Cluster;
using Npgsql;

namespace CareBot.Worker.Cli;

/// <summary>
/// The cluster part of <c>carebot status</c> on PostgreSQL: one line per node of <c>carebot_workers</c> (id, role, last
/// beat), this node marked; healthy when this node has beaten within <see cref="NodeBeatService.Alive"/> as leader or
/// standby. Ids only: no setting, no host's data beyond its name.
/// </summary>
internal static class ClusterStatus
{
    public static int Report(string connectionString, string node, string language, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        string T(string key, params object?[] args) => Texts.Get(language, key, args);
        IReadOnlyList<WorkerRow> rows;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5, CommandTimeout = 5 };
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            rows = NodeBeatService.ReadAsync(connection, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException or IOException or InvalidOperationException)
        {
            stderr.WriteLine("carebot: " + T("status.cluster.unreadable", SafeMask(connectionString), ex is PostgresException pg ? pg.MessageText : ex.GetType().Name));
            return StatusCommand.Unhealthy;
        }

        foreach (var row in rows)
        {
            var age = now - row.LastBeat;
            var role = age >= NodeBeatService.Alive ? T("status.cluster.silent")
                : row.Role == NodeBeatService.Leader ? T("status.cluster.leader")
                : T("status.cluster.standby");
            stdout.WriteLine(T("status.cluster.node", row.NodeId, role, StatusCommand.Ago(age, language), row.NodeId == node ? T("status.cluster.this") : ""));
        }

        var self = rows.FirstOrDefault(r => r.NodeId == node);
        if (self is null || now - self.LastBeat >= NodeBeatService.Alive || self.Role is not (NodeBeatService.Leader or NodeBeatService.Standby))
        {
            stderr.WriteLine("carebot: " + T("status.cluster.not_member", node, StatusCommand.Ago(NodeBeatService.Alive, language)));
            return StatusCommand.Unhealthy;
        }

        return StatusCommand.Healthy;
    }

    /// <summary>Where the database is, never a password.</summary>
    private static string SafeMask(string connectionString)
    {
        try
        {
            return CareBot.Storage.Postgres.PgCareDb.Mask(new NpgsqlConnectionStringBuilder(connectionString));
        }
        catch (ArgumentException)
        {
            return "";
        }
    }
}

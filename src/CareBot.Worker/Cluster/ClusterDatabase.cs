using System.Globalization;
using Npgsql;
using Quartz;

namespace CareBot.Worker.Cluster;

/// <summary>
/// The cluster's own tables beside CareBot's in the same PostgreSQL database: Quartz's schema (the <c>qrtz_</c> tables,
/// from the creation script embedded in the pinned Quartz assembly), <c>carebot_workers</c> (one row per node: role,
/// settings hash, last beat) and <c>carebot_plan_runs</c> (each scheduled planner run that has been done, by slot).
/// Made once per process, at first use, in one transaction behind an advisory lock, so nodes starting together never
/// race; every statement only creates what is missing, so it is safe to run again.
/// </summary>
public sealed class ClusterDatabase : IDisposable
{
    /// <summary>Quartz's prefix (its default).</summary>
    public const string QuartzPrefix = "qrtz_";

    /// <summary>The Quartz scheduler name every node shares (the <c>sched_name</c> of its rows).</summary>
    public const string SchedulerName = "CareBot";

    /// <summary>Advisory lock keys (each distinct from the storage provider's writers' lock).</summary>
    internal const long SchemaLock = 0x4361_7265_436C_01;
    internal const long LeaderLock = 0x4361_7265_436C_02;
    internal const long PlanLock = 0x4361_7265_436C_03;

    /// <summary>The script Quartz runs for itself under <c>SchemaProvisioning.CreateIfMissing</c>: guarded, create-only.</summary>
    internal const string QuartzScript = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    private const string Separator = "--;;";

    private static readonly string[] OwnTables =
    [
        """
        CREATE TABLE IF NOT EXISTS carebot_workers (
          node_id text PRIMARY KEY,
          host text NOT NULL,
          pid integer NOT NULL,
          role text NOT NULL,
          settings_hash text NOT NULL,
          started_at timestamptz NOT NULL,
          last_beat timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS carebot_plan_runs (
          slot text PRIMARY KEY,
          node_id text NOT NULL,
          done_at timestamptz NOT NULL
        )
        """,
    ];

    private readonly Lock _gate = new();
    private NpgsqlDataSource? _data;

    public ClusterDatabase(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>
    /// Pooled connections to the database, the schema made on first use. A failure (the server out of reach at start)
    /// is thrown to this caller and tried again by the next: nothing is cached but success.
    /// </summary>
    public NpgsqlDataSource Data
    {
        get
        {
            lock (_gate)
            {
                if (_data is not null)
                {
                    return _data;
                }

                var data = NpgsqlDataSource.Create(ConnectionString);
                try
                {
                    EnsureSchema(data);
                }
                catch
                {
                    data.Dispose();
                    throw;
                }

                return _data = data;
            }
        }
    }

    /// <summary>
    /// A connection of its own, outside the pool, for a session-level advisory lock: the server drops it (and the lock)
    /// when the process dies, and notices a host that went away within seconds (TCP keepalives).
    /// </summary>
    public NpgsqlConnection OpenDedicated()
    {
        _ = Data; // the schema first
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Pooling = false,
            CommandTimeout = 5,
            Timeout = 5,
        };
        builder.Options = ((builder.Options ?? "") + " -c tcp_keepalives_idle=3 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3").Trim();
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Quartz's creation script, with its prefix placeholders filled, statement by statement.</summary>
    internal static IEnumerable<string> QuartzStatements()
    {
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(QuartzScript)
            ?? throw new InvalidOperationException($"The Quartz assembly has no {QuartzScript}");
        using var reader = new StreamReader(stream);
        var script = reader.ReadToEnd();
        // Statements are separated by a line reading exactly "--;;" (the header mentions the separator in a sentence).
        foreach (var piece in System.Text.RegularExpressions.Regex.Split(script, "^" + Separator + @"\s*$", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            var sql = string.Format(CultureInfo.InvariantCulture, piece, QuartzPrefix, QuartzPrefix);
            if (sql.Split('\n').Any(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal) && l.Trim().Length > 0))
            {
                yield return sql;
            }
        }
    }

    private static void EnsureSchema(NpgsqlDataSource data)
    {
        // DDL of nodes starting together (this schema under its lock, CareBot's own beside it) can meet in the
        // server's catalog locks: the server then aborts one transaction as a deadlock, which is safe to run again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                EnsureSchemaOnce(data);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(100 * attempt));
            }
        }
    }

    private static void EnsureSchemaOnce(NpgsqlDataSource data)
    {
        // The lock, Quartz's script and CareBot's tables in one round trip (a batch of statements, in order): this is on
        // the way to the first poll of a starting node (the leader lease needs it).
        using var connection = data.OpenConnection();
        using var tx = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({SchemaLock})")));
        foreach (var statement in QuartzStatements())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }

        foreach (var statement in OwnTables)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }

        batch.ExecuteNonQuery();
        tx.Commit();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _data?.Dispose();
            _data = null;
        }
    }
}

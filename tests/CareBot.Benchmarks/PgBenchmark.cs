using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace CareBot.Benchmarks;

/// <summary>The benchmark cannot run as asked (one line for stderr, exit code 2).</summary>
public sealed class BenchmarkSetupException(string message) : Exception(message);

/// <summary>
/// <c>--provider postgres</c>: the scenarios against PostgreSQL (PgCareDb), each against plain Npgsql on the same
/// documents (<c>pg_*</c> figures). The connection string comes from <c>Storage__ConnectionString</c> (or
/// <see cref="BenchmarkOptions.ConnectionString"/>); the county is seeded into that database once.
/// </summary>
internal static class PgBenchmark
{
    public const string ConnectionVariable = "Storage__ConnectionString";

    public static async Task RunAsync(BenchmarkOptions options, BenchmarkFigures f, TextWriter log, CancellationToken ct)
    {
        var cs = options.PostgresConnection(Environment.GetEnvironmentVariable);
        if (options.Runs("cluster"))
        {
            await ClusterAsync(cs, f, log, ct).ConfigureAwait(false);
            if (options.Scenario == "cluster")
            {
                return;
            }
        }

        var sw = Stopwatch.StartNew();
        var last = PgCounty.Prepare(cs, options.Children, options.Months, log);
        f.Set("pg_seed_s", sw.Elapsed.TotalSeconds);
        f.Set("pg_children", options.Children);
        if (options.Runs("compose"))
        {
            Compose(cs, last, f, log);
        }

        if (options.Runs("ingest"))
        {
            PgCounty.Reset(cs, last);
            PgIngestBenchmark.Run(options, cs, last, f, log);
        }

        if (options.Runs("plan-latency"))
        {
            PgCounty.Reset(cs, last);
            using var db = new PgCareDb(cs);
            var (_, outbox, processor) = IngestBenchmark.ChatCore(db);
            var planned = 0;
            ChatLatency.During("plan", db, processor, County.MentorCount(options.Children), () => planned = new WeeklyUpdatePlanner(db, outbox).Plan(County.Today).Planned, f, log, "pg_");
            f.Set("pg_plan_latency_planned", planned);
        }

        if (options.Runs("startup") && options.Startup)
        {
            PgCounty.Reset(cs, last);
            await StartupAsync(options, cs, f, log, ct).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- cluster

    /// <summary>Issue 22's kill test (<see cref="ClusterKillScenario"/>) on a new database of the same server, dropped after.</summary>
    private static async Task ClusterAsync(string cs, BenchmarkFigures f, TextWriter log, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(cs) { Database = "postgres", Pooling = false };
        var target = new NpgsqlConnectionStringBuilder(cs) { Database = "carebot_cluster_" + Guid.NewGuid().ToString("N")[..8] };
        await AdminAsync(admin.ConnectionString, $"CREATE DATABASE {target.Database}", ct).ConfigureAwait(false);
        try
        {
            var options = new ClusterKillOptions();
            var result = await ClusterKillScenario.RunAsync(target.ConnectionString, options, log, ct).ConfigureAwait(false);
            log.WriteLine("cluster: " + ClusterKillScenario.Describe(result, options));
            ClusterKillScenario.Record(result, options, f);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {target.Database} WITH (FORCE)", ct).ConfigureAwait(false);
        }
    }

    private static async Task AdminAsync(string cs, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- compose

    private static void Compose(string cs, long last, BenchmarkFigures f, TextWriter log)
    {
        var date = County.Today;
        using var data = NpgsqlDataSource.Create(cs);
        using var db = new PgCareDb(cs);

        // Warm both sides (server cache, JIT of the planner and of Npgsql): a raw pass and a whole plan of the week
        // before, whose rows are then deleted.
        PgCounty.RawReads(data, date);
        new WeeklyUpdatePlanner(db, new OutboxStore(db, TimeProvider.System)).Plan(date.AddDays(-7));
        PgCounty.Reset(cs, last);

        var planner = new WeeklyUpdatePlanner(db, new OutboxStore(db, TimeProvider.System));
        var sw = Stopwatch.StartNew();
        var result = planner.Plan(date);
        var planS = sw.Elapsed.TotalSeconds;

        // The same outbox rows, as the planner stored them, under keys of their own (not timed).
        var rows = new List<string>(result.Added);
        using (var connection = data.OpenConnection())
        using (var command = new NpgsqlCommand("SELECT doc::text FROM outbox WHERE doc->>'Kind' = 'WeeklyUpdate' ORDER BY id", connection))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var doc = JsonNode.Parse(reader.GetString(0))!;
                doc["Key"] = "raw:" + (string)doc["Key"]!;
                doc["Id"] = 0;
                rows.Add(doc.ToJsonString());
            }
        }

        sw.Restart();
        var docs = PgCounty.RawReads(data, date);
        var readS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        RawInserts(data, rows, planner.BatchSize);
        var writeS = sw.Elapsed.TotalSeconds;
        var rawS = readS + writeS;
        var written = PgCounty.Scalar(cs, "SELECT count(*) FROM outbox WHERE doc->>'Key' LIKE 'raw:%'");
        log.WriteLine($"pg compose: Plan {result.Week}: {result.Planned:N0} planned, {result.Added:N0} new in {planS:F2} s; plain Npgsql: read {docs:N0} docs {readS:F2} s + insert {written:N0} outbox rows ({planner.BatchSize} a transaction) {writeS:F2} s = {rawS:F2} s; ratio {planS / rawS:F2}");
        f.Set("pg_compose_s", planS);
        f.Set("pg_compose_planned", result.Planned);
        f.Set("pg_compose_added", result.Added);
        f.Set("pg_compose_raw_read_s", readS);
        f.Set("pg_compose_raw_write_s", writeS);
        f.Set("pg_compose_raw_written", written);
        f.Set("pg_compose_raw_s", rawS);
        f.Set("pg_compose_vs_read_write", planS / rawS);
    }

    /// <summary>The rows inserted with NpgsqlCommand, one statement a row, <paramref name="perTransaction"/> rows a durable transaction.</summary>
    private static void RawInserts(NpgsqlDataSource data, List<string> rows, int perTransaction)
    {
        using var connection = data.OpenConnection();
        foreach (var chunk in rows.Chunk(perTransaction))
        {
            using var tx = connection.BeginTransaction();
            foreach (var row in chunk)
            {
                using var insert = new NpgsqlCommand(
                    "INSERT INTO outbox (id, doc) SELECT n, jsonb_set(@doc, '{Id}', to_jsonb(n)) FROM nextval('outbox_id_seq') n", connection, tx);
                insert.Parameters.Add(new NpgsqlParameter("doc", NpgsqlDbType.Jsonb) { Value = row });
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    // ---------------------------------------------------------------- startup

    private static async Task StartupAsync(BenchmarkOptions options, string cs, BenchmarkFigures f, TextWriter log, CancellationToken ct)
    {
        var dll = BenchmarkRunner.WorkerDll();
        var open = Stopwatch.StartNew();
        using (var probe = new PgCareDb(cs))
        {
            _ = probe.Read(tx => tx.State.FindById(CareBot.Worker.Telegram.TelegramPoller.Channel.OffsetKey));
        }

        var openS = open.Elapsed.TotalSeconds;
        NpgsqlConnection.ClearAllPools();
        log.WriteLine($"pg startup: opening PgCareDb on the {options.Children:N0}-child database in-process (schema check + offset read) took {openS:F2} s");
        f.Set("pg_startup_db_open_s", openS);
        var settings = new Dictionary<string, string>
        {
            ["Storage__Provider"] = CareBot.Core.StorageOptions.PostgreSQL,
            [ConnectionVariable] = cs,
            // Only for the worker's files beside the database (its heartbeat); the data is on the server.
            ["Storage__DatabasePath"] = Path.Combine(options.TempRoot, "pg-startup", "carebot.db"),
        };
        Directory.CreateDirectory(Path.Combine(options.TempRoot, "pg-startup"));
        var first = await BenchmarkRunner.MeasureStartAsync("pg first start", dll, settings, options.Children, options, log, ct).ConfigureAwait(false);
        var again = await BenchmarkRunner.MeasureStartAsync("pg next start", dll, settings, options.Children, options, log, ct).ConfigureAwait(false);
        f.Set("pg_startup_first_s", first ?? double.NaN);
        f.Set("pg_startup_children", PgCounty.Scalar(cs, "SELECT count(*) FROM children"));
        f.Set("pg_startup_s", again ?? double.NaN);
    }
}


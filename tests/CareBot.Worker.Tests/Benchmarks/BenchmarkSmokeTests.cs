using CareBot.Benchmarks;
using CareBot.Tests.Shared;

namespace CareBot.Worker.Tests.Benchmarks;

/// <summary>
/// The benchmark harness at tiny sizes: every scenario runs, measures what it says (the counts asked for, each reply
/// measured saved), and its figures are present, finite and sane; the goals a tiny run can meet are met.
/// </summary>
public sealed class BenchmarkSmokeTests : IDisposable
{
    private const int Children = 60;
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "carebot-bench-smoke-" + Guid.NewGuid().ToString("N"));

    /// <summary>Each scenario's figures; a scenario that silently ran nothing misses its keys.</summary>
    private static readonly Dictionary<string, string[]> Keys = new()
    {
        ["compose"] = ["compose_s", "compose_raw_s", "compose_ratio", "compose_insert_only_s", "compose_planned", "compose_peak_mb", "compose_managed_peak_mb"],
        ["ingest"] = ["ingest_s", "ingest_rate", "ingest_ratio", "ingest_p50_ms", "ingest_p99_ms", "ingest_durable_rate", "ingest_durable_ratio", "ingest_group_ratio", "ingest_stored", "ingest_replies"],
        ["plan-latency"] = ["plan_latency_plan_s", "plan_latency_planned", "reply_count_during_plan", "reply_saved_during_plan", "reply_p50_during_plan_s", "reply_p99_during_plan_s"],
        ["backup-latency"] = ["backup_latency_backup_s", "backup_mb", "backup_children", "reply_count_during_backup", "reply_saved_during_backup", "reply_p50_during_backup_s", "reply_p99_during_backup_s"],
        ["dispatch"] = ["dispatch_s", "dispatch_sent", "dispatch_rate", "dispatch_rate_ratio", "dispatch_send_ms_per_call"],
        ["startup"] = ["startup_db_open_s", "startup_first_s", "startup_s", "startup_children"],
    };

    /// <summary>The PostgreSQL figures (<c>--provider postgres</c>); a scenario that silently ran nothing misses its keys.</summary>
    private static readonly string[] PgKeys =
    [
        "pg_seed_s", "pg_compose_s", "pg_compose_planned", "pg_compose_added", "pg_compose_raw_read_s", "pg_compose_raw_write_s",
        "pg_compose_raw_written", "pg_compose_raw_s", "pg_compose_vs_read_write",
        "pg_ingest_durable_s", "pg_ingest_durable_rate", "pg_ingest_durable_raw_s", "pg_ingest_durable_ratio", "pg_ingest_durable_p50_ms", "pg_ingest_durable_p99_ms",
        "pg_ingest_group_s", "pg_ingest_group_raw_s", "pg_ingest_group_ratio", "pg_ingest_stored", "pg_ingest_replies",
        "pg_plan_latency_plan_s", "pg_plan_latency_planned", "pg_reply_count_during_plan", "pg_reply_saved_during_plan", "pg_reply_p50_during_plan_s", "pg_reply_p99_during_plan_s",
        "pg_startup_db_open_s", "pg_startup_first_s", "pg_startup_s", "pg_startup_children",
    ];

    [Fact]
    public async Task Tiny_postgres_run_measures_every_pg_figure_against_plain_npgsql_with_the_counts_asked_for()
    {
        var connection = PgServer.CreateDatabase();
        try
        {
            var options = new BenchmarkOptions
            {
                Provider = BenchmarkOptions.Postgres,
                ConnectionString = connection,
                Children = Children,
                Months = 2,
                IngestUpdates = 120,
                StartupLinger = TimeSpan.FromMilliseconds(300),
                TempRoot = _temp,
            };
            using var log = new StringWriter();

            var figures = await BenchmarkRunner.RunAsync(options, log);
            string Why(string key) => $"{key} = {(figures.Has(key) ? figures[key] : "missing")}\n{log}";

            foreach (var key in PgKeys)
            {
                Assert.True(figures.Has(key), $"{key} missing\n{log}");
                Assert.True(double.IsFinite(figures[key]) && figures[key] > 0, Why(key));
            }

            // Only PostgreSQL ran: no LiteDB figure beside the pg_* ones.
            Assert.DoesNotContain(figures.Items, p => p.Key.StartsWith("compose_", StringComparison.Ordinal) || p.Key.StartsWith("ingest_", StringComparison.Ordinal));

            // The counts asked for: 1.5 parents a child, the same rows written by plain Npgsql, 120 updates per run, the whole county at start.
            Assert.Equal(Children * 3 / 2, figures["pg_compose_planned"]);
            Assert.Equal(Children * 3 / 2, figures["pg_compose_added"]);
            Assert.Equal(Children * 3 / 2, figures["pg_compose_raw_written"]);
            Assert.Equal(Children * 3 / 2, figures["pg_plan_latency_planned"]);
            Assert.Equal(120, figures["pg_ingest_stored"]);
            Assert.Equal(120, figures["pg_ingest_replies"]);
            Assert.Equal(Children, figures["pg_startup_children"]);
            Assert.Equal(figures["pg_reply_count_during_plan"], figures["pg_reply_saved_during_plan"]);
            Assert.True(figures["pg_ingest_durable_p99_ms"] >= figures["pg_ingest_durable_p50_ms"], Why("pg_ingest_durable_p99_ms"));
            Assert.True(figures["pg_reply_p99_during_plan_s"] >= figures["pg_reply_p50_during_plan_s"], Why("pg_reply_p99_during_plan_s"));
            Assert.True(figures["pg_startup_s"] < 60, Why("pg_startup_s"));

            var json = System.Text.Json.JsonDocument.Parse(figures.ToJson());
            foreach (var key in PgKeys)
            {
                Assert.True(json.RootElement.TryGetProperty(key, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number, key);
            }
        }
        finally
        {
            PgServer.DropDatabase(connection);
        }
    }

    [Fact]
    public void Postgres_without_a_connection_string_fails_with_one_line_naming_the_variable()
    {
        var options = BenchmarkOptions.Parse(["compose", "--provider", "postgres"])!;

        var ex = Assert.Throws<BenchmarkSetupException>(() => options.PostgresConnection(_ => null));

        Assert.Contains("Storage__ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal("Host=h;Database=d", options.PostgresConnection(v => v == "Storage__ConnectionString" ? "Host=h;Database=d" : null));
        Assert.Null(BenchmarkOptions.Parse(["--provider", "oracle"]));
    }

    [Fact]
    public async Task Tiny_run_of_every_scenario_measures_what_was_asked_with_sane_figures()
    {
        var options = new BenchmarkOptions
        {
            Children = Children,
            Months = 2,
            DispatchMessages = 200,
            IngestUpdates = 200,
            StartupChildren = Children,
            StartupMonths = 1,
            StartupLinger = TimeSpan.FromMilliseconds(300),
            TempRoot = _temp,
        };
        using var log = new StringWriter();

        var figures = await BenchmarkRunner.RunAsync(options, log);
        string Why(string key) => $"{key} = {(figures.Has(key) ? figures[key] : "missing")}\n{log}";

        foreach (var (scenario, keys) in Keys)
        {
            foreach (var key in keys)
            {
                Assert.True(figures.Has(key), $"{scenario}: {key} missing\n{log}");
                Assert.True(double.IsFinite(figures[key]) && figures[key] > 0, $"{scenario}: {Why(key)}");
            }
        }

        // Every figure is a number that means something (no NaN from a start that never came, no negative time).
        foreach (var (key, _) in figures.Items)
        {
            Assert.True(double.IsFinite(figures[key]) && figures[key] >= 0, Why(key));
        }

        // The counts asked for: 1.5 parents a child, 200 updates and messages, the whole county in the backup.
        Assert.Equal(Children * 3 / 2, figures["compose_planned"]);
        Assert.Equal(Children * 3 / 2, figures["plan_latency_planned"]);
        Assert.Equal(200, figures["ingest_stored"]);
        Assert.Equal(200, figures["ingest_replies"]);
        Assert.Equal(200, figures["dispatch_sent"]);
        Assert.Equal(0, figures["dispatch_429"]);
        Assert.Equal(Children, figures["backup_children"]);
        Assert.Equal(Children, figures["startup_children"]);

        // Each reply measured beside the planner and the backup was a visit saved, not a refusal.
        Assert.Equal(figures["reply_count_during_plan"], figures["reply_saved_during_plan"]);
        Assert.Equal(figures["reply_count_during_backup"], figures["reply_saved_during_backup"]);

        // Percentiles in order, ratios in range, and the goals a tiny county meets with room to spare.
        Assert.True(figures["ingest_p99_ms"] >= figures["ingest_p50_ms"], Why("ingest_p99_ms"));
        Assert.True(figures["reply_p99_during_plan_s"] >= figures["reply_p50_during_plan_s"], Why("reply_p99_during_plan_s"));
        Assert.True(figures["reply_p99_during_backup_s"] >= figures["reply_p50_during_backup_s"], Why("reply_p99_during_backup_s"));
        Assert.InRange(figures["dispatch_rate_ratio"], 0.05, 1.05);
        Assert.True(figures["reply_p99_during_plan_s"] <= 1, Why("reply_p99_during_plan_s"));
        Assert.True(figures["reply_p99_during_backup_s"] <= 1, Why("reply_p99_during_backup_s"));
        Assert.True(figures["startup_s"] < 60, Why("startup_s"));

        var json = System.Text.Json.JsonDocument.Parse(figures.ToJson());
        foreach (var key in Keys.Values.SelectMany(k => k))
        {
            Assert.True(json.RootElement.TryGetProperty(key, out _), key);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

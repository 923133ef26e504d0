using CareBot.Benchmarks;

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

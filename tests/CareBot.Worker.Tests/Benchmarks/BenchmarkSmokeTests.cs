using CareBot.Benchmarks;

namespace CareBot.Worker.Tests.Benchmarks;

/// <summary>The benchmark harness at tiny sizes: every scenario runs and its figures are present and sane.</summary>
public sealed class BenchmarkSmokeTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "carebot-bench-smoke-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Tiny_run_of_every_scenario_gives_sane_figures()
    {
        var options = new BenchmarkOptions
        {
            Children = 60,
            Months = 2,
            DispatchMessages = 200,
            IngestUpdates = 200,
            StartupChildren = 60,
            StartupMonths = 1,
            StartupLinger = TimeSpan.FromMilliseconds(300),
            TempRoot = _temp,
        };
        using var log = new StringWriter();

        var figures = await BenchmarkRunner.RunAsync(options, log);

        foreach (var key in new[] { "compose_s", "compose_raw_s", "compose_ratio", "compose_peak_mb", "dispatch_rate", "dispatch_rate_ratio", "ingest_rate", "ingest_ratio", "ingest_p50_ms", "ingest_p99_ms", "ingest_durable_ratio", "ingest_durable_rate", "ingest_group_ratio", "reply_p99_during_plan_s", "startup_s" })
        {
            Assert.True(figures.Has(key), $"{key} missing\n{log}");
            Assert.True(double.IsFinite(figures[key]) && figures[key] > 0, $"{key} = {figures[key]}\n{log}");
        }

        Assert.Equal(90, figures["compose_planned"]);
        Assert.Equal(200, figures["dispatch_sent"]);
        Assert.Equal(0, figures["dispatch_429"]);
        Assert.Equal(200, figures["ingest_stored"]);
        Assert.True(figures["reply_count_during_plan"] >= 1, log.ToString());
        Assert.InRange(figures["dispatch_rate_ratio"], 0.05, 1.05);
        Assert.True(figures["ingest_p99_ms"] >= figures["ingest_p50_ms"]);
        Assert.True(figures["startup_s"] < 60, log.ToString());

        var json = System.Text.Json.JsonDocument.Parse(figures.ToJson());
        foreach (var key in new[] { "compose_ratio", "compose_peak_mb", "dispatch_rate_ratio", "dispatch_429", "ingest_ratio", "ingest_p99_ms", "startup_s" })
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

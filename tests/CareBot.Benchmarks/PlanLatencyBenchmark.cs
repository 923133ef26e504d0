using CareBot.Storage.LiteDb;
using CareBot.Core.Planning;
using CareBot.Core.Storage;

namespace CareBot.Benchmarks;

/// <summary>
/// <c>reply_p99_during_plan_s</c>: the chat's answer time (<see cref="ChatLatency"/>) while the weekly planner runs
/// over the county (in slices). Also <c>plan_latency_plan_s</c> and <c>plan_latency_planned</c>.
/// </summary>
internal static class PlanLatencyBenchmark
{
    public static void Run(BenchmarkOptions options, string cached, BenchmarkFigures f, TextWriter log)
    {
        var work = County.WorkCopy(cached, $"plan-latency-{options.Children}.db");
        using var db = new LiteCareDb(work);
        var (_, outbox, processor) = IngestBenchmark.ChatCore(db);
        var planned = 0;
        ChatLatency.During("plan", db, processor, County.MentorCount(options.Children), () => planned = new WeeklyUpdatePlanner(db, outbox).Plan(County.Today).Planned, f, log);
        f.Set("plan_latency_planned", planned);
    }
}

/// <summary>
/// <c>reply_p99_during_backup_s</c>: the chat's answer time (<see cref="ChatLatency"/>) while <c>carebot backup</c>
/// copies the county's database beside it. Also <c>backup_latency_backup_s</c>, <c>backup_mb</c> (the copy's size)
/// and <c>backup_children</c> (children in the copy, read back from it).
/// </summary>
internal static class BackupLatencyBenchmark
{
    public static void Run(BenchmarkOptions options, string cached, BenchmarkFigures f, TextWriter log)
    {
        var work = County.WorkCopy(cached, $"backup-latency-{options.Children}.db");
        var copy = Path.Combine(Path.GetDirectoryName(work)!, $"backup-latency-{options.Children}.copy.db");
        File.Delete(copy);
        using (var db = new LiteCareDb(work))
        {
            var (_, _, processor) = IngestBenchmark.ChatCore(db);
            var counts = new Dictionary<string, int>();
            ChatLatency.During("backup", db, processor, County.MentorCount(options.Children), () => counts = new(DatabaseBackup.Write(db, copy)), f, log);
            f.Set("backup_mb", new FileInfo(copy).Length / 1048576.0);
            f.Set("backup_children", counts.GetValueOrDefault("children"));
        }

        File.Delete(copy);
    }
}

using System.Diagnostics;
using CareBot.Core.Chat;
using CareBot.Core.Planning;
using CareBot.Core.Storage;

namespace CareBot.Benchmarks;

/// <summary>
/// <c>reply_p99_during_plan_s</c>: while the weekly planner runs over the county (in slices), a mentor's /visit is
/// handled every 20 ms on another thread as the poller does (handle, commit, sync); each is timed from the moment it
/// is sent until its reply row is committed and synced.
/// </summary>
internal static class PlanLatencyBenchmark
{
    public static void Run(BenchmarkOptions options, string cached, BenchmarkFigures f, TextWriter log)
    {
        var work = County.WorkCopy(cached, $"plan-latency-{options.Children}.db");
        using var db = new CareDb(work);
        var (_, outbox, processor) = IngestBenchmark.ChatCore(db);
        var mentors = County.MentorCount(options.Children);

        var latencies = new List<double>();
        using var done = new CancellationTokenSource();
        var chat = new Thread(() =>
        {
            var id = 700_000_000L;
            while (!done.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                var m = (int)(id % mentors) + 1;
                _ = processor.Process(new IncomingMessage(id++, County.MentorChat(m), ChatKind.Private, IncomingKind.Text, "/visit 1 规划期间的家访"));
                db.Sync();
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
                Thread.Sleep(20);
            }
        }) { IsBackground = true, Name = "chat" };

        var sw = Stopwatch.StartNew();
        chat.Start();
        var result = new WeeklyUpdatePlanner(db, outbox).Plan(County.Today);
        var planS = sw.Elapsed.TotalSeconds;
        done.Cancel();
        chat.Join();

        var sorted = latencies.Order().ToArray();
        var p99 = BenchmarkRunner.Pct(sorted, 0.99);
        log.WriteLine($"plan-latency: plan of {result.Planned:N0} updates took {planS:F2} s; {sorted.Length} mentor replies meanwhile, p50 {BenchmarkRunner.Pct(sorted, 0.5):F3} s, p99 {p99:F3} s, max {sorted.LastOrDefault():F3} s");
        f.Set("plan_latency_plan_s", planS);
        f.Set("reply_count_during_plan", sorted.Length);
        f.Set("reply_p50_during_plan_s", BenchmarkRunner.Pct(sorted, 0.5));
        f.Set("reply_p99_during_plan_s", p99);
        f.Set("reply_max_during_plan_s", sorted.LastOrDefault());
    }
}

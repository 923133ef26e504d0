using CareBot.Worker.Telegram;
using System.Diagnostics;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Benchmarks;

/// <summary>
/// The chat's answer time while something long runs beside it (<c>reply_*_during_{what}</c>): a mentor's /visit every
/// 20 ms on another thread as the poller does (handle, commit, sync), each timed from the moment it is sent until its
/// reply row is committed and synced. The visits must be saved (<c>reply_saved_during_{what}</c> equals
/// <c>reply_count_during_{what}</c>): a run whose visits were refused measured nothing.
/// </summary>
internal static class ChatLatency
{
    public static void During(string what, CareDb db, UpdateProcessor processor, int mentors, Action work, BenchmarkFigures f, TextWriter log, string prefix = "")
    {
        var note = $"{what} 期间的家访";
        var before = Saved(db, note);
        var latencies = new List<double>();
        using var done = new CancellationTokenSource();
        using var first = new ManualResetEventSlim();
        var chat = new Thread(() =>
        {
            var id = 700_000_000L;
            while (!done.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                var m = (int)(id % mentors) + 1;
                first.Set();
                _ = processor.Process(new IncomingMessage(id++, TelegramChat.Address(County.MentorChat(m)), ChatKind.Private, IncomingKind.Text, "/visit 1 " + note));
                db.Sync();
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
                Thread.Sleep(20);
            }
        }) { IsBackground = true, Name = "chat" };

        var sw = Stopwatch.StartNew();
        chat.Start();
        try
        {
            // The work starts once the first /visit is on its way: even a tiny run measures at least one reply.
            first.Wait();
            work();
        }
        finally
        {
            done.Cancel();
            chat.Join();
        }

        var workS = sw.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        var saved = Saved(db, note) - before;
        var p50 = BenchmarkRunner.Pct(sorted, 0.5);
        var p99 = BenchmarkRunner.Pct(sorted, 0.99);
        log.WriteLine($"{prefix}{what}-latency: {what} took {workS:F2} s; {sorted.Length} mentor replies meanwhile ({saved} visits saved), p50 {p50:F3} s, p99 {p99:F3} s, max {sorted.LastOrDefault():F3} s");
        f.Set($"{prefix}{what}_latency_{what}_s", workS);
        f.Set($"{prefix}reply_count_during_{what}", sorted.Length);
        f.Set($"{prefix}reply_saved_during_{what}", saved);
        f.Set($"{prefix}reply_p50_during_{what}_s", p50);
        f.Set($"{prefix}reply_p99_during_{what}_s", p99);
        f.Set($"{prefix}reply_max_during_{what}_s", sorted.LastOrDefault());
    }

    private static int Saved(CareDb db, string note) => db.Read(tx => tx.Records.Count(r => r.Kind == CareKind.Visit && r.Text == note));
}

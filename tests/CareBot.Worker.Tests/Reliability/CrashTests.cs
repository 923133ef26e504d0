using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>
/// The worker as a real process, killed with SIGKILL at random moments: the outbox and the update log must lose
/// nothing, a broadcast may duplicate at most one in-flight message per kill, and an update is applied once.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kills_during_a_weekly_broadcast_lose_nothing_and_duplicate_at_most_once_per_kill()
    {
        const int parents = 2_000;
        const int kills = 10;
        var clock = Stopwatch.StartNew();
        var random = new Random(4711);
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { GlobalPerSecond = 400 });
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            var planned = ReliabilitySeed.ParentsWithWeeklyUpdates(dbPath, server, parents);
            Assert.Equal(parents, planned);
            var env = WorkerProcess.WorkerSettings(server, dbPath);

            var killed = 0;
            var killedAt = new List<int>();
            for (var k = 0; k < kills; k++)
            {
                using var worker = WorkerProcess.Start(env, "run");
                await worker.WaitUntilPollingAsync(server, StartTimeout);
                var target = server.Stats.SendMessageAccepted + random.Next(20, 150);
                await WaitAsync(() => server.Stats.SendMessageAccepted >= target || worker.HasExited, TimeSpan.FromSeconds(60), "sending");
                Assert.False(worker.HasExited, "the worker exited on its own: " + worker.StdErr);
                worker.Kill();
                killed++;
                killedAt.Add(server.Stats.SendMessageAccepted);
            }

            using (var last = WorkerProcess.Start(env, "run"))
            {
                await last.WaitUntilPollingAsync(server, StartTimeout);
                await WaitAsync(() => Enumerable.Range(1, parents).All(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count > 0), TimeSpan.FromSeconds(90), "every parent served");
                var code = await last.StopAsync();
                Assert.True(code == 0, $"exit code {code} after SIGTERM: {last.StdErr}");
                Assert.DoesNotContain("Unhandled exception", last.StdErr, StringComparison.Ordinal);
            }

            var counts = Enumerable.Range(1, parents).Select(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count).ToList();
            var duplicates = counts.Sum(c => c - 1);
            using (var db = new LiteCareDb(dbPath))
            {
                var rows = db.Read(tx => tx.Outbox.FindAll().ToList());
                Assert.Equal(parents, rows.Count);
                Assert.All(rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
            }

            output.WriteLine($"parents {parents}, kills survived {killed} (at accepted counts {string.Join(", ", killedAt)}), messages accepted {server.Stats.SendMessageAccepted}, parents with ≥1 update {counts.Count(c => c > 0)}, duplicates {duplicates}, {clock.Elapsed.TotalSeconds:F1} s");
            Assert.All(counts, c => Assert.True(c >= 1));
            Assert.True(duplicates <= killed, $"{duplicates} duplicates after {killed} kills");
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Kills_while_mentor_replies_arrive_store_each_reply_exactly_once()
    {
        const int mentors = 200;
        const int notes = 2_000;
        const int kills = 10;
        var clock = Stopwatch.StartNew();
        var random = new Random(1729);
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { GlobalPerSecond = 400 });
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            ReliabilitySeed.Mentors(dbPath, server, mentors);
            var env = WorkerProcess.WorkerSettings(server, dbPath);
            var sent = 0;
            var perRound = notes / kills;
            var pendingAtKill = new List<int>();

            // Users keep writing while the worker is up, down and starting again.
            for (var k = 0; k < kills; k++)
            {
                using var worker = WorkerProcess.Start(env, "run");
                await worker.WaitUntilPollingAsync(server, StartTimeout);

                // Mentors write steadily (about 1 s per round); the kill comes while they are still writing, and the
                // rest of the round arrives while the worker is down.
                var writer = Task.Run(async () =>
                {
                    for (var j = 0; j < perRound; j++)
                    {
                        var i = Interlocked.Increment(ref sent) - 1;
                        server.UserSends(ReliabilitySeed.MentorChatBase + 1 + (i % mentors), $"/visit 1 note-{i}");
                        if (j % 4 == 3)
                        {
                            await Task.Delay(15);
                        }
                    }
                });
                await Task.Delay(random.Next(50, 600));
                Assert.False(worker.HasExited, "the worker exited on its own: " + worker.StdErr);
                pendingAtKill.Add(server.Telegram.PendingUpdateCount);
                worker.Kill();
                await writer;
            }

            Assert.Equal(notes, sent);
            using (var last = WorkerProcess.Start(env, "run"))
            {
                await last.WaitUntilPollingAsync(server, StartTimeout);
                await WaitAsync(() => server.Telegram.PendingUpdateCount == 0, TimeSpan.FromSeconds(90), "all updates confirmed");
                var code = await last.StopAsync();
                Assert.True(code == 0, $"exit code {code} after SIGTERM: {last.StdErr}");
            }

            using var db = new LiteCareDb(dbPath);
            var stored = db.Read(tx => tx.Records.FindAll().Where(r => r.Kind == CareKind.Visit).GroupBy(r => r.Text).ToDictionary(g => g.Key, g => g.Count()));
            var missing = Enumerable.Range(0, notes).Count(i => !stored.ContainsKey($"note-{i}"));
            var twice = stored.Count(p => p.Value > 1);
            output.WriteLine($"notes sent {notes} by {mentors} mentors, kills survived {kills} (unconfirmed updates at each kill: {string.Join(", ", pendingAtKill)}), distinct notes stored {stored.Count}, missing {missing}, stored more than once {twice}, updates processed {db.Read(tx => tx.Updates.Count())}, {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(0, missing);
            Assert.Equal(0, twice);
            Assert.Equal(notes, stored.Count);
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }

    internal static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) => Poll.UntilAsync(condition, timeout, what);
}

/// <summary>
/// Tests that must run alone in this process: a host's log sinks are Serilog's static logger (<c>HotReloadTests</c>),
/// and the timings the cluster's process tests hold (failover, send rate, a graceful stop's hand-over).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability (real processes)";
}

/// <summary>
/// Tests of real worker processes that kill, crash or read them, one at a time, beside the in-process tests: they
/// check what is stored and said, not how fast, and each process has its own folder, database and Bot API server.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "Real worker processes, one at a time";
}

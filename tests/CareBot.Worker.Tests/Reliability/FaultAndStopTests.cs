using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>The worker process against a misbehaving Bot API server, and its graceful stop on SIGTERM.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FaultAndStopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_faulty_server_still_delivers_every_deliverable_message()
    {
        const int parents = 300;
        const int mentors = 30;
        const int repliesPerMentor = 3;
        var clock = Stopwatch.StartNew();
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions
        {
            GlobalPerSecond = 400,
            Fault429Rate = 0.10,
            Fault5xxRate = 0.05,
            SlowRate = 0.02,
            SlowDelay = TimeSpan.FromSeconds(3),
        });
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            Assert.Equal(parents, ReliabilitySeed.ParentsWithWeeklyUpdates(dbPath, server, parents, mentors));
            var blocked = Enumerable.Range(1, parents).Where(i => i % 30 == 7).ToHashSet();
            foreach (var i in blocked)
            {
                server.Block(ReliabilitySeed.ParentChatBase + i);
            }

            var env = WorkerProcess.WorkerSettings(server, dbPath);
            env["Delivery__SendTimeoutSeconds"] = "2";
            using var worker = WorkerProcess.Start(env, "run");
            await worker.WaitUntilPollingAsync(server, StartTimeout);
            for (var r = 0; r < repliesPerMentor; r++)
            {
                for (var m = 1; m <= mentors; m++)
                {
                    server.UserSends(ReliabilitySeed.MentorChatBase + m, $"/visit 1 reply-{m}-{r}");
                }
            }

            var deliverable = Enumerable.Range(1, parents).Where(i => !blocked.Contains(i)).ToList();
            await CrashTests.WaitAsync(
                () => worker.HasExited
                    || (deliverable.All(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count > 0)
                        && Enumerable.Range(1, mentors).All(m => server.MessagesTo(ReliabilitySeed.MentorChatBase + m).Count >= repliesPerMentor)
                        && RefusedChats(server).IsSupersetOf(blocked.Select(i => ReliabilitySeed.ParentChatBase + i))),
                TimeSpan.FromSeconds(120),
                "every deliverable message, and a 403 to every parent who blocked the bot");
            Assert.False(worker.HasExited, "the worker exited: " + worker.StdErr);

            // Every row has had its last answer from the server; what the worker has not recorded yet is in flight,
            // and a graceful stop lets that finish and records it.
            var code = await worker.StopAsync();
            Assert.True(code == 0, $"exit code {code} after SIGTERM: {worker.StdErr}");
            Assert.DoesNotContain("Unhandled exception", worker.StdErr, StringComparison.OrdinalIgnoreCase);

            var stats = server.Stats;
            var parentDuplicates = deliverable.Sum(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count - 1);
            var mentorDuplicates = Enumerable.Range(1, mentors).Sum(m => server.MessagesTo(ReliabilitySeed.MentorChatBase + m).Count - repliesPerMentor);
            var toBlocked = blocked.Sum(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count);
            var duplicateBound = stats.Faults(FaultKind.Slow) + stats.DroppedButDelivered;
            using (var db = new LiteCareDb(dbPath))
            {
                foreach (var i in blocked)
                {
                    Assert.Equal(Reachability.Blocked, db.Read(tx => tx.People.FindById(i).Status));
                }

                var rows = db.Read(tx => tx.Outbox.FindAll().ToList());
                Assert.All(rows.Where(r => blocked.Contains(r.PersonId)), r => Assert.Equal(OutboxStatus.Unreachable, r.Status));
                Assert.All(rows.Where(r => !blocked.Contains(r.PersonId)), r => Assert.Equal(OutboxStatus.Sent, r.Status));
                Assert.Equal(mentors * repliesPerMentor, db.Read(tx => tx.Records.Count(r => r.Kind == CareKind.Visit)));
                output.WriteLine(
                    $"rows {rows.Count} ({rows.Count(r => r.Status == OutboxStatus.Sent)} sent, {rows.Count(r => r.Status == OutboxStatus.Unreachable)} unreachable); " +
                    $"sendMessage calls {stats.SendMessageCalls}, accepted {stats.SendMessageAccepted}, 429 {stats.Faults(FaultKind.TooManyRequests)}, 5xx {stats.Faults(FaultKind.ServerError)}, slow {stats.Faults(FaultKind.Slow)}; " +
                    $"duplicates parents {parentDuplicates}, mentors {mentorDuplicates} (bound {duplicateBound}); blocked {blocked.Count}; {clock.Elapsed.TotalSeconds:F1} s");
            }

            Assert.Equal(0, toBlocked);
            Assert.True(parentDuplicates + mentorDuplicates <= duplicateBound, $"{parentDuplicates + mentorDuplicates} duplicates, bound {duplicateBound}");
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }

    /// <summary>The chats the server has answered a sendMessage with 403 (bot blocked), by its call log.</summary>
    private static HashSet<long> RefusedChats(LocalBotApiServer server) =>
        [.. server.Telegram.Calls.Where(c => c.Is("sendMessage") && c.Status == 403 && c.ChatId is not null).Select(c => c.ChatId!.Value)];

    [Fact]
    public async Task Sigterm_mid_broadcast_exits_0_within_30s_and_loses_nothing()
    {
        const int parents = 1_000;
        var clock = Stopwatch.StartNew();
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { GlobalPerSecond = 400 });
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            Assert.Equal(parents, ReliabilitySeed.ParentsWithWeeklyUpdates(dbPath, server, parents));
            var env = WorkerProcess.WorkerSettings(server, dbPath);

            TimeSpan stopTook;
            int sentBeforeStop;
            using (var worker = WorkerProcess.Start(env, "run"))
            {
                await worker.WaitUntilPollingAsync(server, StartTimeout);
                await CrashTests.WaitAsync(() => server.Stats.SendMessageAccepted >= 200 || worker.HasExited, TimeSpan.FromSeconds(60), "sending");
                var stop = Stopwatch.StartNew();
                worker.Terminate();
                Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), "no exit within 30 s of SIGTERM");
                stopTook = stop.Elapsed;
                Assert.True(worker.ExitCode == 0, $"exit code {worker.ExitCode}: {worker.StdErr}");
                sentBeforeStop = server.Stats.SendMessageAccepted;
            }

            // The database is checkpointed and closed: no LiteDB log file is left. (carebot.db.lock stays by design:
            // it is the inter-process lock file, held only while a process has the database open.)
            var leftovers = Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => n is not ("carebot.db" or "carebot.db.lock")).ToList();
            int sentRows;
            using (var db = new LiteCareDb(dbPath))
            {
                sentRows = db.Read(tx => tx.Outbox.Count(r => r.Status == OutboxStatus.Sent));
                Assert.Equal(parents, db.Read(tx => tx.Outbox.Count()));
            }

            Assert.True(sentRows < parents, "the broadcast was over before the SIGTERM");
            Assert.Empty(leftovers);

            using (var again = WorkerProcess.Start(env, "run"))
            {
                await again.WaitUntilPollingAsync(server, StartTimeout);
                await CrashTests.WaitAsync(() => Enumerable.Range(1, parents).All(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count > 0), TimeSpan.FromSeconds(60), "every parent served");
                var code = await again.StopAsync();
                Assert.True(code == 0, $"exit code {code}: {again.StdErr}");
            }

            var counts = Enumerable.Range(1, parents).Select(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count).ToList();
            var duplicates = counts.Sum(c => c - 1);
            using (var db = new LiteCareDb(dbPath))
            {
                Assert.All(db.Read(tx => tx.Outbox.FindAll().ToList()), r => Assert.Equal(OutboxStatus.Sent, r.Status));
            }

            output.WriteLine($"SIGTERM after {sentBeforeStop} accepted, exit 0 in {stopTook.TotalSeconds:F1} s, rows Sent at stop {sentRows}/{parents}, files beside the db after stop: {leftovers.Count}; after restart every parent served, duplicates {duplicates}; {clock.Elapsed.TotalSeconds:F1} s");
            Assert.All(counts, c => Assert.True(c >= 1));
            Assert.True(duplicates == 0, $"{duplicates} duplicates after a graceful stop (the in-flight send must finish and be recorded)");
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }
}

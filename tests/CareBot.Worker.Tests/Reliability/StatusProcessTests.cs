using CareBot.Worker.Hosting;
using CareBot.LocalBotApi;

namespace CareBot.Worker.Tests.Reliability;

/// <summary><c>carebot status</c> as Docker's HEALTHCHECK runs it: a separate process beside the running worker.</summary>
[Collection(ProcessCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusProcessTests
{
    [Fact]
    public async Task Status_is_0_beside_a_running_worker_and_1_once_it_has_stopped_and_admin_verbs_reach_the_worker()
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            ReliabilitySeed.ParentsWithWeeklyUpdates(dbPath, server, 3);
            var env = WorkerProcess.WorkerSettings(server, dbPath);
            var file = WorkerStatus.PathFor(dbPath);
            using (var worker = WorkerProcess.Start(env, "run"))
            {
                await worker.WaitUntilPollingAsync(server, TimeSpan.FromSeconds(60));
                var polling = DateTime.UtcNow;
                await CrashTests.WaitAsync(() => File.Exists(file), TimeSpan.FromSeconds(30), "the heartbeat file");
                // The first beat is written at start, before the Bot API answered; the next one (every 15 s) knows it did.
                await CrashTests.WaitAsync(() => File.GetLastWriteTimeUtc(file) > polling, TimeSpan.FromSeconds(40), "a heartbeat after the first poll");
                Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(file));

                using var status = WorkerProcess.Start(env, "status", "--lang", "en");
                Assert.True(await status.WaitForExitAsync(TimeSpan.FromSeconds(30)), "status did not exit");
                Assert.True(status.ExitCode == 0, status.StdErr);
                var lines = status.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(5, lines.Length);
                Assert.StartsWith("last poll: ", lines[0], StringComparison.Ordinal);
                Assert.StartsWith("Bot API last answered: ", lines[1], StringComparison.Ordinal);
                Assert.StartsWith("outbox: ", lines[2], StringComparison.Ordinal);
                Assert.StartsWith("visit reminders: ", lines[3], StringComparison.Ordinal);
                Assert.StartsWith("weekly updates: ", lines[4], StringComparison.Ordinal);

                // An admin verb beside the running worker goes through its request files, as docker exec would.
                using var report = WorkerProcess.Start(env, "report", "--lang", "en");
                Assert.True(await report.WaitForExitAsync(TimeSpan.FromSeconds(60)), "report did not exit");
                Assert.True(report.ExitCode == 0, report.StdErr);
                Assert.Contains("handing the request", report.StdErr, StringComparison.Ordinal);

                Assert.Equal(0, await worker.StopAsync());
            }

            Assert.False(File.Exists(file));
            using var after = WorkerProcess.Start(env, "status");
            Assert.True(await after.WaitForExitAsync(TimeSpan.FromSeconds(30)), "status did not exit");
            Assert.Equal(1, after.ExitCode);
            Assert.Contains(dbPath, after.StdErr, StringComparison.Ordinal);
            Assert.Single(after.StdErr.Trim().Split('\n'));
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }
}

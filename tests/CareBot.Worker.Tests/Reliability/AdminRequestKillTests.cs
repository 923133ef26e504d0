using CareBot.Storage.LiteDb;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>
/// The worker as a real process (its log on stderr), killed with SIGKILL while it runs an admin request: the request is run again once,
/// and a request whose runs were cut short twice is answered with an error and never run a third time.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AdminRequestKillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_request_killed_twice_while_it_runs_is_answered_with_an_error_and_not_run_again()
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            using (var db = new LiteCareDb(dbPath))
            {
                Assert.True(new RosterImporter(db, TimeProvider.System, 3).Import(new MemoryStream(RosterSample.Create(30)), "old.csv", RosterEncoding.Auto, "zh", "test").Succeeded);
            }

            // A roster that takes the worker seconds to import: long enough to be killed in the middle.
            var big = Path.Combine(folder, "big.csv");
            using (var f = File.Create(big))
            {
                RosterSample.Write(f, 10_000);
            }

            var env = WorkerProcess.WorkerSettings(server, dbPath);
            env["Serilog__MinimumLevel__Default"] = "Information";
            var id = Guid.NewGuid().ToString("N");
            var request = WorkerRequest.Write(dbPath, id, ["import", big], "en");

            for (var attempt = 1; attempt <= AdminRequestLedger.MaxAttempts; attempt++)
            {
                using var worker = WorkerProcess.Start(env, "run");
                await CrashTests.WaitAsync(() => worker.StdErr.Contains($"attempt {attempt} started", StringComparison.Ordinal) || worker.HasExited, Timeout, $"attempt {attempt}");
                worker.Kill();
                Assert.False(worker.StdErr.Contains("done with exit code", StringComparison.Ordinal), "the import finished before the kill: " + worker.StdErr);
                Assert.True(File.Exists(request), "the request file went with the killed run");
                output.WriteLine($"killed during attempt {attempt}");
            }

            var result = AdminRequestService.ResultPath(dbPath, id);
            using (var worker = WorkerProcess.Start(env, "run"))
            {
                await CrashTests.WaitAsync(() => File.Exists(result) || worker.HasExited, Timeout, "the answer");
                Assert.Equal(0, await worker.StopAsync());
                Assert.DoesNotContain("attempt 3 started", worker.StdErr, StringComparison.Ordinal);
            }

            var answer = WorkerRequest.Read(result, PrivateFiles.OwnerOf(dbPath), "en");
            Assert.Equal(ExitCodes.Unexpected, answer.ExitCode);
            Assert.Contains(CareBot.Core.Text.Texts.Get("zh", "worker.request_stopped_worker", "import", AdminRequestLedger.MaxAttempts), answer.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(request));
            using (var db = new LiteCareDb(dbPath))
            {
                Assert.Equal(30, db.Read(tx => tx.Children.Count()));
                Assert.Empty(db.Read(tx => tx.State.Find(s => s.Id.StartsWith("admin-request:")).ToList()));
            }
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }
}

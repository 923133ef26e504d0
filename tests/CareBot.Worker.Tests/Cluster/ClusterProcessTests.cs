using CareBot.Tests.Shared;
using System.Globalization;
using CareBot.Benchmarks;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using CareBot.Worker.Cluster;
using CareBot.Worker.Tests.Reliability;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>
/// Issue 22 with real processes: three <c>carebot run</c> on one PostgreSQL database against the local Bot API server.
/// The polling node is SIGKILLed, again and again; another polls within 10 s each time, two never poll at once, and
/// each message sent between the kills is applied once and answered (a kill may resend its one in-flight message).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ClusterProcessTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(10);
    private const long MentorUser = 96001;

    [Fact]
    public async Task Killing_the_polling_process_three_times_hands_the_poller_over_within_ten_seconds_each_time()
    {
        await using var kit = await ClusterKit.StartAsync(Monday0900);
        kit.Seed(2, MentorUser);
        using var db = new PgCareDb(kit.ConnectionString);
        var processes = new List<WorkerProcess>();
        var folder = Directory.CreateTempSubdirectory("carebot-cluster-processes-").FullName;
        WorkerProcess Start()
        {
            var path = Path.Combine(folder, "node" + processes.Count.ToString(CultureInfo.InvariantCulture), "carebot.db");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var env = WorkerProcess.WorkerSettings(kit.Server, path);
            env["Storage__Provider"] = "PostgreSQL";
            env["Storage__ConnectionString"] = kit.ConnectionString;
            var process = WorkerProcess.Start(env, "run");
            processes.Add(process);
            return process;
        }

        try
        {
            for (var i = 0; i < 3; i++)
            {
                Start();
            }

            var leader = await LeaderAsync(db, processes, epochAfter: 0);
            var worst = TimeSpan.Zero;
            for (var kill = 1; kill <= 3; kill++)
            {
                var epoch = Epoch(db)?.Value ?? 0;
                kit.Server.UserSends(MentorUser, "/mine");
                await kit.Server.WaitForMessageAsync(MentorUser, m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal) && kit.Server.MessagesTo(MentorUser).Count(n => n.Text.Contains("我的结对孩子", StringComparison.Ordinal)) >= kill, TimeSpan.FromSeconds(30));

                await Task.Delay(TimeSpan.FromSeconds(1)); // its Sent mark reaches the server (a kill mid-send may send it again)
                var killedAt = DateTimeOffset.UtcNow;
                leader.Kill();
                var next = await LeaderAsync(db, processes, epoch);
                await Poll.UntilAsync(() => kit.Server.Telegram.Calls.Any(c => c.Is("getUpdates") && c.ReceivedAt > killedAt), Failover, "a getUpdates after the kill");
                var failover = kit.Server.Telegram.Calls.Where(c => c.Is("getUpdates") && c.ReceivedAt > killedAt).Min(c => c.ReceivedAt) - killedAt;
                output.WriteLine($"kill {kill}: process {leader.Id} killed, process {next.Id} polled after {failover.TotalSeconds:0.00} s");
                Assert.NotEqual(leader, next);
                Assert.True(failover < Failover, $"failover {failover.TotalSeconds:0.0} s");
                worst = failover > worst ? failover : worst;
                leader = next;
                Start(); // keep three
            }

            kit.Server.UserSends(MentorUser, "/mine");
            await Poll.UntilAsync(() => kit.Server.MessagesTo(MentorUser).Count(m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal)) >= 4, TimeSpan.FromSeconds(30), "the fourth answer");
            await Task.Delay(TimeSpan.FromSeconds(2));

            output.WriteLine($"failover_s (worst) {worst.TotalSeconds:0.00}");
            // Each update applied once: one reply row each; none lost, and a kill may resend at most its one in-flight message.
            var answers = kit.Server.MessagesTo(MentorUser).Count(m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal));
            Assert.InRange(answers, 4, 4 + 3);
            Assert.Equal(4, db.Read(tx => tx.Outbox.Count(o => o.Chat == TelegramChats.At(MentorUser) && o.Key.StartsWith("reply:"))));
            Assert.Equal(0, kit.Conflicts); // never two pollers at once
            var code = await leader.StopAsync();
            Assert.True(code == 0, $"exit code {code} after SIGTERM: {leader.StdErr}");
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (long Value, string Node)? Epoch(CareDb db) => ClusterKillScenario.Epoch(db);

    private static Task<WorkerProcess> LeaderAsync(CareDb db, List<WorkerProcess> processes, long epochAfter) =>
        ClusterKillScenario.LeaderAsync(db, processes, epochAfter);
}

using CareBot.LocalBotApi;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>
/// The bot token is in the path of every Bot API URL. The real worker, every log level at Verbose, talking to a server
/// that answers 429 and 5xx now and then, while parents get updates and mentors write: the token never appears.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TokenLoggingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_bot_token_never_appears_in_the_log_at_any_level()
    {
        const int parents = 20;
        const int mentors = 3;
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { GlobalPerSecond = 200, Fault429Rate = 0.1, Fault5xxRate = 0.05, Seed = 5 });
        var dbPath = ReliabilitySeed.TempDb(out var folder);
        try
        {
            ReliabilitySeed.ParentsWithWeeklyUpdates(dbPath, server, parents, mentors);
            var env = WorkerProcess.WorkerSettings(server, dbPath);
            env["Serilog__MinimumLevel__Default"] = "Verbose";
            foreach (var category in new[] { "Microsoft", "System", "Quartz", "Microsoft.Extensions.Http", "System.Net.Http.HttpClient" })
            {
                env[$"Serilog__MinimumLevel__Override__{category}"] = "Verbose";
            }

            env["Logging__LogLevel__Default"] = "Trace";
            string log;
            using (var worker = WorkerProcess.Start(env, "run"))
            {
                await worker.WaitUntilPollingAsync(server, TimeSpan.FromSeconds(60));
                for (var m = 1; m <= mentors; m++)
                {
                    server.UserSends(ReliabilitySeed.MentorChatBase + m, $"/visit 1 note-{m}");
                }

                await CrashTests.WaitAsync(
                    () => worker.HasExited
                          || (Enumerable.Range(1, parents).All(i => server.MessagesTo(ReliabilitySeed.ParentChatBase + i).Count > 0)
                              && Enumerable.Range(1, mentors).All(m => server.MessagesTo(ReliabilitySeed.MentorChatBase + m).Count > 0)),
                    TimeSpan.FromSeconds(60),
                    "every message delivered");
                var code = await worker.StopAsync();
                Assert.True(code == 0, $"exit code {code}");
                log = worker.StdOut + worker.StdErr;
            }

            var secret = server.Token[(server.Token.IndexOf(':', StringComparison.Ordinal) + 1)..];
            var lines = log.Split('\n');
            output.WriteLine($"{lines.Length} log lines, {lines.Count(l => l.Contains("[VRB]", StringComparison.Ordinal))} verbose, {lines.Count(l => l.Contains("[DBG]", StringComparison.Ordinal))} debug; 429 answers {server.Stats.TooManyRequestsAnswers}");
            Assert.Contains(lines, l => l.Contains("[VRB]", StringComparison.Ordinal)); // the levels really were at Verbose
            Assert.True(server.Stats.TooManyRequestsAnswers > 0, "429s were answered");
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }
}

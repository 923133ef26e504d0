using CareBot.LocalBotApi;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace CareBot.Worker.Tests.LocalBotApi;

/// <summary>
/// What the local Bot API server tests share: a server with a mentor and a parent, the real Telegram.Bot client over
/// HTTP on 127.0.0.1 (its own 429 retry switched off), and waits on the server's state.
/// </summary>
public abstract class LocalBotApiTestBase : IDisposable
{
    protected const long Mentor = 1001;
    protected const long Parent = 2002;

    /// <summary>The clock of a server started without a fake one; the server logs each call on it.</summary>
    protected static readonly TimeProvider ServerClock = TimeProvider.System;

    /// <summary>How much earlier than asked a real-time timer may fire (it counts whole milliseconds).</summary>
    protected static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    protected HttpClient Http { get; } = new();

    public void Dispose()
    {
        Http.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static Task<LocalBotApiServer> Start(Action<LocalBotApiOptions>? configure = null, TimeProvider? fake = null)
    {
        var options = new LocalBotApiOptions { TimeProvider = fake ?? ServerClock };
        configure?.Invoke(options);
        var server = LocalBotApiServer.StartAsync(options);
        return AddFamily(server);

        static async Task<LocalBotApiServer> AddFamily(Task<LocalBotApiServer> starting)
        {
            var server = await starting;
            server.AddUser(Mentor, "李老师");
            server.AddUser(Parent, "王芳");
            return server;
        }
    }

    /// <summary>Until the server holds a getUpdates long poll (bounded; polls the server's state, not the clock).</summary>
    protected static async Task UntilPollWaits(LocalBotApiServer server)
    {
        for (var i = 0; i < 500 && server.Telegram.LongPollsWaiting == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, server.Telegram.LongPollsWaiting);
    }

    /// <summary>
    /// Until the server has logged <paramref name="count"/> calls (bounded). A dropped answer reaches the client as an
    /// error before the server has finished logging the call, so a test reads the log only once it is complete.
    /// </summary>
    protected static Task UntilCallsLogged(LocalBotApiServer server, int count) =>
        Poll.UntilAsync(() => server.Telegram.Calls.Count >= count, TimeSpan.FromSeconds(5), $"{count} calls in the server's log");

    /// <summary>The last call of <paramref name="method"/> the server answered, as it logged it.</summary>
    protected static BotApiCall LastCall(LocalBotApiServer server, string method) =>
        server.Telegram.Calls.Last(c => c.Is(method));

    protected TelegramBotClient Client(LocalBotApiServer server) =>
        new(new TelegramBotClientOptions(server.Token, server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 }, Http);

    /// <summary>Sends one message to each of <paramref name="count"/> chats, eight at a time; returns the exception or null per send.</summary>
    protected async Task<Exception?[]> SendToManyChats(LocalBotApiServer server, int count)
    {
        var bot = Client(server);
        for (var i = 0; i < count; i++)
        {
            server.AddUser(10_000 + i, $"家长{i}");
        }

        var results = new Exception?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            try
            {
                await bot.SendMessage(10_000 + i, "周报", cancellationToken: ct);
            }
            catch (RequestException ex)
            {
                results[i] = ex;
            }
        });
        return results;
    }
}

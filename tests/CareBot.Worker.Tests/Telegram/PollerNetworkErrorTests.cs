using CareBot.Storage.LiteDb;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Worker.Delivery;
using CareBot.Worker.Hosting;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Worker.Tests.Telegram;

/// <summary>Issue 19: the network's passing trouble is one warning line; an unexpected error still logs its exception.</summary>
public sealed class PollerNetworkErrorTests
{
    private sealed class NoHandler : IChatHandler
    {
        public HandleOutcome Handle(CareTx tx, IncomingMessage message) => HandleOutcome.None;
    }

    private static async Task<List<(LogLevel Level, string Text)>> PollFailuresAsync(LocalBotApiServer server, string token)
    {
        using var db = LiteCareDb.InMemory();
        var time = TimeProvider.System;
        var outbox = new OutboxStore(db, time);
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        using var signal = new OutboxSignal();
        var bot = new TelegramBotClient(new TelegramBotClientOptions(token, server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 });
        var processor = new UpdateProcessor(db, new NoHandler(), outbox, time, NullLogger<UpdateProcessor>.Instance, CareBot.Worker.Telegram.TelegramPoller.Channel);
        using var poller = new TelegramPoller(bot, processor, db, outbox, signal, time, Options.Create(new TelegramOptions { PollTimeoutSeconds = 1 }), new WorkerActivity(time), factory.CreateLogger<TelegramPoller>());

        await poller.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync(() => capture.Entries.Any(e => e.Text.StartsWith("Polling failed", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "a failed poll logged");
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
        }

        return [.. capture.Entries.Where(e => e.Text.StartsWith("Polling failed", StringComparison.Ordinal)).Select(e => (e.Level, e.Text))];
    }

    [Fact]
    public async Task A_refused_connection_is_one_warning_line_without_a_stack_trace()
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());
        server.Telegram.RefuseConnectionsUntil(DateTimeOffset.MaxValue);

        var failures = await PollFailuresAsync(server, server.Token);

        var (level, text) = failures[0];
        Assert.Equal(LogLevel.Warning, level);
        Assert.EndsWith("] ", text, StringComparison.Ordinal); // no exception after the line's properties
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.True(server.Telegram.RefusedConnections > 0);
    }

    [Fact]
    public async Task An_unexpected_answer_still_logs_its_exception()
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());

        // A token the server does not know: 401, not the network's passing trouble.
        var failures = await PollFailuresAsync(server, "123456:wrong-token-for-this-server");

        Assert.Contains("Telegram Bot API error 401", failures[0].Text, StringComparison.Ordinal); // the exception is logged with the line
        Assert.Contains("   at ", failures[0].Text, StringComparison.Ordinal);
    }
}

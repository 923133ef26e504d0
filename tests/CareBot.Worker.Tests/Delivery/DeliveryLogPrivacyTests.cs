using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using System.Collections.Concurrent;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>The dispatcher's Information-level log lines carry row and person ids, never message text or phones.</summary>
public sealed class DeliveryLogPrivacyTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new L(this);

        public void Dispose()
        {
        }

        private sealed class L(Capture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var props = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)} [{props}] {exception}");
            }
        }
    }

    /// <summary>Answers each chat differently: sent, blocked, permanent error, transient error.</summary>
    private sealed class Sender : IChatSender
    {
        private int _id;

        public string Channel => TelegramChats.Channel;

        public Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
            Task.FromResult(TelegramChats.IdOf(chat) switch
            {
                1 => new SendOutcome(SendStatus.Sent, ++_id),
                2 => new SendOutcome(SendStatus.Blocked, Error: "Forbidden: bot was blocked by the user"),
                3 => new SendOutcome(SendStatus.Permanent, Error: "Bad Request: can't parse entities"),
                _ => new SendOutcome(SendStatus.Transient, Error: "Too Many Requests"),
            });
    }

    [Fact]
    public async Task Delivery_logs_no_text_and_no_phone()
    {
        using var capture = new Capture();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(capture));
        using var db = LiteCareDb.InMemory();
        var time = TimeProvider.System;
        var clock = new CareClock(time, "Asia/Shanghai");
        var outbox = new OutboxStore(db, time);
        using var signal = new OutboxSignal();
        for (var chat = 1; chat <= 4; chat++)
        {
            var person = new Person { Name = "张大山" + chat, Phone = $"1370000000{chat}", Roles = Roles.Parent, Chat = TelegramChats.At(chat), Status = Reachability.Reachable };
            db.Write(tx => tx.People.Insert(person));
            outbox.Enqueue(new OutboxMessage { Key = $"t:{chat}", PersonId = person.Id, Chat = TelegramChats.At(chat), Text = $"秘密日记 13900000000 chat{chat}", Kind = OutboxKind.Relay, Priority = OutboxPriority.Reply, ChildId = "S001" });
        }

        var dispatcher = new OutboxDispatcher(
            db, outbox, [new Sender()], signal, time, clock,
            Options.Create(new DeliveryOptions { PerChatIntervalMs = 0 }),
            Options.Create(new CareOptions()),
            factory.CreateLogger<OutboxDispatcher>());

        for (var i = 0; i < 3; i++)
        {
            await dispatcher.DrainOnceAsync(CancellationToken.None);
        }

        var log = string.Join("\n", capture.Lines);
        Assert.NotEmpty(capture.Lines);
        Assert.DoesNotContain("秘密日记", log, StringComparison.Ordinal);
        Assert.DoesNotContain("张大山", log, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"1[3-9]\d{9}", log);
    }
}

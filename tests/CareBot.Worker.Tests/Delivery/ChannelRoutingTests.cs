using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Storage.LiteDb;
using CareBot.Tests.Shared;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>
/// The dispatcher hands each row to the sender of its chat's channel: a Telegram chat through the real Telegram.Bot
/// client to the local Bot API server, another channel's chat to that channel's sender; a row for a channel no sender
/// serves is neither sent nor lost.
/// </summary>
public sealed class ChannelRoutingTests : IAsyncLifetime
{
    private readonly CareDb _db = LiteCareDb.InMemory();
    private LocalBotApiServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());

    public async Task DisposeAsync()
    {
        _db.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A second channel's adapter, as WeCom's would be: records where each message went.</summary>
    private sealed class OtherChannel(string channel) : IChatSender
    {
        public List<(ChatAddress Chat, string Text)> Sent { get; } = [];

        public string Channel => channel;

        public Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
        {
            Sent.Add((chat, text));
            return Task.FromResult(new SendOutcome(SendStatus.Sent, Sent.Count));
        }
    }

    [Fact]
    public async Task Each_row_goes_to_its_channels_sender_and_a_row_no_sender_serves_stays_pending()
    {
        _server.AddUser(501, "王老师");
        var wecom = new OtherChannel("wecom");
        var outbox = new OutboxStore(_db, TimeProvider.System);
        var rows = new (string Key, ChatAddress Chat)[]
        {
            ("to-telegram", TelegramChats.At(501)),
            ("to-wecom", new ChatAddress("wecom", "zhangsan")),
            ("to-sms", new ChatAddress("sms", "13700000001")),
        };
        for (var i = 0; i < rows.Length; i++)
        {
            var person = new Person { Name = "p" + i, Phone = $"1380000000{i}", Roles = Roles.Mentor, Chat = rows[i].Chat, Status = Reachability.Reachable };
            _db.Write(tx => tx.People.Insert(person));
            outbox.Enqueue(new OutboxMessage { Key = rows[i].Key, PersonId = person.Id, Chat = rows[i].Chat, Text = "通知 " + rows[i].Key, Priority = OutboxPriority.Reply });
        }

        var bot = new TelegramBotClient(new TelegramBotClientOptions(_server.Token, _server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 });
        var delivery = Options.Create(new DeliveryOptions { GlobalPerSecond = 100, PerChatIntervalMs = 0, BackoffBaseMs = 60_000, MaxBackoffSeconds = 600 });
        using var signal = new OutboxSignal();
        using var dispatcher = new OutboxDispatcher(_db, outbox, [new TelegramChatSender(bot, delivery), wecom], signal, TimeProvider.System,
            new CareClock(TimeProvider.System, "Asia/Shanghai"), delivery, Options.Create(new CareOptions { QuietHours = "00:00-00:00" }), NullLogger<OutboxDispatcher>.Instance);

        OutboxMessage Row(string key) => _db.Read(tx => tx.Outbox.FindOne(o => o.Key == key));
        await DispatcherTests.DrainUntilAsync(dispatcher, () => Row("to-telegram").Status == OutboxStatus.Sent && Row("to-wecom").Status == OutboxStatus.Sent && Row("to-sms").Attempts > 0,
            TimeSpan.FromSeconds(20), "the Telegram and WeCom rows sent and the SMS row tried");

        Assert.Equal(["通知 to-telegram"], _server.MessagesTo(501).Select(m => m.Text));
        Assert.Equal([(new ChatAddress("wecom", "zhangsan"), "通知 to-wecom")], wecom.Sent);
        var sms = Row("to-sms");
        Assert.Equal((OutboxStatus.Pending, "no sender for channel sms"), (sms.Status, sms.LastError));
        Assert.True(sms.NotBeforeUtc > TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30), $"tried again only after a backoff, not at {sms.NotBeforeUtc:O}");
        Assert.Equal(new ChatAddress("sms", "13700000001"), sms.Chat);
    }
}

using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Telegram.Bot;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>The real dispatcher and Telegram.Bot client against the local Bot API server on 127.0.0.1.</summary>
public sealed class DispatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CareDb _db = LiteCareDb.InMemory();
    private LocalBotApiServer _server = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _db.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<OutboxDispatcher> Start(LocalBotApiOptions serverOptions, double ratePerSecond, string quietHours = "00:00-00:00", TimeProvider? time = null, int sendTimeoutSeconds = 15)
    {
        _server = await LocalBotApiServer.StartAsync(serverOptions);
        var bot = new TelegramBotClient(new TelegramBotClientOptions(_server.Token, _server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 });
        var delivery = Options.Create(new DeliveryOptions { GlobalPerSecond = ratePerSecond, BackoffBaseMs = 100, MaxBackoffSeconds = 1, SendTimeoutSeconds = sendTimeoutSeconds });
        time ??= TimeProvider.System;
        return new OutboxDispatcher(
            _db,
            new OutboxStore(_db, time),
            [new TelegramChatSender(bot, delivery)],
            new OutboxSignal(),
            time,
            new CareClock(time, "Asia/Shanghai"),
            delivery,
            Options.Create(new CareOptions { QuietHours = quietHours }),
            NullLogger<OutboxDispatcher>.Instance);
    }

    private void Queue(int chats, int perChat, Roles role = Roles.Parent, OutboxPriority priority = OutboxPriority.Bulk, TimeProvider? time = null)
    {
        var store = new OutboxStore(_db, time ?? TimeProvider.System);
        for (var c = 0; c < chats; c++)
        {
            var chatId = 1000 + c;
            _server.AddUser(chatId, $"u{c}");
            var person = new Person { Name = $"p{c}", Phone = $"137{c:D8}", Roles = role, Chat = TelegramChats.At(chatId), Status = Reachability.Reachable };
            _db.Write(tx => tx.People.Insert(person));
            for (var i = 0; i < perChat; i++)
            {
                store.Enqueue(new OutboxMessage { Key = $"k:{c}:{i}", PersonId = person.Id, Chat = TelegramChats.At(chatId), Text = $"msg {c}/{i}", Priority = priority });
            }
        }
    }

    private static Task DrainAsync(OutboxDispatcher dispatcher, CareDb db, TimeSpan limit) =>
        DrainUntilAsync(dispatcher, () => !db.Read(tx => tx.Outbox.Exists(o => o.Status == OutboxStatus.Pending || o.Status == OutboxStatus.Sending)), limit, "an empty outbox");

    /// <summary>
    /// Dispatch rounds until <paramref name="done"/> holds, each after the wait the dispatcher asked for (at most
    /// 200 ms); a <see cref="TimeoutException"/> naming <paramref name="what"/> if it does not hold within <paramref name="limit"/>.
    /// </summary>
    internal static async Task DrainUntilAsync(OutboxDispatcher dispatcher, Func<bool> done, TimeSpan limit, string what)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (!done())
            {
                var wait = await dispatcher.DrainOnceAsync(cts.Token);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(200) ? wait : TimeSpan.FromMilliseconds(200), cts.Token);
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"dispatching did not reach {what} within {limit}");
        }
    }

    [Fact]
    public async Task Every_message_arrives_once_under_429_500_and_slow_answers_within_both_rates()
    {
        var dispatcher = await Start(
            new LocalBotApiOptions { GlobalPerSecond = 30, Fault429Rate = 0.10, Fault5xxRate = 0.05, SlowRate = 0.03, SlowDelay = TimeSpan.FromMilliseconds(300), Seed = 7 },
            ratePerSecond: 25);
        Queue(chats: 40, perChat: 3);

        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(90));

        Assert.All(_db.Read(tx => tx.Outbox.FindAll().ToList()), o => Assert.Equal(OutboxStatus.Sent, o.Status));
        for (var c = 0; c < 40; c++)
        {
            var texts = _server.MessagesTo(1000 + c).Select(m => m.Text).ToList();
            Assert.Equal(3, texts.Count);
            Assert.Equal(3, texts.Distinct().Count());
            var times = _server.Telegram.AcceptedSendTimes(1000 + c);
            Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromMilliseconds(950), $"{p.Second - p.First} between two messages to one chat"));
        }

        var all = _server.Telegram.AcceptedSendTimes().Order().ToList();
        for (int i = 0, j = 0; i < all.Count; i++)
        {
            while (all[i] - all[j] >= TimeSpan.FromSeconds(1))
            {
                j++;
            }

            Assert.True(i - j + 1 <= 25, $"{i - j + 1} messages within one second");
        }

        var stats = _server.Stats;
        output.WriteLine($"calls {stats.SendMessageCalls}, accepted {stats.SendMessageAccepted}, 429 {stats.TooManyRequestsAnswers} (limit {stats.RateLimitRejections}), 5xx {stats.Faults(FaultKind.ServerError)}, slow {stats.Faults(FaultKind.Slow)}");
        Assert.True(stats.Faults(FaultKind.TooManyRequests) > 0 && stats.Faults(FaultKind.ServerError) > 0, "faults were injected");
        Assert.Equal(0, stats.RateLimitRejections);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(47)]
    public async Task Retry_after_is_honoured_whatever_its_size(int retryAfterSeconds)
    {
        // One clock for the server and the dispatcher, standing still: the retry time is exact.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        var dispatcher = await Start(
            new LocalBotApiOptions { Fault429Rate = 1.0, FaultRetryAfterSeconds = retryAfterSeconds, TimeProvider = clock }, ratePerSecond: 25, time: clock);
        Queue(chats: 1, perChat: 1, time: clock);

        await dispatcher.DrainOnceAsync(CancellationToken.None);
        var row = _db.Read(tx => tx.Outbox.FindAll().Single());

        var call = Assert.Single(_server.Telegram.Calls, c => c.Is("sendMessage"));
        Assert.Equal(429, call.Status);
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Equal(0, row.Attempts);
        Assert.Equal((call.ReceivedAt + TimeSpan.FromSeconds(retryAfterSeconds)).UtcDateTime, row.NotBeforeUtc);
        Assert.Equal("429", row.LastError);
    }

    [Fact]
    public async Task An_edit_row_changes_the_sent_message_an_edit_changing_nothing_counts_as_sent_and_a_lost_message_fails()
    {
        var dispatcher = await Start(new LocalBotApiOptions(), ratePerSecond: 25);
        Queue(chats: 1, perChat: 1, priority: OutboxPriority.Reply);
        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(20));
        var sent = _db.Read(tx => tx.Outbox.FindOne(o => o.Key == "k:0:0"));
        var store = new OutboxStore(_db, TimeProvider.System);
        OutboxMessage Edit(string key, int messageId, string text)
        {
            store.Enqueue(new OutboxMessage { Key = key, PersonId = sent.PersonId, Chat = sent.Chat, Text = text, Kind = OutboxKind.Edit, Priority = OutboxPriority.Reply, EditsMessageId = messageId, Buttons = [new OutButton { Text = "b", Data = "snooze:2026-11-23" }] });
            return _db.Read(tx => tx.Outbox.FindOne(o => o.Key == key));
        }

        Edit("e1", sent.ChannelMessageId!.Value, "edited");
        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(20));
        Edit("e2", sent.ChannelMessageId!.Value, "edited");
        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(20));
        Edit("e3", 9999, "edited");
        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(20));

        var message = Assert.Single(_server.MessagesTo(sent.TelegramId));
        Assert.Equal(("edited", 1, "snooze:2026-11-23"), (message.Text, message.EditCount, message.Buttons.Single().CallbackData));
        var rows = _db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Edit).OrderBy(o => o.Key).ToList());
        Assert.Equal([OutboxStatus.Sent, OutboxStatus.Sent, OutboxStatus.Failed], rows.Select(r => r.Status));
        Assert.All(rows, r => Assert.Null(r.ChannelMessageId)); // a reply to the message still finds the original row
        Assert.Equal(sent.Id, new OutboxStore(_db, TimeProvider.System).FindSent(sent.Chat!, sent.ChannelMessageId!.Value)!.Id);
    }

    [Fact]
    public async Task A_429_pauses_sending_to_every_chat_for_retry_after_on_the_servers_clock()
    {
        // The server runs its own clock, days away from this machine's: every time compared below is the server's.
        var serverClock = new EndToEnd.ShiftedTimeProvider(TimeProvider.System.GetUtcNow().AddDays(3));
        var retryAfter = TimeSpan.FromSeconds(2);
        var dispatcher = await Start(
            new LocalBotApiOptions { Fault429Rate = 0.3, FaultRetryAfterSeconds = (int)retryAfter.TotalSeconds, Seed = 11, TimeProvider = serverClock },
            ratePerSecond: 25);
        Queue(chats: 8, perChat: 1);

        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(60));

        Assert.All(_db.Read(tx => tx.Outbox.FindAll().ToList()), o => Assert.Equal(OutboxStatus.Sent, o.Status));
        var tooMany = _server.Telegram.TooManyRequestsTimes();
        var accepted = _server.Telegram.AcceptedSendTimes();
        output.WriteLine($"429 at {string.Join(", ", tooMany.Select(t => t.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)))}; accepted {accepted.Count}");
        Assert.NotEmpty(tooMany);
        Assert.Contains(accepted, a => a > tooMany[0]); // other chats were waiting when the first 429 came
        Assert.Equal(0, _server.Stats.RateLimitRejections);
        foreach (var t in tooMany)
        {
            Assert.DoesNotContain(accepted, a => a > t && a < t + retryAfter);
            Assert.DoesNotContain(tooMany, other => other > t && other < t + retryAfter);
        }
    }

    [Fact]
    public async Task A_blocked_parent_is_marked_and_their_other_messages_stop()
    {
        var dispatcher = await Start(new LocalBotApiOptions(), ratePerSecond: 25);
        Queue(chats: 2, perChat: 2);
        _server.Block(1000);

        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(30));

        var blocked = _db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(1000)));
        Assert.Equal(Reachability.Blocked, blocked.Status);
        Assert.All(_db.Read(tx => tx.Outbox.Find(o => o.Chat == TelegramChats.At(1000)).ToList()), o => Assert.Equal(OutboxStatus.Unreachable, o.Status));
        Assert.Equal(1, _server.Stats.SendMessageCalls - _server.Stats.SendMessageAccepted);
        Assert.Equal(2, _server.MessagesTo(1001).Count);
    }

    [Fact]
    public async Task Server_errors_never_fail_a_row_it_waits_and_is_sent_when_the_server_answers_again()
    {
        var server = new LocalBotApiOptions { Fault5xxRate = 1.0 };
        var dispatcher = await Start(server, ratePerSecond: 25);
        Queue(chats: 1, perChat: 1);

        // Twelve 5xx answers in a row: more than the eight attempts after which a row used to fail for good.
        OutboxMessage Row() => _db.Read(tx => tx.Outbox.FindAll().Single());
        await DrainUntilAsync(dispatcher, () => Row().Attempts >= 12, TimeSpan.FromSeconds(60), "twelve attempts");
        Assert.Equal(OutboxStatus.Pending, Row().Status);
        Assert.Matches("^50[02]$", Row().LastError);
        Assert.Empty(_server.MessagesTo(1000));

        server.Fault5xxRate = 0; // the server is well again
        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(30));

        Assert.Equal(OutboxStatus.Sent, Row().Status);
        Assert.Equal(["msg 0/0"], _server.MessagesTo(1000).Select(m => m.Text));
    }

    [Fact]
    public async Task Quiet_hours_hold_bulk_to_parents_but_not_replies_or_mentors()
    {
        // 23:30 in Shanghai, inside 22:00-07:00.
        var lateEvening = new FakeClock(new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.Zero));
        var dispatcher = await Start(new LocalBotApiOptions(), ratePerSecond: 25, quietHours: "22:00-07:00", time: lateEvening);
        Queue(chats: 1, perChat: 1, Roles.Parent, OutboxPriority.Bulk, lateEvening);
        var store = new OutboxStore(_db, lateEvening);
        var parent = _db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(1000)));
        store.Enqueue(new OutboxMessage { Key = "reply", PersonId = parent.Id, Chat = TelegramChats.At(1000), Text = "reply now", Priority = OutboxPriority.Reply });
        _server.AddUser(2000, "mentor");
        var mentor = new Person { Name = "m", Phone = "13800000009", Roles = Roles.Mentor, Chat = TelegramChats.At(2000), Status = Reachability.Reachable };
        _db.Write(tx => tx.People.Insert(mentor));
        store.Enqueue(new OutboxMessage { Key = "remind", PersonId = mentor.Id, Chat = TelegramChats.At(2000), Text = "reminder", Priority = OutboxPriority.Bulk });

        // Until the reply and the reminder are sent and the parent's bulk row has had its turn (it waits a second
        // behind the reply to the same chat).
        OutboxMessage Row(string key) => _db.Read(tx => tx.Outbox.FindOne(o => o.Key == key));
        await DrainUntilAsync(
            dispatcher,
            () => Row("reply").Status == OutboxStatus.Sent && Row("remind").Status == OutboxStatus.Sent
                && Row("k:0:0") is { Status: not OutboxStatus.Pending } or { LastError: not null },
            TimeSpan.FromSeconds(30),
            "the reply and the reminder sent, the bulk row dealt with");

        var held = Row("k:0:0");
        Assert.Equal(OutboxStatus.Pending, held.Status);
        Assert.Equal(0, held.Attempts);
        Assert.Equal(new DateTime(2026, 11, 24, 23, 0, 0, DateTimeKind.Utc), held.NotBeforeUtc); // 07:00 Shanghai
        Assert.Equal(["reply now"], _server.MessagesTo(1000).Select(m => m.Text));
        Assert.Equal(["reminder"], _server.MessagesTo(2000).Select(m => m.Text));
    }

    /// <summary>Answers from a script: one outcome per call, then Sent.</summary>
    private sealed class ScriptedSender(params SendStatus[] script) : IChatSender
    {
        private int _calls;

        public List<string> Sent { get; } = [];

        public string Channel => TelegramChats.Channel;

        public Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
        {
            var status = _calls < script.Length ? script[_calls] : SendStatus.Sent;
            _calls++;
            if (status == SendStatus.Sent)
            {
                Sent.Add(text);
            }

            return Task.FromResult(new SendOutcome(status, MessageId: _calls, RetryAfter: TimeSpan.FromSeconds(1), Error: status.ToString()));
        }
    }

    [Fact]
    public async Task A_split_text_resumes_after_the_parts_already_sent()
    {
        var sender = new ScriptedSender(SendStatus.Sent, SendStatus.Transient);
        var delivery = Options.Create(new DeliveryOptions { GlobalPerSecond = 100, PerChatIntervalMs = 0, BackoffBaseMs = 1 });
        var dispatcher = new OutboxDispatcher(_db, new OutboxStore(_db, TimeProvider.System), [sender], new OutboxSignal(), TimeProvider.System,
            new CareClock(TimeProvider.System, "Asia/Shanghai"), delivery, Options.Create(new CareOptions { QuietHours = "00:00-00:00" }), NullLogger<OutboxDispatcher>.Instance);
        var person = new Person { Name = "p", Phone = "13700000001", Roles = Roles.Mentor, Chat = TelegramChats.At(1), Status = Reachability.Reachable };
        _db.Write(tx => tx.People.Insert(person));
        var text = string.Join('\n', Enumerable.Range(0, 700).Select(i => $"第{i}行 本周家访记录"));
        new OutboxStore(_db, TimeProvider.System).Enqueue(new OutboxMessage { Key = "long", PersonId = person.Id, Chat = TelegramChats.At(1), Text = text, Priority = OutboxPriority.Reply });
        var parts = OutboxStore.Split(text);
        Assert.True(parts.Count >= 3);

        await DrainAsync(dispatcher, _db, TimeSpan.FromSeconds(20));

        Assert.Equal(parts, sender.Sent);
        var row = _db.Read(tx => tx.Outbox.FindOne(o => o.Key == "long"));
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal(2, row.Attempts);
    }

    /// <summary>A fixed "now" with real timers.</summary>
    private sealed class FakeClock(DateTimeOffset now) : TimeProvider
    {
        private readonly DateTimeOffset _start = System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => now + (System.GetUtcNow() - _start);
    }
}

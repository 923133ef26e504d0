using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>Issue 19: the network's passing trouble never fails a row; what stopped mattering is Expired, by kind.</summary>
public sealed class DeliveryUntilItMattersTests : IDisposable
{
    private readonly CareDb _db = LiteCareDb.InMemory();

    public void Dispose() => _db.Dispose();

    /// <summary>Answers Transient (a refused connection) until <see cref="Up"/>; records where each message went.</summary>
    private sealed class FlakyNetwork : IChatSender
    {
        public bool Up { get; set; }

        public List<(long Chat, string Text)> Sent { get; } = [];

        public string Channel => TelegramChats.Channel;

        public Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
        {
            if (!Up)
            {
                return Task.FromResult(new SendOutcome(SendStatus.Transient, Error: "ConnectionRefused"));
            }

            Sent.Add((TelegramChats.IdOf(chat)!.Value, text));
            return Task.FromResult(new SendOutcome(SendStatus.Sent, Sent.Count));
        }
    }

    private OutboxDispatcher Dispatcher(IChatSender sender, TimeProvider time) => new(
        _db, new OutboxStore(_db, time), [sender], new OutboxSignal(), time, new CareClock(time, "Asia/Shanghai"),
        Options.Create(new DeliveryOptions { GlobalPerSecond = 1000, PerChatIntervalMs = 0, BackoffBaseMs = 1000, MaxBackoffSeconds = 60 }),
        Options.Create(new CareOptions { QuietHours = "00:00-00:00", CatchUpDays = 2 }),
        NullLogger<OutboxDispatcher>.Instance);

    private OutboxMessage Row(string key) => _db.Read(tx => tx.Outbox.FindOne(o => o.Key == key));

    [Fact]
    public async Task Through_days_of_network_errors_each_kind_waits_as_long_as_it_matters_then_expires_and_the_rest_is_sent()
    {
        // Monday 2026-11-23 09:00 in Shanghai.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));
        var store = new OutboxStore(_db, time);
        var mentor = new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor, Chat = TelegramChats.At(501), Status = Reachability.Reachable };
        var parent = new Person { Name = "张大山", Phone = "13700000001", Roles = Roles.Parent, Chat = TelegramChats.At(601), Status = Reachability.Reachable };
        var admin = new Person { Name = "刘校长", Phone = "13600000001", Roles = Roles.Admin, Chat = TelegramChats.At(701), Status = Reachability.Reachable };
        _db.Write(tx => tx.People.InsertBulk([mentor, parent, admin]));
        var meeting = new Meeting { Date = new DateOnly(2026, 11, 25), Time = "09:30", Place = "p", Title = "t" };
        _db.Write(tx => tx.Meetings.Insert(meeting));
        store.Enqueue(new OutboxMessage { Key = "remind:1:2026-11-23", PersonId = mentor.Id, Chat = TelegramChats.At(501), Text = "reminder", Kind = OutboxKind.Reminder, Priority = OutboxPriority.Bulk });
        store.Enqueue(new OutboxMessage { Key = "weekly:2:S001:2026-W48", PersonId = parent.Id, Chat = TelegramChats.At(601), Text = "weekly", Kind = OutboxKind.WeeklyUpdate, Week = "2026-W48", Priority = OutboxPriority.Bulk });
        store.Enqueue(new OutboxMessage { Key = $"meeting:{meeting.Id}:{parent.Id}", PersonId = parent.Id, Chat = TelegramChats.At(601), Text = "invitation", Kind = OutboxKind.Meeting, Priority = OutboxPriority.Bulk });
        store.Enqueue(new OutboxMessage { Key = "relay", PersonId = mentor.Id, Chat = TelegramChats.At(501), Text = "relay", Kind = OutboxKind.Relay, Priority = OutboxPriority.Reply });
        store.Enqueue(new OutboxMessage { Key = "escalate", PersonId = admin.Id, Chat = TelegramChats.At(701), Text = "escalation", Kind = OutboxKind.Escalation, Priority = OutboxPriority.Bulk });
        var network = new FlakyNetwork();
        var dispatcher = Dispatcher(network, time);

        async Task RunUntil(DateTimeOffset until)
        {
            while (time.GetUtcNow() < until)
            {
                await dispatcher.DrainOnceAsync(CancellationToken.None);
                time.Advance(TimeSpan.FromMinutes(30));
            }

            await dispatcher.DrainOnceAsync(CancellationToken.None);
        }

        OutboxStatus[] Statuses() => [.. new[] { "remind:1:2026-11-23", "weekly:2:S001:2026-W48", $"meeting:{meeting.Id}:{parent.Id}", "relay", "escalate" }.Select(k => Row(k).Status)];

        // Monday 23:30: everything still waits.
        await RunUntil(new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.FromHours(8)));
        Assert.Equal([OutboxStatus.Pending, OutboxStatus.Pending, OutboxStatus.Pending, OutboxStatus.Pending, OutboxStatus.Pending], Statuses());
        Assert.True(Row("relay").Attempts > 8, $"{Row("relay").Attempts} attempts");

        // Tuesday: Monday's reminder is over.
        await RunUntil(new DateTimeOffset(2026, 11, 24, 0, 30, 0, TimeSpan.FromHours(8)));
        Assert.Equal([OutboxStatus.Expired, OutboxStatus.Pending, OutboxStatus.Pending, OutboxStatus.Pending, OutboxStatus.Pending], Statuses());

        // Wednesday 09:30: the meeting has begun.
        await RunUntil(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal([OutboxStatus.Expired, OutboxStatus.Pending, OutboxStatus.Expired, OutboxStatus.Pending, OutboxStatus.Pending], Statuses());

        // Week 48 ends Sunday 29th; its catch-up window (2 days) closes Wednesday 2 December.
        await RunUntil(new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal(OutboxStatus.Pending, Row("weekly:2:S001:2026-W48").Status);
        await RunUntil(new DateTimeOffset(2026, 12, 2, 0, 30, 0, TimeSpan.FromHours(8)));
        Assert.Equal([OutboxStatus.Expired, OutboxStatus.Expired, OutboxStatus.Expired, OutboxStatus.Pending, OutboxStatus.Pending], Statuses());

        // Nine days on, the network is back: the relay and the escalation go out; nothing ever Failed.
        network.Up = true;
        await RunUntil(time.GetUtcNow().AddMinutes(5));
        Assert.Equal([OutboxStatus.Expired, OutboxStatus.Expired, OutboxStatus.Expired, OutboxStatus.Sent, OutboxStatus.Sent], Statuses());
        Assert.Equal([(501L, "relay"), (701L, "escalation")], network.Sent.OrderBy(s => s.Chat));
        Assert.Equal(3, new OutboxStore(_db, time).CountByStatus()[OutboxStatus.Expired]);
    }

    [Fact]
    public async Task A_row_goes_to_the_chat_its_person_has_when_it_is_sent_and_waits_held_when_they_have_none()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));
        var store = new OutboxStore(_db, time);
        var mentor = new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor, Chat = TelegramChats.At(501), Status = Reachability.Reachable };
        var other = new Person { Name = "赵老师", Phone = "13800000002", Roles = Roles.Mentor, Chat = TelegramChats.At(502), Status = Reachability.Reachable };
        _db.Write(tx => tx.People.InsertBulk([mentor, other]));
        store.Enqueue(new OutboxMessage { Key = "a", PersonId = mentor.Id, Chat = TelegramChats.At(501), Text = "for 王老师", Kind = OutboxKind.Relay, Priority = OutboxPriority.Reply });
        store.Enqueue(new OutboxMessage { Key = "b", PersonId = other.Id, Chat = TelegramChats.At(502), Text = "for 赵老师", Kind = OutboxKind.Relay, Priority = OutboxPriority.Reply });

        // Planned for chats 501 and 502; since then 王老师 moved to chat 503 (relink) and 赵老师 has no chat.
        _db.Write(tx =>
        {
            mentor.Chat = TelegramChats.At(503);
            tx.People.Update(mentor);
            (other.Chat, other.Status) = (null, Reachability.NotLinked);
            tx.People.Update(other);
        });
        var network = new FlakyNetwork { Up = true };
        await Dispatcher(network, time).DrainOnceAsync(CancellationToken.None);

        Assert.Equal([(503L, "for 王老师")], network.Sent);
        Assert.Equal((OutboxStatus.Sent, 503L), (Row("a").Status, Row("a").TelegramId));
        Assert.Equal(OutboxStatus.Held, Row("b").Status);
    }
}

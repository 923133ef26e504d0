using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests;

/// <summary>A small school in memory and a way to talk to the chat handler as its people.</summary>
internal sealed class ChatTestKit : IDisposable
{
    /// <summary>The channel the core tests play: Telegram's name, so the state keys are those of a real worker.</summary>
    public static readonly ChatChannel Telegram = new("telegram");


    private long _update = 1000;

    public ChatTestKit(StoreKind? store = null)
    {
        // Monday 2026-11-23 09:00 in Asia/Shanghai.
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));
        Db = TestStores.Open(store ?? StoreKind.LiteDb);
        Clock = new CareClock(Time, "Asia/Shanghai");
        Outbox = new OutboxStore(Db, Time);
        Invites = new InviteService(Db, Time);
        Options = new CareOptions();
        Handler = new ChatHandler(Db, Clock, Outbox, Invites, Options);
        Processor = new UpdateProcessor(Db, Handler, Outbox, Time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);
    }

    public FakeTimeProvider Time { get; }
    public CareDb Db { get; }
    public CareClock Clock { get; }
    public OutboxStore Outbox { get; }
    public InviteService Invites { get; }
    public CareOptions Options { get; }
    public ChatHandler Handler { get; }
    public UpdateProcessor Processor { get; }

    public Person AddPerson(string name, string phone, Roles roles, long? chatId, string lang = "zh")
    {
        var p = new Person { Name = name, Phone = phone, Roles = roles, Chat = TelegramChats.At(chatId), Language = lang, Status = chatId is null ? Reachability.NotLinked : Reachability.Reachable };
        Db.Write(tx => tx.People.Insert(p));
        return p;
    }

    /// <summary>A child of <paramref name="school"/> with 学号 <paramref name="no"/> (key {school}/{no}).</summary>
    public Child AddSchoolChild(string school, string no, string name, Person mentor, params Person[] parents)
    {
        var c = AddChild(SchoolDirectory.ChildKey(school, no), name, mentor, parents);
        c.SchoolId = school;
        c.StudentNo = no;
        Db.Write(tx => tx.Children.Update(c));
        return c;
    }

    public Child AddChild(string id, string name, Person mentor, params Person[] parents)
    {
        var c = new Child
        {
            Id = id,
            Name = name,
            Class = "三年级二班",
            GuardianName = "李奶奶",
            GuardianRelation = "祖母",
            GuardianPhone = "13900000000",
            Parents = parents.Select((p, i) => new ParentLink { PersonId = p.Id, Relation = i == 0 ? ParentRelation.Father : ParentRelation.Mother }).ToList(),
        };
        Db.Write(tx => tx.Children.Insert(c));
        Db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = id, Role = mentor.Has(Roles.Volunteer) ? PairingRole.Volunteer : PairingRole.Mentor, CreatedUtc = Time.GetUtcNow().UtcDateTime }));
        return c;
    }

    public IncomingMessage Text(long chat, string text, int? replyTo = null, ChatKind kind = ChatKind.Private) =>
        new(++_update, TelegramChats.At(chat), kind, IncomingKind.Text, text, ReplyToMessageId: replyTo);

    /// <summary>A photo, voice note (Media) or sticker (Other) with an optional caption, as the channel maps it.</summary>
    public IncomingMessage Media(long chat, MediaKind kind, string? caption = null, int? replyTo = null, ChatKind chatKind = ChatKind.Private)
    {
        var id = ++_update;
        return new(id, TelegramChats.At(chat), chatKind, kind == MediaKind.Other ? IncomingKind.Other : IncomingKind.Media, caption, ReplyToMessageId: replyTo, MessageId: (int)id,
            Media: new MediaRef { Kind = kind, FileId = kind == MediaKind.Other ? "" : $"file-{id}", FileUniqueId = $"uniq-{id}", Caption = caption, Size = 12345 });
    }

    public IncomingMessage Button(long chat, string data, int messageId = 1) =>
        new(++_update, TelegramChats.At(chat), ChatKind.Private, IncomingKind.Button, null, ButtonData: data, ButtonMessageId: messageId, CallbackId: $"cb{_update}");

    /// <summary>Processes the message and returns the texts it queued to <paramref name="chat"/>.</summary>
    public List<string> Send(IncomingMessage message, long? chat = null)
    {
        var before = Db.Read(tx => tx.Outbox.Count());
        Processor.Process(message);
        var to = TelegramChats.At(chat) ?? message.Chat;
        return Db.Read(tx => tx.Outbox.FindAll().Skip(before).Where(o => o.Chat == to).Select(o => o.Text).ToList());
    }

    /// <summary>Pretends the dispatcher sent the newest row to <paramref name="chat"/> as channel message <paramref name="messageId"/>.</summary>
    public OutboxMessage MarkLastSent(long chat, int messageId)
    {
        var to = TelegramChats.At(chat);
        var row = Db.Read(tx => tx.Outbox.Find(o => o.Chat == to).OrderByDescending(o => o.Id).First());
        Outbox.MarkSent(row, messageId);
        return row;
    }

    public void Dispose() => Db.Dispose();
}

using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Tests.Shared;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>Chat addresses: a channel plus the channel's id of the chat, kept as one text and found by one equality.</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public void A_person_is_found_by_their_chat_address_and_only_on_its_channel()
    {
        var telegram = TelegramChats.At(100);
        var sameIdOtherChannel = new ChatAddress("wecom", "100");
        Db.Write(tx =>
        {
            tx.People.Insert(WithChat(NewPerson("13800000001", name: "telegram 100"), telegram));
            tx.People.Insert(WithChat(NewPerson("13800000002", name: "telegram 101"), TelegramChats.At(101)));
            tx.People.Insert(WithChat(NewPerson("13800000003", name: "wecom 100"), sameIdOtherChannel));
            tx.People.Insert(NewPerson("13800000004", name: "not linked"));
        });

        var found = Db.Read(tx => tx.People.FindOne(p => p.Chat == telegram));
        var lookedUpAgain = new ChatAddress("telegram", "100");

        Assert.Equal("telegram 100", found?.Name);
        Assert.Equal(telegram, found?.Chat);
        Assert.Equal("telegram:100", found?.Chat?.ToString());
        Assert.Equal(["telegram 100"], Db.Read(tx => tx.People.Find(p => p.Chat == lookedUpAgain).Select(p => p.Name).ToList()));
        Assert.Equal("wecom 100", Db.Read(tx => tx.People.FindOne(p => p.Chat == sameIdOtherChannel)?.Name));
        Assert.Equal(3, Db.Read(tx => tx.People.Count(p => p.Chat != null)));
        Assert.Equal(["not linked"], Db.Read(tx => tx.People.Find(p => p.Chat == null).Select(p => p.Name).ToList()));
        Assert.Null(Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(102))));
    }

    [Fact]
    public void Chat_addresses_match_without_regard_to_case_and_the_channel_is_kept_lowercase()
    {
        var written = new ChatAddress("WeCom", "Zhang:AbC");
        Db.Write(tx => tx.People.Insert(WithChat(NewPerson("13800000001", name: "zhang"), written)));

        var typedOtherwise = new ChatAddress("wecom", "zhang:abc");
        var back = Db.Read(tx => tx.People.FindOne(p => p.Chat == typedOtherwise));

        Assert.Equal("wecom", written.Channel);
        Assert.Equal("zhang", back?.Name);
        Assert.Equal("wecom:Zhang:AbC", back?.Chat?.ToString()); // kept as written; the id may hold ':'
        Assert.Equal(("wecom", "Zhang:AbC"), (back!.Chat!.Channel, back.Chat.Id));
    }

    [Fact]
    public void Many_outbox_rows_share_a_chat_and_the_sent_one_is_found_by_chat_and_channel_message_id()
    {
        var chat = TelegramChats.At(-1001234567890); // a group's id: "-" first, beyond 32 bits
        Db.Write(tx =>
        {
            foreach (var (key, messageId) in new[] { ("a", 7), ("b", 8) })
            {
                var row = NewMessage(key, OutboxStatus.Sent);
                row.Chat = chat;
                row.ChannelMessageId = messageId;
                tx.Outbox.Insert(row);
            }

            var elsewhere = NewMessage("c", OutboxStatus.Sent);
            elsewhere.ChannelMessageId = 8; // the same message id in another chat
            tx.Outbox.Insert(elsewhere);
            var held = NewMessage("d", OutboxStatus.Held);
            held.Chat = null;
            tx.Outbox.Insert(held);
        });

        Assert.Equal(["a", "b"], Db.Read(tx => tx.Outbox.Find(o => o.Chat == chat).Select(o => o.Key).Order().ToList()));
        Assert.Equal("b", Db.Read(tx => OutboxStore.FindSent(tx, chat, 8)?.Key));
        Assert.Equal("c", Db.Read(tx => OutboxStore.FindSent(tx, TelegramChats.At(100), 8)?.Key));
        Assert.Null(Db.Read(tx => OutboxStore.FindSent(tx, TelegramChats.At(-1001234567891), 7)));
        Assert.Null(Db.Read(tx => tx.Outbox.FindOne(o => o.Key == "d")).Chat);
    }

    private static Person WithChat(Person person, ChatAddress chat)
    {
        person.Chat = chat;
        person.Status = Reachability.Reachable;
        return person;
    }
}

using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Chat;

/// <summary>What the channel should do right after the update is committed (not durable, best effort).</summary>
public sealed record HandleOutcome(string? CallbackId = null, string? CallbackText = null, int? RemoveButtonsFromMessageId = null)
{
    public static readonly HandleOutcome None = new();
}

/// <summary>One inbound message being handled: who sent it, in which language, and the replies it produces.</summary>
internal sealed class ChatTurn(CareTx tx, IncomingMessage message, Person? person, OutboxStore outbox, string fallbackLanguage)
{
    private int _replies;

    /// <summary>The update's transaction: everything this turn reads and writes.</summary>
    public CareTx Tx { get; } = tx;

    public IncomingMessage Message { get; } = message;
    public Person? Person { get; } = person;
    public string Lang { get; } = person?.Language ?? fallbackLanguage;
    public string Actor => Person is null ? $"chat:{Message.ChatId}" : $"person:{Person.Id}";

    public string T(string key, params object?[] args) => Texts.Get(Lang, key, args);

    public void Reply(string key, params object?[] args) => ReplyText(T(key, args));

    /// <summary>The message this one replies to, if the bot sent it (a reminder, a relay, a weekly update).</summary>
    public OutboxMessage? RepliedTo() =>
        Message.ReplyToMessageId is { } replyTo ? outbox.FindSent(Message.ChatId, replyTo) : null;

    /// <summary>
    /// The cleaned text of a note, relay or notice; null (and the sender told why) when it is empty or too long.
    /// </summary>
    public string? Note(string? raw, string emptyKey)
    {
        var text = ChatCommand.Clean(raw ?? "");
        if (text.Length == 0)
        {
            Reply(emptyKey);
            return null;
        }

        if (text.Length > ChatCommand.MaxNoteLength)
        {
            Reply("chat.too_long", ChatCommand.MaxNoteLength);
            return null;
        }

        return text;
    }

    public void ReplyText(string text, List<OutButton>? buttons = null, string? childId = null, CareKind? replyAs = null) =>
        outbox.Enqueue(new OutboxMessage
        {
            Key = OutboxStore.ReplyKey(Message.UpdateId, Message.ChatId, _replies++),
            PersonId = Person?.Id ?? 0,
            ChatId = Message.ChatId,
            Text = text,
            Buttons = buttons ?? [],
            Priority = OutboxPriority.Reply,
            Kind = OutboxKind.Reply,
            ChildId = childId,
            ReplyAs = replyAs,
        });

    /// <summary>A message to someone else caused by this update (a relay, a notice), keyed by the update so it is made once.</summary>
    public bool SendTo(Person to, OutboxKind kind, OutboxPriority priority, string text, string? childId = null, int? relayFrom = null, CareKind? replyAs = null)
    {
        if (to.ChatId is not { } chat || to.Status != Reachability.Reachable)
        {
            return false;
        }

        return outbox.Enqueue(new OutboxMessage
        {
            Key = $"{kind.ToString().ToLowerInvariant()}:{Message.UpdateId}:{to.Id}:{childId}",
            PersonId = to.Id,
            ChatId = chat,
            Text = text,
            Priority = priority,
            Kind = kind,
            ChildId = childId,
            RelayFromPersonId = relayFrom,
            ReplyAs = replyAs,
        });
    }
}

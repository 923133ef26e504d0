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
internal sealed class ChatTurn(CareTx tx, IncomingMessage message, Person? person, OutboxStore outbox, string fallbackLanguage, DateOnly today)
{
    private int _replies;
    private readonly HashSet<string> _about = new(StringComparer.Ordinal);

    /// <summary>The update's transaction: everything this turn reads and writes.</summary>
    public CareTx Tx { get; } = tx;

    public IncomingMessage Message { get; } = message;
    public Person? Person { get; } = person;
    public string Lang { get; } = person?.Language ?? fallbackLanguage;
    /// <summary>The local date of this turn (the school's time zone).</summary>
    public DateOnly Today { get; } = today;

    /// <summary>The photo or voice note this message carries (null for text, stickers and other kinds).</summary>
    public MediaRef? IncomingMedia => Message.Kind == IncomingKind.Media && Message.Media is { Kind: MediaKind.Photo or MediaKind.Voice } m ? m : null;

    public string Actor => Person is null ? $"chat:{Message.Chat}" : $"person:{Person.Id}";

    public string T(string key, params object?[] args) => Texts.Get(Lang, key, args);

    public void Reply(string key, params object?[] args) => ReplyText(T(key, args));

    /// <summary>
    /// Children this turn's messages name (the child a record was saved for, a card, a list): each message the turn
    /// queues afterwards carries their ids (<see cref="OutboxMessage.ChildIds"/>), so that <c>forget</c> finds it by id.
    /// </summary>
    public void About(IEnumerable<string> childIds) => _about.UnionWith(childIds);

    public void About(params Child[] children) => About(children.Select(c => c.Id));

    /// <summary>The ids a message of this turn carries: the child it is about and those named with <see cref="About(IEnumerable{string})"/>.</summary>
    private List<string> ChildIds(string? childId) =>
        [.. _about.Append(childId).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The message this one replies to, if the bot sent it (a reminder, a relay, a weekly update).</summary>
    public OutboxMessage? RepliedTo() =>
        Message.ReplyToMessageId is { } replyTo ? OutboxStore.FindSent(Tx, Message.Chat, replyTo) : null;

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
        outbox.Enqueue(Tx, new OutboxMessage
        {
            Key = OutboxStore.ReplyKey(Message.UpdateId, Message.Chat, _replies++),
            PersonId = Person?.Id ?? 0,
            Chat = Message.Chat,
            Text = text,
            Buttons = buttons ?? [],
            Priority = OutboxPriority.Reply,
            Kind = OutboxKind.Reply,
            ChildId = childId,
            ChildIds = ChildIds(childId),
            ReplyAs = replyAs,
        });

    /// <summary>A message to someone else caused by this update (a relay, a notice), keyed by the update so it is made once.</summary>
    /// <param name="media">A photo, voice note or copy to send instead of a plain text (the text is its caption).</param>
    /// <param name="holdIfUnreachable">
    /// A parent's message for a teacher not linked yet or who blocked the bot: kept (Held, dated) and delivered when
    /// they link or unblock. Still returns false: it did not go out now.
    /// </param>
    /// <param name="buttons">Inline buttons for the recipient (a swap request's 同意 / 不同意).</param>
    public bool SendTo(Person to, OutboxKind kind, OutboxPriority priority, string text, string? childId = null, int? relayFrom = null, CareKind? replyAs = null, OutMedia? media = null, bool holdIfUnreachable = false, List<OutButton>? buttons = null)
    {
        var reachable = to.IsReachable;
        if (!reachable && !holdIfUnreachable)
        {
            return false;
        }

        var row = new OutboxMessage
        {
            Key = $"{kind.ToString().ToLowerInvariant()}:{Message.UpdateId}:{to.Id}:{childId}",
            PersonId = to.Id,
            Chat = to.Chat,
            Text = text,
            Priority = priority,
            Kind = kind,
            ChildId = childId,
            ChildIds = ChildIds(childId),
            RelayFromPersonId = relayFrom,
            ReplyAs = replyAs,
            Media = media,
            Buttons = buttons ?? [],
        };
        if (!reachable)
        {
            row.Text = HeldMessages.DatedText(to.Language, Today, text, media is not null);
            outbox.EnqueueHeld(Tx, row);
            return false;
        }

        return outbox.Enqueue(Tx, row);
    }
}

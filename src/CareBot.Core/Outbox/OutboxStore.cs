using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Outbox;

/// <summary>
/// The outbox: every message to a chat is a row first, created in the same transaction as its cause. Its sender
/// (<paramref name="sender"/>; one per worker, <see cref="OutboxSender.Local"/> by default) claims rows under a lease
/// before it sends them, so that two senders never take the same row while the lease holds.
/// </summary>
public sealed class OutboxStore(CareDb db, TimeProvider time, OutboxSender? sender = null)
{
    /// <summary>Who sends from this store, and how long its claims hold.</summary>
    public OutboxSender Sender { get; } = sender ?? OutboxSender.Local;

    /// <summary>Telegram's limit for one message.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>
    /// Adds a message unless a row with the same key exists, in a turn of its own (durable on return). Returns false
    /// when it already existed. Code inside a turn passes it: <see cref="Enqueue(CareTx, OutboxMessage)"/>.
    /// </summary>
    public bool Enqueue(OutboxMessage message) => db.Write(tx => Enqueue(tx, message));

    /// <summary>Adds a message in the caller's turn, together with the change that caused it. False when its key exists.</summary>
    public bool Enqueue(CareTx tx, OutboxMessage message) => Add(tx, message, time.GetUtcNow().UtcDateTime, OutboxStatus.Pending);

    /// <summary>
    /// <see cref="Enqueue"/> for code that has the turn but not the store (the meetings' invitations, written with the
    /// change that causes them): adds the message as Pending, due at once, unless a row with its key exists.
    /// </summary>
    public static bool Add(CareTx tx, OutboxMessage message, DateTime nowUtc) => Add(tx, message, nowUtc, OutboxStatus.Pending);

    private static bool Add(CareTx tx, OutboxMessage message, DateTime nowUtc, OutboxStatus status)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            // Added by its key in one statement: a taken key is refused by the unique index, and the turn goes on.
            Insert(tx, message, nowUtc, status);
            return true;
        }
        catch (DuplicateKeyException)
        {
            return false;
        }
    }

    /// <summary>
    /// Adds a message whose key the caller knows is new (a planner's first run for a week), in the caller's turn: no
    /// look-up first. The unique Key index still refuses a duplicate, loudly, rather than sending twice.
    /// </summary>
    public void EnqueueNew(CareTx tx, OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Insert(tx, message);
    }

    /// <summary>Adds a Held row (see <see cref="HeldMessages"/>) in the caller's turn: kept until its recipient is reachable. False when the key exists.</summary>
    public bool EnqueueHeld(CareTx tx, OutboxMessage message) => Add(tx, message, time.GetUtcNow().UtcDateTime, OutboxStatus.Held);

    private void Insert(CareTx tx, OutboxMessage message) => Insert(tx, message, time.GetUtcNow().UtcDateTime);

    private static void Insert(CareTx tx, OutboxMessage message, DateTime now, OutboxStatus status = OutboxStatus.Pending)
    {
        message.CreatedUtc = now;
        if (message.NotBeforeUtc == default)
        {
            message.NotBeforeUtc = now;
        }

        message.Status = status;
        tx.Outbox.Insert(message);
    }

    /// <summary>A unique key for a reply that has no natural idempotency key (it is created once, with its cause).</summary>
    public static string ReplyKey(long updateId, ChatAddress chat, int index) => $"reply:{updateId}:{chat}:{index}";

    /// <summary>
    /// Claims up to <paramref name="max"/> rows due now for this store's sender, for its batch lease (see
    /// <see cref="CareDb.ClaimOutbox"/>); rows another sender holds are left to it.
    /// </summary>
    public List<OutboxMessage> ClaimDue(int max)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.ClaimOutbox(new OutboxClaim(max, now, Sender.Owner, now + Sender.BatchLease));
    }

    /// <summary>
    /// Lets go of this sender's claims on rows it has not sent (a graceful stop, or the lead lost), so that the next
    /// sender takes them at once rather than when the lease ends. Returns how many were let go.
    /// </summary>
    public int ReleaseClaims() => db.Mark(tx =>
    {
        var owner = Sender.Owner;
        var held = tx.Outbox.Find(o => o.ClaimedBy == owner).Where(o => o.Status is OutboxStatus.Pending or OutboxStatus.Sending).ToList();
        foreach (var row in held)
        {
            row.ClaimedBy = null;
            row.LeaseUntilUtc = null;
            tx.Outbox.Update(row);
        }

        return held.Count;
    });

    /// <summary>
    /// The rows this store's sender may claim now, read without claiming them (see <see cref="CareTx.DueFor"/>):
    /// open and due, not held by another sender, replies first, oldest first.
    /// </summary>
    public List<OutboxMessage> Due(int max)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.Read(tx => tx.DueFor(new OutboxClaim(max, now, Sender.Owner, now)));
    }

    /// <summary>The earliest time a pending row becomes due, or null when none is pending.</summary>
    public DateTime? NextDueUtc() => db.Read(NextDueLocked);

    private static DateTime? NextDueLocked(CareTx tx)
    {
        DateTime? next = null;
        foreach (var status in OutboxClaim.Open)
        {
            var first = tx.Outbox.FindOrdered(o => o.Status == status, o => o.NotBeforeUtc, 1).Select(o => o.NotBeforeUtc).ToList();
            if (first.Count > 0 && (next is null || first[0] < next))
            {
                next = first[0];
            }
        }

        return next;
    }

    /// <summary>The most rows of one status <see cref="CountByStatus"/> counts; more shows as this plus one.</summary>
    public const int StatusCountCap = 1000;

    /// <summary>
    /// How many rows have each status, up to <see cref="StatusCountCap"/> + 1 each (what <c>carebot status</c> shows
    /// as "1000+"). The heartbeat asks every 15 seconds inside the database's one lock: a full count walks weeks of
    /// sent rows (about 5 µs each: 0.7 s for 150,000), a capped one stops after a thousand.
    /// </summary>
    public Dictionary<OutboxStatus, int> CountByStatus() =>
        db.Read(tx => Enum.GetValues<OutboxStatus>().ToDictionary(
            status => status,
            status => tx.Outbox.CountUpTo(o => o.Status == status, StatusCountCap + 1)));

    public int PendingCount() => db.Read(tx => OutboxClaim.Open.Sum(status => tx.Outbox.Count(o => o.Status == status)));

    /// <summary>
    /// Deletes finished rows (sent, failed, unreachable, expired) created before <paramref name="beforeUtc"/>, so the
    /// outbox holds weeks, not years, of messages. Returns how many went.
    /// </summary>
    public int PruneFinished(DateTime beforeUtc) => db.Write(tx =>
        new[] { OutboxStatus.Sent, OutboxStatus.Failed, OutboxStatus.Unreachable, OutboxStatus.Expired }
            .Sum(status => tx.Outbox.DeleteMany(o => o.Status == status && o.CreatedUtc < beforeUtc)));

    /// <summary>
    /// Takes a row for sending, in one turn, from what is stored now rather than what was read when the batch was
    /// (a relink, a handover, a forget or a block may have changed it since): gone or no longer open: nothing to send;
    /// held by another sender's live lease: left to it;
    /// no longer mattering (<paramref name="hasExpired"/>): Expired; its person blocked the bot: left to
    /// <see cref="MarkBlocked"/>; its person has no chat now: Held until they link again (a relay dated by
    /// <paramref name="dateOf"/>); otherwise addressed to the person's current chat and marked Sending (after a crash a
    /// Sending row is sent again) under this sender's lease. A row for no person (an unknown chat's reply) keeps its chat.
    /// </summary>
    public SendClaim Claim(long rowId, Func<CareTx, OutboxMessage, bool> hasExpired, Func<DateTime, DateOnly> dateOf)
    {
        ArgumentNullException.ThrowIfNull(hasExpired);
        ArgumentNullException.ThrowIfNull(dateOf);

        // A Mark turn: no writer (a relink holding the row, a withdrawal, a forget) can come between this read and the write.
        return db.Mark(tx =>
        {
            if (tx.Outbox.FindById(rowId) is not { Status: OutboxStatus.Pending or OutboxStatus.Sending } row)
            {
                return new SendClaim(ClaimResult.Gone, null);
            }

            var now = time.GetUtcNow().UtcDateTime;
            if (OutboxClaim.HeldByAnother(row, Sender.Owner, now))
            {
                return new SendClaim(ClaimResult.Taken, null);
            }

            if (hasExpired(tx, row))
            {
                row.Status = OutboxStatus.Expired;
                row.LastError = "expired";
                tx.Outbox.Update(row);
                return new SendClaim(ClaimResult.Expired, row);
            }

            if (row.PersonId != 0 && tx.People.FindById(row.PersonId) is { } person)
            {
                if (person.Status == Reachability.Blocked)
                {
                    return new SendClaim(ClaimResult.Blocked, row);
                }

                if (person.Chat is not { } chat)
                {
                    row.Status = OutboxStatus.Held;
                    row.LastError = "no chat";
                    if (row.Kind == OutboxKind.Relay)
                    {
                        row.Text = HeldMessages.DatedText(person.Language, dateOf(row.CreatedUtc), row.Text, row.Media is not null);
                    }

                    tx.Outbox.Update(row);
                    return new SendClaim(ClaimResult.Held, row);
                }

                row.Chat = chat;
            }

            row.Status = OutboxStatus.Sending;
            row.Attempts++;
            row.ClaimedBy = Sender.Owner;
            row.LeaseUntilUtc = now + Sender.Lease;
            tx.Outbox.Update(row);
            return new SendClaim(ClaimResult.Send, row);
        });
    }

    /// <summary>Records that the first <paramref name="parts"/> parts of a split text went out.</summary>
    public void MarkPartsSent(OutboxMessage row, int parts)
    {
        row.PartsSent = parts;
        db.MarkOutbox(row);
    }

    public void MarkSent(OutboxMessage row, int? channelMessageId)
    {
        row.Status = OutboxStatus.Sent;
        row.SentUtc = time.GetUtcNow().UtcDateTime;
        row.ChannelMessageId = channelMessageId;
        row.LastError = null;
        db.MarkOutbox(row);
    }

    /// <summary>Back to Pending, to be tried again at <paramref name="notBeforeUtc"/>.</summary>
    public void Retry(OutboxMessage row, DateTime notBeforeUtc, string error)
    {
        row.Status = OutboxStatus.Pending;
        row.NotBeforeUtc = notBeforeUtc;
        row.LastError = error;
        db.MarkOutbox(row);
    }

    /// <summary>Marks a row Expired: it stopped mattering before it could be sent (see <see cref="OutboxExpiry"/>).</summary>
    public void MarkExpired(OutboxMessage row, string error)
    {
        row.Status = OutboxStatus.Expired;
        row.LastError = error;
        db.MarkOutbox(row);
    }

    public void MarkFailed(OutboxMessage row, string error)
    {
        row.Status = OutboxStatus.Failed;
        row.LastError = error;
        db.MarkOutbox(row);
    }

    /// <summary>
    /// The person blocked the bot: their row and every other pending row to them stop, and they are marked. A parent's
    /// message to a carer is held instead (see <see cref="HeldMessages"/>), its text dated by <paramref name="dateOf"/>.
    /// </summary>
    public void MarkBlocked(OutboxMessage row, string error, Func<DateTime, DateOnly>? dateOf = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        db.Write(tx =>
        {
            var person = tx.People.FindById(row.PersonId);
            if (person is not null)
            {
                tx.MarkBlocked(person, time.GetUtcNow().UtcDateTime, "system");
            }

            var chat = row.Chat;
            var stopped = (chat is null ? [] : tx.Outbox.Find(o => o.Chat == chat)).Where(o => o.Id != row.Id && o.Status is OutboxStatus.Pending or OutboxStatus.Sending).ToList();
            stopped.Add(row);
            foreach (var other in stopped)
            {
                if (dateOf is not null && other.PersonId == row.PersonId && HeldMessages.ShouldHold(other, person))
                {
                    other.Status = OutboxStatus.Held;
                    other.Text = HeldMessages.DatedText(person!.Language, dateOf(other.CreatedUtc), other.Text, other.Media is not null);
                }
                else
                {
                    other.Status = OutboxStatus.Unreachable;
                }

                other.LastError = error;
                tx.Outbox.Update(other);
            }
        });
    }

    /// <summary>True while a message to <paramref name="chat"/> is on the wire (Sending, its channel id not yet saved).</summary>
    public bool HasInFlight(ChatAddress chat) => db.Read(tx => tx.Outbox.Exists(o => o.Chat == chat && o.Status == OutboxStatus.Sending));

    /// <summary>The sent message a chat reply points at, for context (child, relayed parent).</summary>
    public OutboxMessage? FindSent(ChatAddress chat, int channelMessageId) => db.Read(tx => FindSent(tx, chat, channelMessageId));

    /// <summary><see cref="FindSent(ChatAddress, int)"/> in the caller's turn.</summary>
    public static OutboxMessage? FindSent(CareTx tx, ChatAddress chat, int channelMessageId)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Outbox.FindOne(o => o.ChannelMessageId == channelMessageId && o.Chat == chat);
    }

    /// <summary>Splits a long text into parts of at most <see cref="MaxMessageLength"/> characters, at line breaks where possible.</summary>
    public static List<string> Split(string text, int max = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1, max / 2);
            if (cut <= 0)
            {
                cut = max;
                if (char.IsHighSurrogate(rest[cut - 1]))
                {
                    cut--;
                }
            }

            parts.Add(rest[..cut]);
            rest = rest[cut..].TrimStart('\n');
        }

        if (rest.Length > 0 || parts.Count == 0)
        {
            parts.Add(rest);
        }

        return parts;
    }
}

/// <summary>What <see cref="OutboxStore.Claim"/> found.</summary>
public enum ClaimResult
{
    /// <summary>Marked Sending, addressed to the person's current chat: send it.</summary>
    Send,
    /// <summary>Gone (erased) or no longer open (sent, held, taken away meanwhile).</summary>
    Gone,
    /// <summary>Marked Expired.</summary>
    Expired,
    /// <summary>Marked Held: its person has no chat now.</summary>
    Held,
    /// <summary>Its person blocked the bot: untouched, for <see cref="OutboxStore.MarkBlocked"/>.</summary>
    Blocked,
    /// <summary>Another sender holds it under a live lease: untouched, left to that sender.</summary>
    Taken,
}

/// <summary>The claim's result and the row as stored now (null when gone).</summary>
public sealed record SendClaim(ClaimResult Result, OutboxMessage? Row);

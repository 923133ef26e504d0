using CareBot.Core.Model;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Core.Outbox;

/// <summary>The outbox: every message to a chat is a row first, created in the same transaction as its cause.</summary>
public sealed class OutboxStore(CareDb db, TimeProvider time)
{
    /// <summary>Telegram's limit for one message.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>
    /// Adds a message unless a row with the same key exists. Returns false when it already existed.
    /// Call inside <see cref="CareDb.Write{T}"/> together with the change that caused it.
    /// </summary>
    public bool Enqueue(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (db.Outbox.Exists(o => o.Key == message.Key))
        {
            return false;
        }

        Insert(message);
        return true;
    }

    /// <summary>
    /// Adds a message whose key the caller knows is new (a planner's first run for a week): no look-up first.
    /// The unique Key index still refuses a duplicate, loudly, rather than sending twice.
    /// </summary>
    public void EnqueueNew(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Insert(message);
    }

    private void Insert(OutboxMessage message)
    {
        var now = time.GetUtcNow().UtcDateTime;
        message.CreatedUtc = now;
        if (message.NotBeforeUtc == default)
        {
            message.NotBeforeUtc = now;
        }

        message.Status = OutboxStatus.Pending;
        db.Outbox.Insert(message);
    }

    /// <summary>A unique key for a reply that has no natural idempotency key (it is created once, with its cause).</summary>
    public static string ReplyKey(long updateId, long chatId, int index) => $"reply:{updateId}:{chatId}:{index}";

    /// <summary>The statuses of rows still to be sent (Sending: cut off by a crash, sent again).</summary>
    private static readonly OutboxStatus[] Open = [OutboxStatus.Sending, OutboxStatus.Pending];

    /// <summary>Rows that may be sent now: pending and due, replies first, oldest first.</summary>
    /// <remarks>Each status is its own query so that it seeks the Status index; an OR of the two scans the outbox.</remarks>
    public List<OutboxMessage> Due(int max) => db.Exclusive(() => DueLocked(max));

    private List<OutboxMessage> DueLocked(int max)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var due = new List<OutboxMessage>(max);
        foreach (var priority in new[] { OutboxPriority.Reply, OutboxPriority.Bulk })
        {
            foreach (var status in Open)
            {
                if (due.Count >= max)
                {
                    return due;
                }

                due.AddRange(db.Outbox.Query()
                    .Where(o => o.Status == status)
                    .Where(o => o.Priority == priority && o.NotBeforeUtc <= now)
                    .OrderBy(o => o.Id)
                    .Limit(max - due.Count)
                    .ToList());
            }
        }

        return due;
    }

    /// <summary>The earliest time a pending row becomes due, or null when none is pending.</summary>
    public DateTime? NextDueUtc() => db.Exclusive(NextDueLocked);

    private DateTime? NextDueLocked()
    {
        DateTime? next = null;
        foreach (var status in Open)
        {
            var first = db.Outbox.Query()
                .Where(o => o.Status == status)
                .OrderBy(o => o.NotBeforeUtc)
                .Select(o => o.NotBeforeUtc)
                .Limit(1)
                .ToList();
            if (first.Count > 0 && (next is null || first[0] < next))
            {
                next = first[0];
            }
        }

        return next;
    }

    /// <summary>How many rows have each status (what <c>carebot status</c> shows); one short turn on the database.</summary>
    public Dictionary<OutboxStatus, int> CountByStatus() =>
        db.Exclusive(() => Enum.GetValues<OutboxStatus>().ToDictionary(status => status, status => db.Outbox.Count(o => o.Status == status)));

    public int PendingCount() => db.Exclusive(() => Open.Sum(status => db.Outbox.Count(o => o.Status == status)));

    /// <summary>
    /// Deletes finished rows (sent, failed, unreachable) created before <paramref name="beforeUtc"/>, so the outbox
    /// holds weeks, not years, of messages. Returns how many went.
    /// </summary>
    public int PruneFinished(DateTime beforeUtc) => db.Write(() =>
        new[] { OutboxStatus.Sent, OutboxStatus.Failed, OutboxStatus.Unreachable }
            .Sum(status => db.Outbox.DeleteMany(o => o.Status == status && o.CreatedUtc < beforeUtc)));

    /// <summary>Marks the row Sending before the call; after a crash a Sending row is sent again.</summary>
    public void MarkSending(OutboxMessage row)
    {
        row.Status = OutboxStatus.Sending;
        row.Attempts++;
        db.Exclusive(() => db.Outbox.Update(row));
    }

    /// <summary>Records that the first <paramref name="parts"/> parts of a split text went out.</summary>
    public void MarkPartsSent(OutboxMessage row, int parts)
    {
        row.PartsSent = parts;
        db.Exclusive(() => db.Outbox.Update(row));
    }

    public void MarkSent(OutboxMessage row, int? channelMessageId)
    {
        row.Status = OutboxStatus.Sent;
        row.SentUtc = time.GetUtcNow().UtcDateTime;
        row.ChannelMessageId = channelMessageId;
        row.LastError = null;
        db.Exclusive(() => db.Outbox.Update(row));
    }

    /// <summary>Back to Pending, to be tried again at <paramref name="notBeforeUtc"/>.</summary>
    public void Retry(OutboxMessage row, DateTime notBeforeUtc, string error)
    {
        row.Status = OutboxStatus.Pending;
        row.NotBeforeUtc = notBeforeUtc;
        row.LastError = error;
        db.Exclusive(() => db.Outbox.Update(row));
    }

    public void MarkFailed(OutboxMessage row, string error)
    {
        row.Status = OutboxStatus.Failed;
        row.LastError = error;
        db.Exclusive(() => db.Outbox.Update(row));
    }

    /// <summary>The person blocked the bot: their row and every other pending row to them stop, and they are marked.</summary>
    public void MarkBlocked(OutboxMessage row, string error)
    {
        db.Write(() =>
        {
            var person = db.People.FindById(row.PersonId);
            if (person is not null)
            {
                person.Status = Reachability.Blocked;
                person.UpdatedUtc = time.GetUtcNow().UtcDateTime;
                db.People.Update(person);
                db.AuditWrite(person.UpdatedUtc, "system", "person.blocked", null, $"person:{person.Id}");
            }

            foreach (var other in db.Outbox.Find(o => o.ChatId == row.ChatId).Where(o => o.Status is OutboxStatus.Pending or OutboxStatus.Sending).ToList())
            {
                other.Status = OutboxStatus.Unreachable;
                other.LastError = error;
                db.Outbox.Update(other);
            }

            row.Status = OutboxStatus.Unreachable;
            row.LastError = error;
            db.Outbox.Update(row);
        });
    }

    /// <summary>True while a message to <paramref name="chatId"/> is on the wire (Sending, its channel id not yet saved).</summary>
    public bool HasInFlight(long chatId) => db.Exclusive(() => db.Outbox.Exists(o => o.ChatId == chatId && o.Status == OutboxStatus.Sending));

    /// <summary>The sent message a chat reply points at, for context (child, relayed parent).</summary>
    public OutboxMessage? FindSent(long chatId, int channelMessageId) =>
        db.Exclusive(() => db.Outbox.FindOne(o => o.ChannelMessageId == channelMessageId && o.ChatId == chatId));

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

using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Text;
using CareBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace CareBot.Core.Chat;

/// <summary>
/// Applies one inbound update exactly once. In ONE transaction: the update id is recorded (unique), the handler's
/// records and outbox rows are saved, and the poll offset advances. The channel confirms the update to its server
/// only after this commit (by asking for the next updates from <see cref="Offset"/>), so a crash before the commit
/// means the update is delivered again, and a crash after it finds the id already recorded.
/// </summary>
/// <remarks>
/// Update ids are unique only within one id sequence of the server: Telegram picks new ids after a week without
/// updates, and a self-hosted server or a new token starts elsewhere, possibly lower. The channel tells the processor
/// when the ids went back (<see cref="BeginSequence"/>); the offset then starts again and the ids are recorded in the
/// new sequence, so a new update whose id equals an old one is applied, and a redelivery within a sequence is not.
/// </remarks>
/// <param name="channel">The adapter whose updates this applies: its name keys the poll offset and the id sequence.</param>
public sealed class UpdateProcessor(CareDb db, IChatHandler handler, OutboxStore outbox, TimeProvider time, ILogger<UpdateProcessor> logger, ChatChannel channel, IUpdateFence? fence = null)
{
    private string OffsetKey => channel.OffsetKey;

    private string SequenceKey => channel.SequenceKey;

    /// <summary>An update whose handling fails this many times is recorded with its error and skipped.</summary>
    public const int MaxAttempts = 3;

    private readonly Dictionary<long, int> _failures = [];

    /// <summary>The next update id to ask for.</summary>
    public long Offset => db.Read(tx => tx.State.FindById(OffsetKey)?.Value ?? 0);

    /// <summary>The server's id sequence the offset belongs to.</summary>
    public long Sequence => db.Read(CurrentSequence);

    /// <summary>
    /// The unique record id of an update: its id within its sequence (sequence 0 keeps the plain update id, as
    /// databases written before sequences have it). Update ids are 32-bit, so the sequence goes above them.
    /// </summary>
    public static long RecordId(long sequence, long updateId) => (sequence << 32) | (updateId & 0xFFFF_FFFFL);

    /// <summary>
    /// True when an update with this id and the same <paramref name="fingerprint"/> was recorded in the current
    /// sequence: the server sent it again (the same batch again), so it is a redelivery and no sign that its ids went back.
    /// </summary>
    public bool IsRecorded(long updateId, string? fingerprint) => db.Read(tx =>
        fingerprint is not null
        && tx.Updates.FindById(RecordId(CurrentSequence(tx), updateId)) is { } seen
        && string.Equals(seen.Fingerprint, fingerprint, StringComparison.Ordinal));

    /// <summary>
    /// The server's ids went back (it answered with ids below the offset that are not what was recorded under them): a
    /// new id sequence begins, its offset at 0 so that nothing of it is confirmed unseen. Committed with the batch.
    /// Returns the new sequence.
    /// </summary>
    public long BeginSequence()
    {
        _failures.Clear(); // counted by update id, which now means other updates
        return db.WriteDeferred(tx =>
        {
            var sequence = tx.State.FindById(SequenceKey) ?? new StateEntry { Id = SequenceKey };
            sequence.Value++;
            tx.State.Upsert(sequence);
            tx.State.Upsert(new StateEntry { Id = OffsetKey, Value = 0 });
            tx.AuditWrite(time.GetUtcNow().UtcDateTime, "system", channel.Name + ".sequence", null, $"sequence:{sequence.Value}");
            return sequence.Value;
        });
    }

    private long CurrentSequence(CareTx tx) => tx.State.FindById(SequenceKey)?.Value ?? 0;

    /// <summary>
    /// Handles the message; returns null when the update was applied before (a redelivery). The commit is not yet
    /// synced: the channel calls <see cref="CareDb.Sync"/> once for its batch before it confirms anything (group
    /// commit), and the dispatcher syncs before it sends a reply.
    /// </summary>
    /// <param name="message">The update.</param>
    /// <param name="fingerprint">The channel's ids of what it carried (see <see cref="ProcessedUpdate.Fingerprint"/>).</param>
    /// <param name="durable">Commit durably (the last update of a batch): its commit makes the batch's earlier ones
    /// durable too, so the channel's sync that follows has nothing left to do.</param>
    public HandleOutcome? Process(IncomingMessage message, string? fingerprint = null, bool durable = false)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            Func<CareTx, HandleOutcome?> work = tx =>
            {
                var (sequence, offset, recorded, fenceEntry) = ReadState(tx, message.UpdateId, fence?.Key);
                var id = RecordId(sequence, message.UpdateId);
                if (recorded is not null)
                {
                    AdvanceOffset(tx, offset, message.UpdateId);
                    return null;
                }

                // Before anything of the update is written (a stale leader's update is refused here, in its own turn).
                fence?.Check(fenceEntry);

                // The handler keys what it writes by the update id (its replies' idempotency keys): within a later
                // sequence that is the record id, so an update whose id equals an old one adds its own replies.
                var result = handler.Handle(tx, sequence == 0 ? message : message with { UpdateId = id });
                tx.SaveProcessed(
                    new ProcessedUpdate { Id = id, Sequence = sequence, Fingerprint = fingerprint, AtUtc = time.GetUtcNow().UtcDateTime, Attempts = Attempts(message.UpdateId) + 1 },
                    Advanced(offset, message.UpdateId));
                return result;
            };
            var outcome = durable ? db.Write(work) : db.WriteDeferred(work);
            _failures.Remove(message.UpdateId);
            return outcome;
        }
        catch (StorageFailedException)
        {
            // The database stopped on a disk error: the worker exits and the update comes again after the restart.
            throw;
        }
        catch (Exception ex) when (ex is IOException or StorageBusyException)
        {
            // The storage is busy or failing, not the message: never a reason to give up on what someone sent.
            logger.LogWarning(ex, "Update {UpdateId} could not be stored; it stays unconfirmed and comes again", message.UpdateId);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var attempts = Attempts(message.UpdateId) + 1;
            _failures[message.UpdateId] = attempts;
            if (attempts < MaxAttempts)
            {
                logger.LogWarning(ex, "Update {UpdateId} failed (attempt {Attempt} of {MaxAttempts})", message.UpdateId, attempts, MaxAttempts);
                throw;
            }

            // One bad update must never block the rest: record it with its error type, tell the sender, move on.
            logger.LogError(ex, "Update {UpdateId} skipped after {Attempts} failed attempts", message.UpdateId, attempts);
            db.Write(tx =>
            {
                RecordSkip(tx, message.UpdateId, ex.GetType().Name, fingerprint);
                if (message.ChatKind == ChatKind.Private)
                {
                    var person = tx.People.FindOne(p => p.Chat == message.Chat);
                    outbox.Enqueue(tx, new OutboxMessage
                    {
                        Key = OutboxStore.ReplyKey(RecordId(CurrentSequence(tx), message.UpdateId), message.Chat, 99),
                        PersonId = person?.Id ?? 0,
                        Chat = message.Chat,
                        Text = Texts.Get(person?.Language ?? Texts.Chinese, "chat.not_saved"),
                        Priority = OutboxPriority.Reply,
                    });
                }
            });
            _failures.Remove(message.UpdateId);
            return HandleOutcome.None;
        }
    }

    /// <summary>Records an update that carries nothing for CareBot (or could not be handled) and advances past it.</summary>
    public void Skip(long updateId, string? error = null, string? fingerprint = null) => db.WriteDeferred(tx => RecordSkip(tx, updateId, error, fingerprint));

    private bool RecordSkip(CareTx tx, long updateId, string? error, string? fingerprint)
    {
        var (sequence, offset, recorded, _) = ReadState(tx, updateId, null);
        var id = RecordId(sequence, updateId);
        if (recorded is null)
        {
            tx.SaveProcessed(
                new ProcessedUpdate { Id = id, Sequence = sequence, Fingerprint = fingerprint, AtUtc = time.GetUtcNow().UtcDateTime, Attempts = Attempts(updateId), Error = error },
                Advanced(offset, updateId));
        }
        else
        {
            AdvanceOffset(tx, offset, updateId);
        }

        return true;
    }

    private int Attempts(long updateId) => _failures.GetValueOrDefault(updateId);

    /// <summary>
    /// The channel's id sequence, its offset entry, the update recorded under <paramref name="updateId"/> and the entry
    /// <paramref name="fenceKey"/> names (when given), in one look-up.
    /// </summary>
    private (long Sequence, StateEntry Offset, ProcessedUpdate? Recorded, StateEntry? Fence) ReadState(CareTx tx, long updateId, string? fenceKey)
    {
        var (sequence, offset, recorded, fenced) = tx.ChannelState(SequenceKey, OffsetKey, updateId, fenceKey);
        return (sequence?.Value ?? 0, offset ?? new StateEntry { Id = OffsetKey }, recorded, fenced);
    }

    private static void AdvanceOffset(CareTx tx, StateEntry state, long updateId)
    {
        if (Advanced(state, updateId) is { } moved)
        {
            tx.State.Upsert(moved);
        }
    }

    /// <summary>The offset entry moved past <paramref name="updateId"/>, or null when it is past it already.</summary>
    private static StateEntry? Advanced(StateEntry state, long updateId)
    {
        if (updateId + 1 <= state.Value)
        {
            return null;
        }

        state.Value = updateId + 1;
        return state;
    }
}

using CareBot.Core.Model;
using CareBot.Core.Outbox;

namespace CareBot.Core.Storage;

/// <summary>
/// The two moments the worker lets something it committed with <see cref="CareDb.WriteDeferred{T}"/> be seen outside
/// the process, and the sync each needs first (README "Power cuts"). The poller and the dispatcher call these rather
/// than <see cref="CareDb.Sync"/>, and the power-cut proof drives the same calls, so a sync taken out of here fails it.
/// </summary>
public static class Confirmations
{
    /// <summary>
    /// The poller handled a getUpdates batch, each update in its own commit: one sync for all of them (group commit)
    /// before a button is answered or the next getUpdates confirms their offsets to Telegram.
    /// </summary>
    public static void BatchHandled(CareDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Sync();
    }

    /// <summary>
    /// The rows the dispatcher may send now, claimed for its sender (<see cref="OutboxStore.ClaimDue"/>). A row may come from a commit whose sync is still to come (the poller's
    /// batch shares one): it is made durable before it is returned, so no reply leaves before the record it confirms
    /// is on disk. No sync when nothing is due, or nothing was written since the last one.
    /// </summary>
    public static List<OutboxMessage> DueToSend(CareDb db, OutboxStore outbox, int max)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(outbox);
        var due = outbox.ClaimDue(max);
        if (due.Count > 0)
        {
            db.Sync();
        }

        return due;
    }
}

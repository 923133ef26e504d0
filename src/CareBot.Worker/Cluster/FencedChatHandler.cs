using CareBot.Core.Chat;
using CareBot.Core.Storage;

namespace CareBot.Worker.Cluster;

/// <summary>
/// An update polled by a node that is no longer the leader: its transaction is rolled back and nothing of it is
/// applied. An <see cref="OperationCanceledException"/>, so the update processor neither counts it as a failed attempt
/// nor skips the update: the current leader polls it again and applies it once.
/// </summary>
public sealed class FencedOutException(long polledUnder, long current)
    : OperationCanceledException($"Polled under epoch {polledUnder}, but epoch {current} leads now")
{
    public long PolledUnder { get; } = polledUnder;

    public long Current { get; } = current;
}

/// <summary>
/// Fencing for the poller: inside each update's own transaction, before anything of it is written, the epoch this node
/// polls under must still be the current one (<see cref="LeaderLease.EpochKey"/>). A new leader increments it in a
/// write turn before it polls, and write turns are serialized, so an update of a stale leader either committed before
/// the takeover (and the new leader's offset is past it) or is refused here. Updates recorded before (redeliveries)
/// and skipped ones write no effect and are not fenced.
/// </summary>
public sealed class FencedChatHandler(IChatHandler inner, LeaderLease lease) : IChatHandler
{
    public HandleOutcome Handle(CareTx tx, IncomingMessage message)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var polledUnder = lease.Epoch ?? 0;
        var current = tx.State.FindById(LeaderLease.EpochKey)?.Value ?? 0;
        if (polledUnder == 0 || polledUnder != current)
        {
            throw new FencedOutException(polledUnder, current);
        }

        return inner.Handle(tx, message);
    }
}

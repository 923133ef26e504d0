using CareBot.Core.Chat;
using CareBot.Core.Model;

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
/// polls under must still be the current one (<see cref="LeaderLease.EpochKey"/>, read with the channel's state in the
/// same look-up). A new leader increments it in a write turn before it polls, and write turns are serialized, so an
/// update of a stale leader either committed before the takeover (and the new leader's offset is past it) or is refused
/// here. Updates recorded before (redeliveries) and skipped ones write no effect and are not fenced.
/// </summary>
public sealed class LeaderFence(LeaderLease lease) : IUpdateFence
{
    public string Key => LeaderLease.EpochKey;

    public void Check(StateEntry? current)
    {
        var polledUnder = lease.Epoch ?? 0;
        var stored = current?.Value ?? 0;
        if (polledUnder == 0 || polledUnder != stored)
        {
            throw new FencedOutException(polledUnder, stored);
        }
    }
}

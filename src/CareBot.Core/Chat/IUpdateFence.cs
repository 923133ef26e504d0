using CareBot.Core.Model;

namespace CareBot.Core.Chat;

/// <summary>
/// A check that each update's own turn makes before its handler writes anything: in a cluster, that the epoch this node
/// polls under is still the current one, so that a stale leader never applies an update. Its state entry
/// (<see cref="Key"/>) is read together with the channel's own state, in one look-up
/// (<see cref="Storage.CareTx.ChannelState"/>). Redeliveries and skipped updates write no effect and are not checked.
/// </summary>
public interface IUpdateFence
{
    /// <summary>The state entry the check reads.</summary>
    string Key { get; }

    /// <summary>
    /// Throws when the update must not be applied (an <see cref="OperationCanceledException"/>, so that the update is
    /// neither counted as a failed attempt nor skipped: it is polled again and applied once); <paramref name="current"/>
    /// is the entry as stored in this turn, or null.
    /// </summary>
    void Check(StateEntry? current);
}

namespace CareBot.Core.Outbox;

/// <summary>
/// Who sends from the outbox: <paramref name="Owner"/> names the sender in its claims (a worker node's id in a
/// cluster), and <paramref name="Lease"/> is how long a claim keeps other senders off a row it has not finished.
/// </summary>
public sealed record OutboxSender(string Owner, TimeSpan Lease)
{
    /// <summary>How long a claim holds by default: longer than a send with its time-out, short enough for a failover.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a claimed batch is held: a third of the lease. Rows a killed sender claimed but never reached go to the
    /// next sender that much sooner; the row on the wire is held for the whole <see cref="Lease"/>.
    /// </summary>
    public TimeSpan BatchLease => Lease / 3;

    /// <summary>The one sender of a single worker: the same name across restarts, so a restart takes its own rows at once.</summary>
    public static OutboxSender Local { get; } = new("local", DefaultLease);
}

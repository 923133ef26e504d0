using CareBot.Core.Model;

namespace CareBot.Core.Storage;

/// <summary>
/// One sender's claim on the outbox rows due now (<see cref="CareDb.ClaimOutbox"/>): at most <paramref name="Max"/>
/// rows, due at <paramref name="NowUtc"/>, held by <paramref name="Owner"/> until <paramref name="LeaseUntilUtc"/>.
/// </summary>
public sealed record OutboxClaim(int Max, DateTime NowUtc, string Owner, DateTime LeaseUntilUtc)
{
    /// <summary>The statuses of rows still to be sent, in the order they are claimed (Sending: cut off by a crash).</summary>
    public static readonly OutboxStatus[] Open = [OutboxStatus.Sending, OutboxStatus.Pending];

    /// <summary>Whether a sender other than <paramref name="owner"/> holds <paramref name="row"/> under a live lease at <paramref name="nowUtc"/>.</summary>
    public static bool HeldByAnother(OutboxMessage row, string owner, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.ClaimedBy is { } by && by != owner && row.LeaseUntilUtc > nowUtc;
    }
}

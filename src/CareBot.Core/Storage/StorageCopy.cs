using CareBot.Core.Model;

namespace CareBot.Core.Storage;

/// <summary>
/// Copies every collection from one turn to another, document by document with their keys: a backup from PostgreSQL
/// into a LiteDB file, and <c>carebot migrate</c> from a LiteDB file into PostgreSQL. Returns the count per collection.
/// </summary>
public static class StorageCopy
{
    public static SortedDictionary<string, int> CopyAll(CareTx from, CareTx to, int batchSize = 5000)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        Copy(from.People, to.People, counts, batchSize);
        Copy(from.Children, to.Children, counts, batchSize);
        Copy(from.Pairings, to.Pairings, counts, batchSize);
        Copy(from.Records, to.Records, counts, batchSize);
        Copy(from.Audit, to.Audit, counts, batchSize);
        Copy(from.Invites, to.Invites, counts, batchSize);
        Copy(from.Throttles, to.Throttles, counts, batchSize);
        Copy(from.Outbox, to.Outbox, counts, batchSize);
        Copy(from.Updates, to.Updates, counts, batchSize);
        Copy(from.State, to.State, counts, batchSize);
        Copy(from.Aid, to.Aid, counts, batchSize);
        Copy(from.Meetings, to.Meetings, counts, batchSize);
        Copy(from.DutyTurns, to.DutyTurns, counts, batchSize);
        Copy(from.DutySwaps, to.DutySwaps, counts, batchSize);
        Copy(from.ReminderMarks, to.ReminderMarks, counts, batchSize);
        Copy(from.Concerns, to.Concerns, counts, batchSize);
        Copy(from.Flags, to.Flags, counts, batchSize);
        return counts;
    }

    /// <summary>The number of documents in each collection (what a copy is checked against).</summary>
    public static SortedDictionary<string, int> Count(CareTx tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, _, count) in tx.AllCollections())
        {
            counts[name] = count();
        }

        return counts;
    }

    private static void Copy<T>(IDocs<T> from, IDocs<T> to, SortedDictionary<string, int> counts, int batchSize)
        where T : class
    {
        var n = 0;
        to.InsertBulk(from.FindAll().Select(d =>
        {
            n++;
            return d;
        }), batchSize);
        counts[from.Name] = n;
    }
}

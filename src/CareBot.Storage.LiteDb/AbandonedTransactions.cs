using System.Collections;
using System.Reflection;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// LiteDB 5.0.21 closes its engine on a disk error in the middle of a write transaction. Closing disposes the open
/// transaction, which then fails to discard its dirty pages ("discarded page must be writable") and is left with its
/// finalizer armed; the finalizer throws the same error on the GC's thread later and takes the whole process down.
/// After a disk error CareDb stops the worker cleanly (exit 1) instead, so it disarms those finalizers here. LiteDB is
/// pinned to 5.0.21: the private fields read here (LiteDatabase._engine, LiteEngine._monitor,
/// TransactionMonitor._transactions) are that version's; if they are not found nothing happens.
/// </summary>
internal static class AbandonedTransactions
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    public static int Disarm(LiteDatabase db)
    {
        try
        {
            var engine = typeof(LiteDatabase).GetField("_engine", Private)?.GetValue(db);
            var monitor = engine?.GetType().GetField("_monitor", Private)?.GetValue(engine);
            if (monitor?.GetType().GetField("_transactions", Private)?.GetValue(monitor) is not IDictionary transactions)
            {
                return 0;
            }

            var count = 0;
            lock (transactions)
            {
                foreach (var transaction in transactions.Values)
                {
                    if (transaction is not null)
                    {
#pragma warning disable CA1816 // on purpose: LiteDB's transaction, whose own Dispose failed half-way
                        GC.SuppressFinalize(transaction);
#pragma warning restore CA1816
                        count++;
                    }
                }
            }

            return count;
        }
        catch (Exception ex) when (ex is TargetException or FieldAccessException or InvalidOperationException)
        {
            return 0;
        }
    }
}

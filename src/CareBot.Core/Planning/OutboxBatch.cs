using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;

namespace CareBot.Core.Planning;

/// <summary>
/// Collects planned rows and inserts them in one transaction per batch; existing keys are skipped, unless the
/// caller knows that none of the keys can exist yet (<paramref name="keysAreNew"/>: no look-up per row). A batch
/// filled inside a turn (<paramref name="autoFlush"/> false) is written after it, batch by batch, by <see cref="Flush"/>.
/// </summary>
internal sealed class OutboxBatch(CareDb db, OutboxStore outbox, int size = OutboxBatch.DefaultSize, bool keysAreNew = false, bool autoFlush = true)
{
    public const int DefaultSize = 500;

    private readonly List<OutboxMessage> _pending = new(size);
    private bool _keysAreNew = keysAreNew;

    /// <summary>Rows actually added (keys that did not exist yet).</summary>
    public int Added { get; private set; }

    public void Add(OutboxMessage message)
    {
        _pending.Add(message);
        if (autoFlush && _pending.Count >= size)
        {
            Flush();
        }
    }

    public int Flush()
    {
        foreach (var chunk in _pending.Chunk(size))
        {
            Added += FlushPending(chunk);
        }

        _pending.Clear();
        return Added;
    }

    private int FlushPending(OutboxMessage[] pending)
    {
        if (_keysAreNew)
        {
            try
            {
                return db.Write(tx =>
                {
                    Array.ForEach(pending, row => outbox.EnqueueNew(tx, row));
                    return pending.Length;
                });
            }
            catch (DuplicateKeyException)
            {
                // A key existed after all (rows from before the week's marker): this batch was rolled back; check
                // every key from here on.
                _keysAreNew = false;
                foreach (var row in pending)
                {
                    row.Id = 0;
                }
            }
        }

        return db.Write(tx => pending.Count(row => outbox.Enqueue(tx, row)));
    }
}

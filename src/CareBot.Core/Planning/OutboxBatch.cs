using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;

namespace CareBot.Core.Planning;

/// <summary>
/// Collects planned rows and inserts them in one transaction per batch; existing keys are skipped, unless the
/// caller knows that none of the keys can exist yet (<paramref name="keysAreNew"/>: no look-up per row).
/// </summary>
internal sealed class OutboxBatch(CareDb db, OutboxStore outbox, int size = OutboxBatch.DefaultSize, bool keysAreNew = false)
{
    public const int DefaultSize = 500;

    private readonly List<OutboxMessage> _pending = new(size);
    private bool _keysAreNew = keysAreNew;

    /// <summary>Rows actually added (keys that did not exist yet).</summary>
    public int Added { get; private set; }

    public void Add(OutboxMessage message)
    {
        _pending.Add(message);
        if (_pending.Count >= size)
        {
            Flush();
        }
    }

    public int Flush()
    {
        if (_pending.Count > 0)
        {
            Added += FlushPending();
            _pending.Clear();
        }

        return Added;
    }

    private int FlushPending()
    {
        if (_keysAreNew)
        {
            try
            {
                return db.Write(_ =>
                {
                    _pending.ForEach(outbox.EnqueueNew);
                    return _pending.Count;
                });
            }
            catch (DuplicateKeyException)
            {
                // A key existed after all (rows from before the week's marker): this batch was rolled back; check
                // every key from here on.
                _keysAreNew = false;
                foreach (var row in _pending)
                {
                    row.Id = 0;
                }
            }
        }

        return db.Write(_ => _pending.Count(outbox.Enqueue));
    }
}

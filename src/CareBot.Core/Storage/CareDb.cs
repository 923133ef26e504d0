using CareBot.Core.Model;
namespace CareBot.Core.Storage;

/// <summary>
/// The storage port: CareBot's one database, whichever provider keeps it (LiteDB, the embedded default, or
/// PostgreSQL). Storage calls are synchronous and short; a unit of work begins and commits inside one
/// <see cref="Write{T}"/> call and never spans an await. Turns are explicit (CareDb.Turns.cs): code that works in the
/// caller's turn takes its <see cref="CareTx"/>; a turn started inside another on the same thread, or a write in a read
/// turn, is refused with <see cref="InvalidOperationException"/>.
/// </summary>
public abstract partial class CareDb : IDisposable
{
    /// <summary>The schema this code reads and writes (LiteDB's <c>UserVersion</c>, PostgreSQL's schema version row).</summary>
    public const int SchemaVersion = 3;

    /// <summary>
    /// The channel of the bare chat ids that schemas before 3 kept (people's ChatId, outbox rows' ChatId, a copy's
    /// CopyFromChatId, the invite slow-down's key): all Telegram's. The upgrade to 3 makes them <see cref="Model.ChatAddress"/>es.
    /// </summary>
    public const string ChannelBeforeSchema3 = "telegram";

    /// <summary>Where the data is, for messages: the file's path, or the server and database (never a password).</summary>
    public abstract string Path { get; }

    /// <summary>Whether the file is encrypted with <c>Storage:Password</c> (LiteDB only).</summary>
    public virtual bool Encrypted => false;

    /// <summary>Log pages dropped at open after a power cut (LiteDB only; see its file layer). Zero after a clean stop.</summary>
    public virtual int RepairedLogPages => 0;

    /// <summary>Raised once when the database can no longer be used (a disk error, the server gone too long); the worker exits on it.</summary>
    public event Action<Exception>? Failed;

    /// <summary>The error that stopped the database, or null.</summary>
    public abstract Exception? Failure { get; }

    protected void RaiseFailed(Exception error) => Failed?.Invoke(error);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction: all of it is committed, or none; and the commit is durable
    /// before this returns, so a caller may confirm it to a person.
    /// </summary>
    public abstract T Write<T>(Func<CareTx, T> work);

    public void Write(Action<CareTx> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Write(tx =>
        {
            work(tx);
            return true;
        });
    }

    /// <summary>
    /// Like <see cref="Write{T}"/>, but leaves the durability to the next <see cref="Sync"/>: the updates of one
    /// getUpdates batch share one sync (group commit). Nothing written this way may be confirmed before that Sync.
    /// </summary>
    public abstract T WriteDeferred<T>(Func<CareTx, T> work);

    public void WriteDeferred(Action<CareTx> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        WriteDeferred(tx =>
        {
            work(tx);
            return true;
        });
    }

    /// <summary>Makes every commit so far durable. Call it before confirming anything written with <see cref="WriteDeferred{T}"/> or <see cref="Mark"/>.</summary>
    public abstract void Sync();

    /// <summary>Runs reads (no writes: see <see cref="ThrowIfReadOnly"/>).</summary>
    public abstract T Read<T>(Func<CareTx, T> work);

    public void Read(Action<CareTx> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Read(tx =>
        {
            work(tx);
            return true;
        });
    }

    /// <summary>
    /// A turn for single writes, each committed by itself, that need no sync of their own (the dispatcher's Sending
    /// and Sent marks: a power cut can cause a message to be sent again, never lost).
    /// </summary>
    public void Mark(Action<CareTx> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Mark(tx =>
        {
            work(tx);
            return true;
        });
    }

    /// <summary>
    /// A turn that reads and then writes a few documents (the dispatcher's claim of a row), each write committed
    /// without a sync of its own. No writer may come between its read and its write: on LiteDB every turn takes the
    /// one lock; a server provider runs it as a short transaction under the writers' lock.
    /// </summary>
    public virtual T Mark<T>(Func<CareTx, T> work) => Read(work);

    /// <summary>
    /// Claims the outbox rows due now for one sender (<see cref="OutboxClaim"/>): marks them claimed by it until the
    /// lease ends, and returns them, replies first. Rows another sender holds under a live lease are skipped. A claim
    /// needs no sync: a claim lost to a power cut only lets the row be claimed again. A server provider claims in one
    /// statement with <c>FOR UPDATE SKIP LOCKED</c>, outside the writers' lock.
    /// </summary>
    public virtual List<OutboxMessage> ClaimOutbox(OutboxClaim claim) => Mark(tx => tx.ClaimDue(claim));

    /// <summary>
    /// Saves the sender's own mark on an outbox row it holds (sent, parts sent, to retry, expired, failed), committed
    /// without a sync of its own, like <see cref="Mark"/>. A server provider writes it in one statement outside the
    /// writers' lock: the row is the sender's under its claim, and the mark waits for no planner or update.
    /// </summary>
    public virtual void MarkOutbox(OutboxMessage row) => Mark(tx => tx.Outbox.Update(row));

    /// <summary>
    /// Calls <paramref name="changed"/> when rows may have become due in the outbox because another process added or
    /// released them (a server provider: PostgreSQL's LISTEN/NOTIFY), until the result is disposed. A single-process
    /// database has no other writer to hear: nothing is called. A wake-up may be spurious; the sender looks and sees.
    /// </summary>
    public virtual IDisposable WatchOutbox(Action changed) => NoWatch.Instance;

    private sealed class NoWatch : IDisposable
    {
        public static readonly NoWatch Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Reads that must see one moment of the whole database (a backup): on LiteDB every turn does; a server provider
    /// runs it in one snapshot transaction.
    /// </summary>
    public virtual T ReadSnapshot<T>(Func<CareTx, T> work) => Read(work);

    /// <summary>
    /// Reads a whole collection in slices of <paramref name="slice"/> documents in key order, each slice one turn, so
    /// that a long read (a planner over a county) lets other work through between slices. Not a snapshot.
    /// </summary>
    public IEnumerable<T> ReadInSlices<T>(Func<CareTx, IDocs<T>> collection, Func<T, DocId> id, int slice = 5000)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(id);
        DocId? last = null;
        while (true)
        {
            var after = last;
            var chunk = Read(tx => collection(tx).Slice(after, slice));
            foreach (var item in chunk)
            {
                yield return item;
            }

            if (chunk.Count < slice)
            {
                yield break;
            }

            last = id(chunk[^1]);
        }
    }

    /// <summary>Housekeeping of the provider (LiteDB moves its log into the data file); nothing for a server.</summary>
    public virtual void Checkpoint()
    {
    }

    public abstract void Dispose();
}

using CareBot.Core.Model;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>The collections of the LiteDB database as CareBot's <see cref="IDocs{T}"/>, for one turn (see <see cref="CareTx"/>).</summary>
public sealed class LiteTx : CareTx
{
    private readonly Action _throwIfReadOnly;

    /// <param name="throwIfReadOnly">Throws unless the thread's turn may write (<see cref="CareDb.ThrowIfReadOnly"/>).</param>
    internal LiteTx(LiteDatabase db, Action throwIfReadOnly)
    {
        _throwIfReadOnly = throwIfReadOnly;
        Raw = db;
        Collections = new LiteCollections(db);
    }

    /// <summary>The database itself, for the backup, the schema upgrade and the tests of the file (every collection, UserVersion).</summary>
    internal LiteDatabase Raw { get; }

    /// <summary>The LiteDB collections themselves, for the indexes at open.</summary>
    internal LiteCollections Collections { get; }

    /// <summary>Through the "parents" index on <c>$.Parents[*].PersonId</c>.</summary>
    public override IEnumerable<Child> ChildrenOfParent(int personId) =>
        Collections.Children.Find(BsonExpression.Create("$.Parents[*].PersonId ANY = @0", new BsonValue(personId)));

    public override bool IsParentOfAny(int personId) =>
        Collections.Children.Exists(BsonExpression.Create("$.Parents[*].PersonId ANY = @0", new BsonValue(personId)));

    protected override IDocs<T> Docs<T>() => new LiteDocs<T>(Raw.GetCollection<T>(StorageCatalog.Of<T>().Name), StorageCatalog.Of<T>(), _throwIfReadOnly);
}

/// <summary>The LiteDB collections of the database by CareBot's names.</summary>
internal sealed class LiteCollections(LiteDatabase db)
{
    public ILiteCollection<Person> People { get; } = Get<Person>(db);
    public ILiteCollection<Child> Children { get; } = Get<Child>(db);
    public ILiteCollection<Pairing> Pairings { get; } = Get<Pairing>(db);
    public ILiteCollection<CareRecord> Records { get; } = Get<CareRecord>(db);
    public ILiteCollection<AuditEntry> Audit { get; } = Get<AuditEntry>(db);
    public ILiteCollection<Invite> Invites { get; } = Get<Invite>(db);
    public ILiteCollection<ChatThrottle> Throttles { get; } = Get<ChatThrottle>(db);
    public ILiteCollection<OutboxMessage> Outbox { get; } = Get<OutboxMessage>(db);
    public ILiteCollection<ProcessedUpdate> Updates { get; } = Get<ProcessedUpdate>(db);
    public ILiteCollection<StateEntry> State { get; } = Get<StateEntry>(db);
    public ILiteCollection<AidEntry> Aid { get; } = Get<AidEntry>(db);
    public ILiteCollection<Meeting> Meetings { get; } = Get<Meeting>(db);
    public ILiteCollection<DutyTurn> DutyTurns { get; } = Get<DutyTurn>(db);
    public ILiteCollection<DutySwap> DutySwaps { get; } = Get<DutySwap>(db);
    public ILiteCollection<ReminderMark> ReminderMarks { get; } = Get<ReminderMark>(db);
    public ILiteCollection<Concern> Concerns { get; } = Get<Concern>(db);
    public ILiteCollection<SafeguardingFlag> Flags { get; } = Get<SafeguardingFlag>(db);

    private static ILiteCollection<T> Get<T>(LiteDatabase db) => db.GetCollection<T>(StorageCatalog.Of<T>().Name);
}

/// <summary>The tests' way to the LiteDB database under a turn.</summary>
internal static class LiteTxAccess
{
    public static LiteDatabase Raw(this CareTx tx) => ((LiteTx)tx).Raw;
}

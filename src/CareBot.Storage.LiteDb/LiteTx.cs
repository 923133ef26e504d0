using CareBot.Core.Model;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>The collections of the LiteDB database as CareBot's <see cref="IDocs{T}"/>, for one turn (see <see cref="CareTx"/>).</summary>
public sealed class LiteTx : CareTx
{
    internal LiteTx(LiteDatabase db)
    {
        Raw = db;
        Collections = new LiteCollections(db);
        People = Wrap(Collections.People);
        Children = Wrap(Collections.Children);
        Pairings = Wrap(Collections.Pairings);
        Records = Wrap(Collections.Records);
        Audit = Wrap(Collections.Audit);
        Invites = Wrap(Collections.Invites);
        Throttles = Wrap(Collections.Throttles);
        Outbox = Wrap(Collections.Outbox);
        Updates = Wrap(Collections.Updates);
        State = Wrap(Collections.State);
        Aid = Wrap(Collections.Aid);
        Meetings = Wrap(Collections.Meetings);
        DutyTurns = Wrap(Collections.DutyTurns);
        DutySwaps = Wrap(Collections.DutySwaps);
        ReminderMarks = Wrap(Collections.ReminderMarks);
        Concerns = Wrap(Collections.Concerns);
        Flags = Wrap(Collections.Flags);
    }

    /// <summary>The database itself, for the backup, the schema upgrade and the tests of the file (every collection, UserVersion).</summary>
    internal LiteDatabase Raw { get; }

    /// <summary>The LiteDB collections themselves, for the indexes at open.</summary>
    internal LiteCollections Collections { get; }

    public override IDocs<Person> People { get; }
    public override IDocs<Child> Children { get; }
    public override IDocs<Pairing> Pairings { get; }
    public override IDocs<CareRecord> Records { get; }
    public override IDocs<AuditEntry> Audit { get; }
    public override IDocs<Invite> Invites { get; }
    public override IDocs<ChatThrottle> Throttles { get; }
    public override IDocs<OutboxMessage> Outbox { get; }
    public override IDocs<ProcessedUpdate> Updates { get; }
    public override IDocs<StateEntry> State { get; }
    public override IDocs<AidEntry> Aid { get; }
    public override IDocs<Meeting> Meetings { get; }
    public override IDocs<DutyTurn> DutyTurns { get; }
    public override IDocs<DutySwap> DutySwaps { get; }
    public override IDocs<ReminderMark> ReminderMarks { get; }
    public override IDocs<Concern> Concerns { get; }
    public override IDocs<SafeguardingFlag> Flags { get; }

    /// <summary>Through the "parents" index on <c>$.Parents[*].PersonId</c>.</summary>
    public override IEnumerable<Child> ChildrenOfParent(int personId) =>
        Collections.Children.Find(BsonExpression.Create("$.Parents[*].PersonId ANY = @0", new BsonValue(personId)));

    public override bool IsParentOfAny(int personId) =>
        Collections.Children.Exists(BsonExpression.Create("$.Parents[*].PersonId ANY = @0", new BsonValue(personId)));

    private static LiteDocs<T> Wrap<T>(ILiteCollection<T> collection)
        where T : class => new(collection, StorageCatalog.Of<T>());
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

using CareBot.Core.Model;
using CareBot.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CareBot.Storage.Postgres;

/// <summary>The tables of the PostgreSQL database as CareBot's <see cref="IDocs{T}"/>, for one turn (see <see cref="CareTx"/>).</summary>
internal sealed class PgTx : CareTx
{
    private readonly PgSession _session;

    public PgTx(PgSession session)
    {
        _session = session;
        People = new PgDocs<Person>(session);
        Children = new PgDocs<Child>(session);
        Pairings = new PgDocs<Pairing>(session);
        Records = new PgDocs<CareRecord>(session);
        Audit = new PgDocs<AuditEntry>(session);
        Invites = new PgDocs<Invite>(session);
        Throttles = new PgDocs<ChatThrottle>(session);
        Outbox = new PgDocs<OutboxMessage>(session);
        Updates = new PgDocs<ProcessedUpdate>(session);
        State = new PgDocs<StateEntry>(session);
        Aid = new PgDocs<AidEntry>(session);
        Meetings = new PgDocs<Meeting>(session);
        DutyTurns = new PgDocs<DutyTurn>(session);
        DutySwaps = new PgDocs<DutySwap>(session);
        ReminderMarks = new PgDocs<ReminderMark>(session);
        Concerns = new PgDocs<Concern>(session);
        Flags = new PgDocs<SafeguardingFlag>(session);
    }

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

    /// <summary>Through the GIN index on <c>doc->'Parents'</c> (containment), checked again in memory.</summary>
    public override IEnumerable<Child> ChildrenOfParent(int personId) => Parents(personId, limit: null);

    public override bool IsParentOfAny(int personId) => Parents(personId, limit: 1).Count > 0;

    private List<Child> Parents(int personId, int? limit) => _session.Run("children", () =>
    {
        var filter = "[{\"PersonId\":" + personId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}]";
        using var command = _session.Command(
            "SELECT doc FROM children WHERE doc->'Parents' @> @parents ORDER BY key" + (limit is { } n ? " LIMIT " + n.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
            [new NpgsqlParameter("@parents", NpgsqlDbType.Jsonb) { Value = filter }]);
        using var reader = command.ExecuteReader();
        var children = new List<Child>();
        while (reader.Read())
        {
            var child = PgJson.Deserialize<Child>(reader.GetString(0));
            if (child.Parents.Exists(p => p.PersonId == personId))
            {
                children.Add(child);
            }
        }

        return children;
    });
}

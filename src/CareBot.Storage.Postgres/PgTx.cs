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
    }

    protected override IDocs<T> Docs<T>() => new PgDocs<T>(_session);

    /// <summary>One statement for all the keys.</summary>
    public override StateEntry?[] StateEntries(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = _session.Run("state", () =>
        {
            using var command = _session.Command(
                "SELECT doc FROM state WHERE key = ANY(ARRAY(SELECT upper(v) FROM unnest(@keys) v))",
                [new NpgsqlParameter("@keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys }]);
            using var reader = command.ExecuteReader();
            var entries = new List<StateEntry>();
            while (reader.Read())
            {
                entries.Add(PgJson.Deserialize<StateEntry>(reader.GetString(0)));
            }

            return entries;
        });
        return [.. keys.Select(k => found.Find(e => string.Equals(e.Id, k, StringComparison.OrdinalIgnoreCase)))];
    }

    /// <summary>
    /// The outbox claim in one statement: the due rows not held by another sender's live lease, replies first, rows cut
    /// off first, then oldest, locked with <c>FOR UPDATE SKIP LOCKED</c> (a row another transaction holds is left for
    /// the next round) and stamped with the owner and the lease.
    /// </summary>
    public override List<OutboxMessage> ClaimDue(OutboxClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var rows = _session.Run("outbox", () =>
        {
            using var command = _session.Command(ClaimSql,
            [
                new NpgsqlParameter("@now", NpgsqlDbType.Text) { Value = PgJson.FormatTicks(PgJson.ToStored(claim.NowUtc)) },
                new NpgsqlParameter("@until", NpgsqlDbType.Text) { Value = PgJson.FormatTicks(PgJson.ToStored(claim.LeaseUntilUtc)) },
                new NpgsqlParameter("@owner", NpgsqlDbType.Text) { Value = claim.Owner },
                new NpgsqlParameter("@max", NpgsqlDbType.Integer) { Value = claim.Max },
            ]);
            using var reader = command.ExecuteReader();
            var list = new List<OutboxMessage>();
            while (reader.Read())
            {
                list.Add(PgJson.Deserialize<OutboxMessage>(reader.GetString(0)));
            }

            return list;
        });
        return [.. rows.OrderBy(r => r.Priority).ThenBy(r => Array.IndexOf(OutboxClaim.Open, r.Status)).ThenBy(r => r.Id)];
    }

    // The same expressions as the outbox's indexes and the predicates (PgMember): status by name, times as fixed-width text.
    private const string ClaimSql = """
        WITH due AS (
            SELECT id FROM outbox
            WHERE (doc->>'Status') IN ('Sending', 'Pending')
              AND ((doc->>'NotBeforeUtc') COLLATE "C") <= (@now COLLATE "C")
              AND ((doc->>'ClaimedBy') IS NULL OR upper(doc->>'ClaimedBy') = upper(@owner)
                   OR ((doc->>'LeaseUntilUtc') COLLATE "C") <= (@now COLLATE "C"))
            ORDER BY (doc->>'Priority') = 'Bulk', (doc->>'Status') = 'Pending', id
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        UPDATE outbox o SET doc = o.doc || jsonb_build_object('ClaimedBy', @owner, 'LeaseUntilUtc', @until)
        FROM due WHERE o.id = due.id
        RETURNING o.doc::text
        """;

    /// <summary>The carer's pairings and their children in one statement.</summary>
    public override List<Child> ChildrenOfCarer(int carerId)
    {
        var children = _session.Run("children", () =>
        {
            using var command = _session.Command(
                "SELECT doc FROM children WHERE key IN (SELECT upper(p.doc->>'ChildId') FROM pairings p WHERE (p.doc->'CarerId') = to_jsonb(@carer))",
                [new NpgsqlParameter("@carer", NpgsqlDbType.Integer) { Value = carerId }]);
            using var reader = command.ExecuteReader();
            var list = new List<Child>();
            while (reader.Read())
            {
                list.Add(PgJson.Deserialize<Child>(reader.GetString(0)));
            }

            return list;
        });
        return [.. children.OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

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

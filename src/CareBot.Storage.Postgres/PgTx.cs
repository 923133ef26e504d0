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
    public override List<Child> ChildrenOfCarer(int carerId) => CarerChildren(carerId, null).Children;

    /// <summary>The carer's children and the state entry in one statement.</summary>
    public override (List<Child> Children, StateEntry? Entry) ChildrenOfCarerAndState(int carerId, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CarerChildren(carerId, key);
    }

    private (List<Child> Children, StateEntry? Entry) CarerChildren(int carerId, string? key)
    {
        const string children = "SELECT 0 AS part, doc FROM children WHERE key IN (SELECT upper(p.doc->>'ChildId') FROM pairings p WHERE (p.doc->'CarerId') = to_jsonb(@carer))";
        var (list, entry) = _session.Run("children", () =>
        {
            using var command = _session.Command(
                key is null ? children : children + " UNION ALL SELECT 1, doc FROM state WHERE key = upper(@key)",
                key is null
                    ? [new NpgsqlParameter("@carer", NpgsqlDbType.Integer) { Value = carerId }]
                    : [new NpgsqlParameter("@carer", NpgsqlDbType.Integer) { Value = carerId }, new NpgsqlParameter("@key", NpgsqlDbType.Text) { Value = key }]);
            using var reader = command.ExecuteReader();
            var found = new List<Child>();
            StateEntry? state = null;
            while (reader.Read())
            {
                if (reader.GetInt32(0) == 0)
                {
                    found.Add(PgJson.Deserialize<Child>(reader.GetString(1)));
                }
                else
                {
                    state = PgJson.Deserialize<StateEntry>(reader.GetString(1));
                }
            }

            return (found, state);
        });
        return ([.. list.OrderBy(c => c.Id, StringComparer.Ordinal)], entry);
    }

    /// <summary>
    /// The channel's entries (and the fence's, when asked) and the recorded update in one statement; the record id is
    /// computed on the server as <see cref="Core.Chat.UpdateProcessor.RecordId"/> does:
    /// (sequence &lt;&lt; 32) | (update id &amp; 0xFFFFFFFF).
    /// </summary>
    public override (StateEntry? Sequence, StateEntry? Offset, ProcessedUpdate? Recorded, StateEntry? Fence) ChannelState(string sequenceKey, string offsetKey, long updateId, string? fenceKey = null)
    {
        ArgumentNullException.ThrowIfNull(sequenceKey);
        ArgumentNullException.ThrowIfNull(offsetKey);
        return _session.Run("state", () =>
        {
            using var command = _session.Command(
                "WITH s AS (SELECT key, doc FROM state WHERE key = ANY(ARRAY[upper(@seq), upper(@off), upper(@fence)])) "
                + "SELECT 0 AS part, doc FROM s WHERE key = upper(@seq) "
                + "UNION ALL SELECT 1, doc FROM s WHERE key = upper(@off) "
                + "UNION ALL SELECT 3, doc FROM s WHERE key = upper(@fence) "
                + "UNION ALL SELECT 2, doc FROM updates WHERE id = ((coalesce((SELECT (doc->>'Value')::bigint FROM s WHERE key = upper(@seq)), 0) << 32) | (@u & 4294967295))",
                [
                    new NpgsqlParameter("@seq", NpgsqlDbType.Text) { Value = sequenceKey },
                    new NpgsqlParameter("@off", NpgsqlDbType.Text) { Value = offsetKey },
                    new NpgsqlParameter("@fence", NpgsqlDbType.Text) { Value = (object?)fenceKey ?? DBNull.Value },
                    new NpgsqlParameter("@u", NpgsqlDbType.Bigint) { Value = updateId },
                ]);
            using var reader = command.ExecuteReader();
            (StateEntry? Sequence, StateEntry? Offset, ProcessedUpdate? Recorded, StateEntry? Fence) found = default;
            while (reader.Read())
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        found.Sequence = PgJson.Deserialize<StateEntry>(reader.GetString(1));
                        break;
                    case 1:
                        found.Offset = PgJson.Deserialize<StateEntry>(reader.GetString(1));
                        break;
                    case 3:
                        found.Fence = PgJson.Deserialize<StateEntry>(reader.GetString(1));
                        break;
                    default:
                        found.Recorded = PgJson.Deserialize<ProcessedUpdate>(reader.GetString(1));
                        break;
                }
            }

            return found;
        });
    }

    /// <summary>
    /// The record and its audit entry in one statement (the audit's detail takes the record's new id on the server);
    /// a record with a key of its own is saved as any insert.
    /// </summary>
    public override CareRecord SaveRecord(CareRecord record, string actor)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id != 0)
        {
            return base.SaveRecord(record, actor);
        }

        _session.ThrowIfReadOnly();
        var audit = RecordAudit(record, actor);
        var id = _session.Run("records", () =>
        {
            using var command = _session.Command(
                "WITH r AS (INSERT INTO records (id, doc) SELECT n, jsonb_set(@doc, '{Id}', to_jsonb(n)) FROM nextval('records_id_seq') n ON CONFLICT DO NOTHING RETURNING id), "
                + "a AS (INSERT INTO audit (id, doc) SELECT n, jsonb_set(jsonb_set(@audit, '{Id}', to_jsonb(n)), '{Detail}', to_jsonb('record:' || r.id)) FROM r, nextval('audit_id_seq') n) "
                + "SELECT id FROM r",
                [
                    new NpgsqlParameter("@doc", NpgsqlDbType.Jsonb) { Value = PgJson.Serialize(record) },
                    new NpgsqlParameter("@audit", NpgsqlDbType.Jsonb) { Value = PgJson.Serialize(audit) },
                ]);
            return command.ExecuteScalar();
        });
        _session.Wrote = true;
        record.Id = id is long generated ? generated : throw new DuplicateKeyException("records");
        return record;
    }

    /// <summary>The processed update and the offset in one statement; the offset is written only when the update is new.</summary>
    public override void SaveProcessed(ProcessedUpdate update, StateEntry? offset)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (offset is null)
        {
            base.SaveProcessed(update, offset);
            return;
        }

        _session.ThrowIfReadOnly();
        var inserted = _session.Run("updates", () =>
        {
            using var command = _session.Command(
                "WITH u AS (INSERT INTO updates (id, doc) VALUES (@k, @doc) ON CONFLICT DO NOTHING RETURNING id), "
                + "s AS (INSERT INTO state (key, doc) SELECT upper(@sk), @sdoc WHERE EXISTS (SELECT 1 FROM u) ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc) "
                + "SELECT count(*) FROM u",
                [
                    new NpgsqlParameter("@k", NpgsqlDbType.Bigint) { Value = update.Id },
                    new NpgsqlParameter("@doc", NpgsqlDbType.Jsonb) { Value = PgJson.Serialize(update) },
                    new NpgsqlParameter("@sk", NpgsqlDbType.Text) { Value = offset.Id },
                    new NpgsqlParameter("@sdoc", NpgsqlDbType.Jsonb) { Value = PgJson.Serialize(offset) },
                ]);
            return (long)command.ExecuteScalar()!;
        });
        _session.Wrote = true;
        if (inserted == 0)
        {
            throw new DuplicateKeyException("updates");
        }
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

using System.Globalization;
using System.Linq.Expressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Storage.Postgres;

/// <summary>
/// The tables of CareBot's PostgreSQL database: one per collection (<see cref="StorageCatalog"/>), with its key
/// (<c>id bigint</c>, or <c>key text</c> = upper(id) for string keys, unique without regard to case) and the document
/// as <c>doc jsonb</c>; a sequence per auto-numbered collection; the same indexes as LiteCareDb (unique: people.Phone,
/// invites.CodeHash, outbox.Key), written with the SQL the predicates use (<see cref="PgMember"/>); a GIN index on the
/// children's parents; and <c>carebot_schema</c>, one row with the schema version.
/// </summary>
internal static class PgSchema
{
    public const string VersionTable = "carebot_schema";

    /// <summary>The key of the transaction-scoped advisory lock every write turn takes: one writer at a time, across processes.</summary>
    public const long WriteLock = 0x4361_7265_426F_74; // "CareBot"

    public static string Sequence(CollectionInfo c) => c.Name + "_id_seq";

    /// <summary>Secondary unique indexes: a write to these tables may hit a unique key other than the row's own.</summary>
    public static bool HasUniqueIndex(CollectionInfo c) => c.Name is "people" or "invites" or "outbox";

    private static readonly (Type Type, LambdaExpression Member, bool Unique)[] Indexes =
    [
        Index<Person, string>(p => p.Phone, unique: true),
        Index<Person, ChatAddress?>(p => p.Chat),
        Index<Pairing, int>(p => p.CarerId),
        Index<Pairing, string>(p => p.ChildId),
        Index<CareRecord, string>(r => r.ChildId),
        Index<CareRecord, DateOnly>(r => r.LocalDate),
        Index<AidEntry, string>(a => a.ChildId),
        Index<Meeting, DateOnly>(m => m.Date),
        Index<DutyTurn, string>(d => d.SchoolId),
        Index<DutySwap, string>(d => d.SchoolId),
        Index<ReminderMark, int>(m => m.CarerId),
        Index<ReminderMark, string>(m => m.ChildId),
        Index<AuditEntry, string?>(a => a.ChildId),
        Index<Concern, string>(c => c.ChildId),
        Index<SafeguardingFlag, string>(f => f.ChildId),
        Index<Invite, string>(i => i.CodeHash, unique: true),
        Index<Invite, int>(i => i.PersonId),
        Index<OutboxMessage, string>(o => o.Key, unique: true),
        Index<OutboxMessage, OutboxStatus>(o => o.Status),
        Index<OutboxMessage, int?>(o => o.ChannelMessageId),
        Index<OutboxMessage, ChatAddress?>(o => o.Chat),
    ];

    private static (Type, LambdaExpression, bool) Index<T, TMember>(Expression<Func<T, TMember>> member, bool unique = false) =>
        (typeof(T), member, unique);

    /// <summary>
    /// The statements that move a database of schema <paramref name="from"/> to the current one, in place, before the
    /// schema's own statements run. Schema 3, chat addresses: each bare chat id (all Telegram's before) becomes the text
    /// "telegram:{id}": people's and outbox rows' ChatId become Chat (a row held with chat 0 gets none), a copy's
    /// Media.CopyFromChatId becomes Media.CopyFrom, the invite slow-down is keyed by the address, and the indexes on the
    /// old fields go.
    /// </summary>
    public static IEnumerable<string> Upgrades(int from)
    {
        if (from < 3)
        {
            var channel = CareDb.ChannelBeforeSchema3 + ":";
            string Move(string doc, string field, string to) =>
                $"({doc} - '{field}') || CASE WHEN coalesce({doc}->>'{field}', '0') = '0' THEN '{{}}'::jsonb ELSE jsonb_build_object('{to}', '{channel}' || ({doc}->>'{field}')) END";
            yield return $"UPDATE people SET doc = {Move("doc", "ChatId", "Chat")} WHERE doc ? 'ChatId'";
            yield return $"UPDATE outbox SET doc = {Move("doc", "ChatId", "Chat")} WHERE doc ? 'ChatId'";
            yield return $"UPDATE outbox SET doc = jsonb_set(doc, '{{Media}}', {Move("(doc->'Media')", "CopyFromChatId", "CopyFrom")}) WHERE jsonb_typeof(doc->'Media') = 'object' AND doc->'Media' ? 'CopyFromChatId'";
            yield return "ALTER TABLE throttles RENAME TO throttles_before_3";
            yield return "ALTER TABLE throttles_before_3 RENAME CONSTRAINT throttles_pkey TO throttles_before_3_pkey";
            yield return "CREATE TABLE throttles (key text COLLATE \"C\" PRIMARY KEY, doc jsonb NOT NULL)";
            yield return $"INSERT INTO throttles (key, doc) SELECT upper('{channel}' || id), jsonb_set(doc, '{{Id}}', to_jsonb('{channel}' || id)) FROM throttles_before_3";
            yield return "DROP TABLE throttles_before_3";
            yield return "DROP INDEX IF EXISTS people_chatid";
            yield return "DROP INDEX IF EXISTS outbox_chatid";
        }
    }

    /// <summary>Every statement that makes the schema (each safe to run again).</summary>
    public static IEnumerable<string> Statements()
    {
        yield return $"CREATE TABLE IF NOT EXISTS {VersionTable} (one int PRIMARY KEY DEFAULT 1 CHECK (one = 1), version int NOT NULL, syncs bigint NOT NULL DEFAULT 0)";
        foreach (var c in StorageCatalog.Collections)
        {
            yield return c.StringKey
                ? $"CREATE TABLE IF NOT EXISTS {c.Name} (key text COLLATE \"C\" PRIMARY KEY, doc jsonb NOT NULL)"
                : $"CREATE TABLE IF NOT EXISTS {c.Name} (id bigint PRIMARY KEY, doc jsonb NOT NULL)";
            if (c.AutoId)
            {
                yield return $"CREATE SEQUENCE IF NOT EXISTS {Sequence(c)} AS bigint";
            }
        }

        foreach (var (type, lambda, unique) in Indexes)
        {
            var c = StorageCatalog.Collections.Single(x => x.Type == type);
            var member = PgMember.Of(lambda.Body, lambda.Parameters[0], c.StringKey)!;
            var name = string.Create(CultureInfo.InvariantCulture, $"{c.Name}_{string.Join('_', member.Path).ToLowerInvariant()}");
            yield return $"CREATE {(unique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {name} ON {c.Name} ({member.Sql})";
        }

        yield return "CREATE INDEX IF NOT EXISTS children_parents ON children USING gin ((doc->'Parents') jsonb_path_ops)";

        // The senders' wake-up (LISTEN/NOTIFY): a statement that adds rows to the outbox, or a held row released,
        // notifies at its commit. Made once; a start does not lock the table to make them again.
        yield return $"""
            CREATE OR REPLACE FUNCTION carebot_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
            $fn$ BEGIN PERFORM pg_notify('{OutboxChannel}', ''); RETURN NULL; END $fn$
            """;
        yield return """
            DO $do$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'outbox_added') THEN
                CREATE TRIGGER outbox_added AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION carebot_outbox_notify();
              END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'outbox_released') THEN
                CREATE TRIGGER outbox_released AFTER UPDATE ON outbox FOR EACH ROW
                  WHEN ((OLD.doc->>'Status') = 'Held' AND (NEW.doc->>'Status') = 'Pending') EXECUTE FUNCTION carebot_outbox_notify();
              END IF;
            END $do$
            """;
    }

    /// <summary>The channel the outbox's triggers notify (<see cref="PgOutboxListener"/> listens on it).</summary>
    public const string OutboxChannel = "carebot_outbox";
}

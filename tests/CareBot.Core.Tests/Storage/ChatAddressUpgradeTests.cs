using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using LiteDB;
using Npgsql;

namespace CareBot.Core.Tests.Storage;

/// <summary>
/// Schema 3: a database written when chats were bare Telegram chat ids (schema 2) is upgraded in place, on both
/// providers: people's and outbox rows' ChatId, a copy's CopyFromChatId and the invite slow-down's key become chat
/// addresses ("telegram:{id}"), a held row's chat 0 becomes none, and the indexes move to the new field.
/// </summary>
public sealed class ChatAddressUpgradeTests : IDisposable
{
    private static readonly DateTime T0 = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
    private const long GroupChat = -1001234567890;

    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-chat-upgrade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_schema_2_LiteDB_file_gets_chat_addresses_in_place_and_opening_it_again_changes_nothing()
    {
        var path = Path.Combine(_dir, "old.db");
        using (var raw = new LiteDatabase($"Filename={path};Connection=direct"))
        {
            var people = raw.GetCollection("people");
            people.EnsureIndex("ChatId", "$.ChatId");
            people.Insert(Person(1, "王老师", "Mentor", chatId: 555));
            people.Insert(Person(2, "李妈妈", "Parent", chatId: null));
            people.Insert(Person(3, "家长群", "Parent", chatId: GroupChat));
            var outbox = raw.GetCollection("outbox");
            outbox.EnsureIndex("ChatId", "$.ChatId");
            outbox.EnsureIndex("Key", "$.Key", unique: true);
            outbox.Insert(Row(1, "reply:1:555:0", 1, 555, "Sent", messageId: 42));
            outbox.Insert(Row(2, "held", 2, 0, "Held"));
            var copy = Row(3, "copy", 1, 555, "Pending");
            copy["Media"] = new BsonDocument { ["Kind"] = "Copy", ["CopyFromChatId"] = 777L, ["CopyMessageId"] = 9 };
            outbox.Insert(copy);
            raw.GetCollection("throttles").Insert(new BsonDocument { ["_id"] = 888L, ["Failures"] = 3, ["LastFailureUtc"] = T0, ["BlockedUntilUtc"] = T0.AddMinutes(4) });
            raw.UserVersion = 2;
        }

        using (var db = new LiteCareDb(path))
        {
            AssertUpgraded(db);
            db.Read(tx =>
            {
                var raw = tx.Raw();
                Assert.Equal(CareDb.SchemaVersion, raw.UserVersion);
                var person = raw.GetCollection("people").FindById(1);
                Assert.Equal(("telegram:555", false), (person["Chat"].AsString, person.ContainsKey("ChatId")));
                Assert.False(raw.GetCollection("outbox").FindById(3)["Media"].AsDocument.ContainsKey("CopyFromChatId"));
                AssertChatIndexes(raw.GetCollection("$indexes").FindAll().Select(i => i["collection"].AsString + "." + i["name"].AsString).ToList(), (table, field) => $"{table}.{field}");
            });
        }

        using var reopened = new LiteCareDb(path);
        AssertUpgraded(reopened);
    }

    [Fact]
    public void A_schema_2_PostgreSQL_database_gets_chat_addresses_in_place_and_opening_it_again_changes_nothing()
    {
        var connectionString = PgServer.CreateDatabase();
        try
        {
            using (new PgCareDb(connectionString))
            {
                // The schema this CareBot makes; turned back into schema 2 below.
            }

            using (var connection = new NpgsqlConnection(connectionString))
            {
                connection.Open();
                Exec(connection, """
                    DROP INDEX people_chat; DROP INDEX outbox_chat;
                    CREATE INDEX people_chatid ON people ((doc->'ChatId'));
                    CREATE INDEX outbox_chatid ON outbox ((doc->'ChatId'));
                    DROP TABLE throttles;
                    CREATE TABLE throttles (id bigint PRIMARY KEY, doc jsonb NOT NULL);
                    UPDATE carebot_schema SET version = 2;
                    """);
                foreach (var person in new[] { Person(1, "王老师", "Mentor", 555), Person(2, "李妈妈", "Parent", null), Person(3, "家长群", "Parent", GroupChat) })
                {
                    Insert(connection, "people", person);
                }

                Insert(connection, "outbox", Row(1, "reply:1:555:0", 1, 555, "Sent", messageId: 42));
                Insert(connection, "outbox", Row(2, "held", 2, 0, "Held"));
                var copy = Row(3, "copy", 1, 555, "Pending");
                copy["Media"] = new BsonDocument { ["Kind"] = "Copy", ["CopyFromChatId"] = 777L, ["CopyMessageId"] = 9 };
                Insert(connection, "outbox", copy);
                Exec(connection, """INSERT INTO throttles (id, doc) VALUES (888, '{"Id": 888, "Failures": 3, "LastFailureUtc": "2024-05-06T07:08:09.000Z", "BlockedUntilUtc": "2024-05-06T07:12:09.000Z"}')""");
            }

            using (var db = new PgCareDb(connectionString))
            {
                AssertUpgraded(db);
            }

            using (var connection = new NpgsqlConnection(connectionString))
            {
                connection.Open();
                Assert.Equal("3", Scalar(connection, "SELECT version::text FROM carebot_schema"));
                Assert.Equal("telegram:555", Scalar(connection, "SELECT doc->>'Chat' FROM people WHERE id = 1"));
                Assert.Equal("0", Scalar(connection, "SELECT count(*)::text FROM outbox WHERE doc ? 'ChatId' OR doc->'Media' ? 'CopyFromChatId'"));
                Assert.Equal("TELEGRAM:888", Scalar(connection, "SELECT key FROM throttles"));
                var indexes = Scalar(connection, "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename IN ('people', 'outbox', 'throttles')")!.Split(',');
                Assert.Contains("throttles_pkey", indexes);
                AssertChatIndexes(indexes, (table, field) => $"{table}_{field.ToLowerInvariant()}");
            }

            using var reopened = new PgCareDb(connectionString);
            AssertUpgraded(reopened);
        }
        finally
        {
            PgServer.DropDatabase(connectionString);
        }
    }

    private static void AssertUpgraded(CareDb db) => db.Read(tx =>
    {
        var telegram = TelegramChats.At(555);
        Assert.Equal("王老师", tx.People.FindOne(p => p.Chat == telegram)?.Name);
        Assert.Null(tx.People.FindById(2).Chat);
        Assert.Equal("telegram:-1001234567890", tx.People.FindById(3).Chat?.ToString());
        Assert.Equal("reply:1:555:0", OutboxStore.FindSent(tx, telegram, 42)?.Key);
        Assert.Null(tx.Outbox.FindById(2).Chat);
        Assert.Equal(TelegramChats.At(777), tx.Outbox.FindById(3).Media?.CopyFrom);
        Assert.Equal(2, tx.Outbox.Count(o => o.Chat == telegram));
        Assert.Equal(3, tx.Throttles.FindById("telegram:888")?.Failures);
        Assert.Equal(1, tx.Throttles.Count());
    });

    /// <summary>People and outbox rows are indexed on Chat, and no longer on ChatId (<paramref name="name"/>: the provider's index name).</summary>
    private static void AssertChatIndexes(IReadOnlyCollection<string> indexes, Func<string, string, string> name)
    {
        foreach (var table in new[] { "people", "outbox" })
        {
            Assert.Contains(name(table, "Chat"), indexes);
            Assert.DoesNotContain(name(table, "ChatId"), indexes);
        }
    }

    private static BsonDocument Person(int id, string name, string roles, long? chatId)
    {
        var doc = new BsonDocument
        {
            ["_id"] = id,
            ["Name"] = name,
            ["Phone"] = "1380000000" + id,
            ["Roles"] = roles,
            ["Language"] = "zh",
            ["Status"] = chatId is null ? "NotLinked" : "Reachable",
            ["CreatedUtc"] = T0,
            ["UpdatedUtc"] = T0,
        };
        if (chatId is { } chat)
        {
            doc["ChatId"] = chat;
        }

        return doc;
    }

    private static BsonDocument Row(long id, string key, int personId, long chatId, string status, int? messageId = null)
    {
        var doc = new BsonDocument
        {
            ["_id"] = id,
            ["Key"] = key,
            ["PersonId"] = personId,
            ["ChatId"] = chatId,
            ["Text"] = "你好",
            ["Status"] = status,
            ["CreatedUtc"] = T0,
            ["NotBeforeUtc"] = T0,
        };
        if (messageId is { } sent)
        {
            doc["ChannelMessageId"] = sent;
        }

        return doc;
    }

    /// <summary>A LiteDB document as the schema-2 PostgreSQL provider stored it: the id in its column and as Id, dates as text.</summary>
    private static void Insert(NpgsqlConnection connection, string table, BsonDocument doc)
    {
        using var command = new NpgsqlCommand($"INSERT INTO {table} (id, doc) VALUES (@id, @doc::jsonb)", connection);
        command.Parameters.AddWithValue("id", doc["_id"].AsInt64);
        command.Parameters.AddWithValue("doc", Json(doc).ToJsonString());
        command.ExecuteNonQuery();
    }

    private static System.Text.Json.Nodes.JsonObject Json(BsonDocument doc)
    {
        var json = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in doc)
        {
            json[key == "_id" ? "Id" : key] = value switch
            {
                { IsDocument: true } => Json(value.AsDocument),
                { IsDateTime: true } => value.AsDateTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                { IsString: true } => value.AsString,
                _ => value.AsInt64,
            };
        }

        return json;
    }

    private static void Exec(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string? Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar() as string;
    }
}

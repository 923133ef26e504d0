using System.Linq.Expressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using Npgsql;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>
/// The PostgreSQL provider's narrowing of predicates: what it says in SQL (exactly or as a wider filter), what it
/// leaves to the in-memory check, and that the indexed members are looked up through their indexes.
/// </summary>
public sealed class PostgresPredicateTests
{
    private static PgPredicate Translate<T>(Expression<Func<T, bool>> predicate)
        where T : class => PgPredicate.Translate(predicate, StorageCatalog.Of<T>().StringKey, []);

    [Fact]
    public void Enum_number_and_date_comparisons_are_said_exactly_in_SQL()
    {
        var now = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var status = OutboxStatus.Pending;
        var from = new DateOnly(2024, 1, 1);

        var outbox = Translate<OutboxMessage>(o => o.Status == status && o.Priority == OutboxPriority.Bulk && o.NotBeforeUtc <= now);
        var records = Translate<CareRecord>(r => r.LocalDate >= from && r.AuthorId != 3 && !r.Guidance);
        var people = Translate<Person>(p => p.Chat == null || p.Id == 4);

        Assert.True(outbox.Exact);
        Assert.Contains("doc->>'Status'", outbox.Where, StringComparison.Ordinal);
        Assert.Contains("doc->>'NotBeforeUtc'", outbox.Where, StringComparison.Ordinal);
        Assert.True(records.Exact);
        Assert.Contains("doc->>'LocalDate'", records.Where, StringComparison.Ordinal);
        Assert.True(people.Exact);
        Assert.Contains("id = @p", people.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_narrow_without_being_exact_and_an_unreadable_part_is_dropped_from_an_AND_only()
    {
        var ids = new List<string> { "s/1" };

        var byChild = Translate<Pairing>(p => p.ChildId == "S/1" && p.CarerId == 2);
        var flagsAnd = Translate<Person>(p => (p.Roles & Roles.Mentor) != 0 && p.Status == Reachability.Reachable);
        var flagsOr = Translate<Person>(p => (p.Roles & Roles.Mentor) != 0 || p.Status == Reachability.Reachable);
        var notString = Translate<Child>(c => !(c.Id == "s/1"));
        var contains = Translate<Child>(c => ids.Contains(c.Id));

        Assert.False(byChild.Exact);
        Assert.Contains("upper(doc->>'ChildId')", byChild.Where, StringComparison.Ordinal);
        Assert.False(flagsAnd.Exact);
        Assert.Contains("doc->>'Status'", flagsAnd.Where, StringComparison.Ordinal);
        Assert.Equal("true", flagsOr.Where);
        Assert.Equal("true", notString.Where);
        Assert.Contains("= ANY(", contains.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookups_by_indexed_members_use_their_indexes()
    {
        var connectionString = PgServer.CreateDatabase();
        try
        {
            using (var db = new PgCareDb(connectionString))
            {
                db.Write(tx => tx.Outbox.InsertBulk(Enumerable.Range(0, 2000).Select(i => new OutboxMessage { Key = "k" + i, Chat = TelegramChats.At(i), Text = "t" })));
            }

            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using (var analyze = new NpgsqlCommand("ANALYZE outbox", connection))
            {
                analyze.ExecuteNonQuery();
            }

            var key = "K7";
            var chat = TelegramChats.At(7);

            Assert.Contains("outbox_key", Plan(connection, o => o.Key == key), StringComparison.Ordinal);
            Assert.Contains("outbox_chat", Plan(connection, o => o.Chat == chat), StringComparison.Ordinal);
        }
        finally
        {
            PgServer.DropDatabase(connectionString);
        }
    }

    /// <summary>The server's plan for the outbox rows <paramref name="predicate"/> selects.</summary>
    private static string Plan(NpgsqlConnection connection, Expression<Func<OutboxMessage, bool>> predicate)
    {
        var parameters = new List<NpgsqlParameter>();
        var where = PgPredicate.Translate(predicate, false, parameters).Where;
        using var explain = new NpgsqlCommand($"EXPLAIN SELECT doc FROM outbox WHERE {where}", connection);
        foreach (var p in parameters)
        {
            explain.Parameters.Add(p);
        }

        return string.Join("\n", Read(explain));
    }

    private static List<string> Read(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}

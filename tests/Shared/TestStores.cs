using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;
using CareBot.Storage.Postgres;
using Npgsql;

namespace CareBot.Tests.Shared;

/// <summary>The storage providers a suite runs against.</summary>
public enum StoreKind
{
    LiteDb,
    Postgres,
}

/// <summary>A fresh database of either provider for one test: LiteDB in memory, or a new PostgreSQL database on <see cref="PgServer"/>.</summary>
public static class TestStores
{
    /// <summary>A database with CareBot's schema made once, copied for each test (faster than making the schema each time).</summary>
    private static readonly Lazy<string> Template = new(() =>
    {
        var connection = PgServer.CreateDatabase();
        new PgCareDb(connection).Dispose();
        NpgsqlConnection.ClearAllPools();
        return new NpgsqlConnectionStringBuilder(connection).Database!;
    });

    public static CareDb Open(StoreKind kind) => kind switch
    {
        StoreKind.Postgres => new PgCareDb(NewPostgresDatabase()),
        _ => LiteCareDb.InMemory(),
    };

    /// <summary>A connection string to a new PostgreSQL database with CareBot's schema and no data.</summary>
    public static string NewPostgresDatabase() => PgServer.CreateDatabase(Template.Value);
}

using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using Npgsql;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>The storage contract on PostgreSQL, each test on a fresh database of the test server (<see cref="PgServer"/>).</summary>
public sealed class PostgresStorageContractTests : StorageContractTests
{
    private readonly string _connectionString = PgServer.CreateDatabase();

    protected override CareDb Open() => new PgCareDb(_connectionString);

    protected override void SetSchemaVersion(int version)
    {
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("UPDATE carebot_schema SET version = @v", connection);
        command.Parameters.AddWithValue("v", version);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    protected override void Cleanup() => PgServer.DropDatabase(_connectionString);
}

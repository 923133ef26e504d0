using System.Net;
using System.Net.Sockets;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>
/// What only a server can do to the PostgreSQL provider: not be there at open, go away while the worker runs, and
/// stop at once (as in a power cut) right after a commit. Each test runs its own cluster, which it stops and starts.
/// </summary>
public sealed class PostgresServerTests
{
    private static Person NewPerson(string phone) => new() { Name = "王老师", Phone = phone, Roles = Roles.Mentor };

    [Fact]
    public void A_server_out_of_reach_at_open_is_named_by_its_setting_with_the_password_masked()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var connectionString = $"Host=127.0.0.1;Port={port};Username=carebot;Password=s3cret-Pa55;Database=carebot;Timeout=5";

        var error = Assert.Throws<StorageException>(() => new PgCareDb(connectionString));

        Assert.Equal(StorageError.ServerUnreachable, error.Error);
        Assert.Contains("Storage:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", string.Join(" ", error.Args), StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_server_makes_turns_busy_and_after_the_give_up_time_fails_the_database_once()
    {
        using var cluster = PgServer.StartPrivateCluster();
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 6, 7, 0, 0, TimeSpan.Zero));
        var connectionString = Database(cluster);
        using var db = new PgCareDb(connectionString, time, TimeSpan.FromSeconds(300));
        var failures = new List<Exception>();
        db.Failed += failures.Add;
        db.Write(tx => tx.People.Insert(NewPerson("13800000001")));

        cluster.StopImmediate();
        Assert.Throws<StorageBusyException>(() => db.Write(tx => tx.People.Insert(NewPerson("13800000002"))));
        time.Advance(TimeSpan.FromSeconds(200));
        Assert.Throws<StorageBusyException>(() => db.Read(tx => tx.People.Count()));
        Assert.Empty(failures);

        // Back within the give-up time: the turns work again, and the clock starts again at the next loss.
        cluster.StartServer();
        Assert.Equal(1, db.Read(tx => tx.People.Count()));
        db.Write(tx => tx.People.Insert(NewPerson("13800000002")));
        cluster.StopImmediate();
        time.Advance(TimeSpan.FromSeconds(200));
        Assert.Throws<StorageBusyException>(() => db.Mark(tx => tx.People.Count()));
        time.Advance(TimeSpan.FromSeconds(301));
        Assert.Throws<StorageFailedException>(() => db.Write(tx => tx.People.Insert(NewPerson("13800000003"))));
        Assert.Throws<StorageFailedException>(() => db.Read(tx => tx.People.Count()));

        cluster.StartServer();
        Assert.Throws<StorageFailedException>(() => db.Read(tx => tx.People.Count()));
        Assert.Single(failures);
        Assert.Same(failures[0], db.Failure);
        using var again = new PgCareDb(connectionString);
        Assert.Equal(2, again.Read(tx => tx.People.Count()));
    }

    [Fact]
    public void A_Write_and_a_WriteDeferred_after_Sync_survive_an_immediate_stop_of_the_server()
    {
        // The WAL writer waits its longest, so only the commit's own flush (or Sync's) puts a commit on disk in time.
        using var cluster = PgServer.StartPrivateCluster("wal_writer_delay=10000", "wal_writer_flush_after=0");
        var connectionString = Database(cluster);
        using (var db = new PgCareDb(connectionString))
        {
            db.Write(tx => tx.People.Insert(NewPerson("13800000001")));
            cluster.StopImmediate();
            cluster.StartServer();
        }

        using (var db = new PgCareDb(connectionString))
        {
            Assert.Equal(["13800000001"], db.Read(tx => tx.People.FindAll().Select(p => p.Phone).ToList()));
            db.WriteDeferred(tx => tx.People.Insert(NewPerson("13800000002")));
            db.WriteDeferred(tx => tx.Outbox.Insert(new OutboxMessage { Key = "k1", Text = "hi" }));
            db.Mark(tx => tx.Outbox.Update(new OutboxMessage { Id = 1, Key = "k1", Text = "hi", Status = OutboxStatus.Sent }));
            db.Sync();
            cluster.StopImmediate();
            cluster.StartServer();
        }

        using var after = new PgCareDb(connectionString);
        Assert.Equal(["13800000001", "13800000002"], after.Read(tx => tx.People.FindAll().Select(p => p.Phone).ToList()));
        Assert.Equal(OutboxStatus.Sent, after.Read(tx => tx.Outbox.FindById(1).Status));
    }

    [Fact]
    public void Writers_of_two_processes_on_one_database_take_turns()
    {
        var connectionString = PgServer.CreateDatabase();
        try
        {
            // Two handles with pools of their own: the advisory lock, not this process's threads, keeps them apart.
            using var first = new PgCareDb(connectionString);
            using var second = new PgCareDb(connectionString);

            Assert.Equal(2 * 30, StorageContractTests.CountOnHandles([first, second, first, second], 15));
        }
        finally
        {
            PgServer.DropDatabase(connectionString);
        }
    }

    private static string Database(PgServer.Cluster cluster)
    {
        using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand("CREATE DATABASE carebot", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "carebot" }.ConnectionString;
    }
}

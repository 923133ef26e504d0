using CareBot.Core.Storage;
using Npgsql;

namespace CareBot.Storage.Postgres;

/// <summary>What a turn on the database is (see <see cref="CareDb"/>).</summary>
internal enum TurnKind
{
    Read,
    Mark,
    Write,
    WriteDeferred,
    Snapshot,
    /// <summary>The outbox claim: one statement committed by itself, unsynced, outside the writers' lock (<see cref="PgCareDb.ClaimOutbox"/>).</summary>
    Claim,
}

/// <summary>
/// One turn's connection (from the pool), its transaction when it writes, and the collections over them. Every
/// statement goes through <see cref="Command"/>/<see cref="Run{T}"/>, which turn Npgsql's errors into CareBot's: a
/// lost server into <see cref="StorageBusyException"/> (and <see cref="ConnectionLost"/>), a taken unique key into
/// <see cref="DuplicateKeyException"/>.
/// </summary>
internal sealed class PgSession : IDisposable
{
    private int _savepoints;

    public PgSession(NpgsqlConnection connection, TurnKind kind)
    {
        Connection = connection;
        Kind = kind;
        Tx = new PgTx(this);
    }

    public NpgsqlConnection Connection { get; }

    public TurnKind Kind { get; }

    public NpgsqlTransaction? Transaction { get; set; }

    public PgTx Tx { get; }

    /// <summary>A statement of this turn changed something (a Mark's writes need the next Sync).</summary>
    public bool Wrote { get; set; }

    /// <summary>A statement failed because the server could not be reached (or went away).</summary>
    public bool ConnectionLost { get; private set; }

    /// <summary>Throws on a write in a read turn (turns are explicit: write in a Write, WriteDeferred or Mark turn).</summary>
    public void ThrowIfReadOnly()
    {
        if (Kind is TurnKind.Read or TurnKind.Snapshot)
        {
            throw new InvalidOperationException($"A write in a {Kind} turn: write in a Write, WriteDeferred or Mark turn.");
        }
    }

    public NpgsqlCommand Command(string sql, IEnumerable<NpgsqlParameter>? parameters = null)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        if (parameters is not null)
        {
            foreach (var p in parameters)
            {
                command.Parameters.Add(p);
            }
        }

        return command;
    }

    /// <summary>Runs statements, translating the server's errors; <paramref name="collection"/> names a duplicate key.</summary>
    public T Run<T>(string collection, Func<T> statements)
    {
        try
        {
            return statements();
        }
        catch (Exception ex) when (Translate(ex, collection) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Runs a write that may take a unique key that is taken: inside a transaction under a savepoint, so that the
    /// <see cref="DuplicateKeyException"/> leaves the turn usable (PostgreSQL aborts the whole transaction otherwise).
    /// </summary>
    public T Guarded<T>(string collection, Func<T> write)
    {
        if (Transaction is null)
        {
            return Run(collection, write);
        }

        var name = "w" + (++_savepoints).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Run(collection, () => Exec($"SAVEPOINT {name}"));
        try
        {
            var result = Run(collection, write);
            Run(collection, () => Exec($"RELEASE SAVEPOINT {name}"));
            return result;
        }
        catch (Exception ex) when (!ConnectionLost && ex is DuplicateKeyException or StorageFaultException)
        {
            Run(collection, () => Exec($"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"));
            throw;
        }
        finally
        {
            _savepoints--;
        }
    }

    public int Exec(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteNonQuery();
    }

    private Exception? Translate(Exception ex, string collection)
    {
        if (ex is StorageBusyException or DuplicateKeyException or StorageFaultException or StorageFailedException)
        {
            return null;
        }

        if (PgErrors.IsConnectionError(ex))
        {
            ConnectionLost = true;
            return new StorageBusyException($"The database server cannot be reached for now ({ex.Message}).", ex);
        }

        return ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => new DuplicateKeyException(collection, ex),
            PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled } =>
                new StorageBusyException(ex.Message, ex),
            PostgresException => new StorageFaultException(ex.Message, ex),
            NpgsqlException => new StorageFaultException(ex.Message, ex),
            _ => null,
        };
    }

    public void Dispose() => Connection.Dispose();
}

/// <summary>Which of Npgsql's errors mean the server is out of reach (the turn may succeed later).</summary>
internal static class PgErrors
{
    public static bool IsConnectionError(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException
            || npgsql.Message.Contains("connection", StringComparison.OrdinalIgnoreCase),
        System.Net.Sockets.SocketException or IOException or TimeoutException => true,
        InvalidOperationException when ex.Message.Contains("connection", StringComparison.OrdinalIgnoreCase)
            && ex.Message.Contains("open", StringComparison.OrdinalIgnoreCase) => true,
        _ => false,
    };
}

using System.Globalization;
using CareBot.Core.Storage;
using Npgsql;

namespace CareBot.Storage.Postgres;

/// <summary>
/// CareBot's database on a PostgreSQL server (<c>Storage:ConnectionString</c>). Each turn takes a pooled connection:
/// <see cref="Write{T}"/> is one transaction committed durably (<c>synchronous_commit</c> on), behind a
/// transaction-scoped advisory lock so writers never interleave, in this process or another;
/// <see cref="WriteDeferred{T}"/> commits without waiting for the WAL flush, and <see cref="Sync"/> makes every
/// earlier commit durable; <see cref="Read{T}"/> reads without a transaction; <see cref="Mark"/> commits each statement
/// by itself, unsynced. A turn started inside another on the same thread is refused. A server out of reach makes a turn
/// throw <see cref="StorageBusyException"/> (the caller tries again later); out of reach longer than
/// <c>giveUpAfter</c>, the database fails (<see cref="CareDb.Failed"/>, then <see cref="StorageFailedException"/>).
/// </summary>
public sealed class PgCareDb : CareDb
{
    /// <summary>How long the server may be out of reach before the database fails (the worker exits and is restarted).</summary>
    public static readonly TimeSpan DefaultGiveUpAfter = TimeSpan.FromSeconds(300);

    /// <summary>How many statements a connection keeps prepared when the connection string does not say (Max Auto Prepare).</summary>
    public const int AutoPrepared = 64;

    private readonly NpgsqlDataSource _data;
    private readonly NpgsqlDataSource _marks;
    private readonly TimeProvider _time;
    private readonly TimeSpan _giveUpAfter;
    private readonly Lock _gate = new();
    private long? _downSince;
    private Exception? _failure;
    private int _unsynced;
    private int _committing;
    private volatile bool _disposed;
    private readonly object _turns = new();
    private int _activeTurns;

    /// <summary>Connects to the server, makes (or checks) the schema, and refuses a database of a newer CareBot.</summary>
    public PgCareDb(string connectionString, TimeProvider? time = null, TimeSpan? giveUpAfter = null)
    {
        _time = time ?? TimeProvider.System;
        _giveUpAfter = giveUpAfter ?? DefaultGiveUpAfter;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // Never the string itself: it may hold a password.
            throw new StorageException($"Storage:ConnectionString is not a valid PostgreSQL connection string ({ex.Message}).", ex)
            {
                Error = StorageError.BadConnectionString,
                Args = [ex.Message],
            };
        }

        if (!SaysAutoPrepare(connectionString))
        {
            // The same few dozen statements run over and over (a turn's look-ups and inserts): prepared once per
            // pooled connection, each later run skips the server's parse and plan. A connection string may set its own.
            builder.MaxAutoPrepare = AutoPrepared;
            builder.AutoPrepareMinUsages = 2;
        }

        Masked = Mask(builder);
        Path = string.Create(CultureInfo.InvariantCulture, $"{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username}");
        _data = NpgsqlDataSource.Create(builder.ConnectionString);
        var marks = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        marks.Options = ((marks.Options ?? "") + " -c synchronous_commit=off").Trim();
        _marks = NpgsqlDataSource.Create(marks.ConnectionString);
        try
        {
            using var connection = _data.OpenConnection();
            EnsureSchema(connection);
        }
        catch (Exception ex)
        {
            Dispose();
            if (ex is StorageException)
            {
                throw;
            }

            if (PgErrors.IsConnectionError(ex))
            {
                throw new StorageException($"Storage:ConnectionString: the database server cannot be reached ({Masked}): {ex.Message}", ex)
                {
                    Error = StorageError.ServerUnreachable,
                    Args = [Masked, ex.Message],
                };
            }

            if (ex is NpgsqlException)
            {
                var reason = ex is PostgresException pg ? pg.MessageText : ex.Message;
                throw new StorageException($"Storage:ConnectionString: cannot open {Path}: {reason}", ex)
                {
                    Error = StorageError.ServerCannotOpen,
                    Args = [Path, reason],
                };
            }

            throw;
        }
    }

    /// <summary>The server and database, for messages (never the password).</summary>
    public override string Path { get; }

    /// <summary>The connection string with its password masked, for messages.</summary>
    public string Masked { get; }

    public override Exception? Failure => _failure;

    /// <summary>Whether the connection string sets Max Auto Prepare itself (0 turns it off).</summary>
    private static bool SaysAutoPrepare(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare");
    }

    /// <summary>A connection string fit to show: the password replaced by "***".</summary>
    public static string Mask(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Only where and who: no secret of any kind (password, SSL key passphrase, ...) can be in it.
        var shown = new NpgsqlConnectionStringBuilder
        {
            Host = builder.Host,
            Port = builder.Port,
            Database = builder.Database,
            Username = builder.Username,
        };
        if (!string.IsNullOrEmpty(builder.Password))
        {
            shown.Password = "***";
        }

        return shown.ConnectionString;
    }

    /// <summary>
    /// Makes or upgrades the schema, unless it is this CareBot's already: then nothing is locked. Making it takes the
    /// writers' lock and, index by index, a share lock on each table until its commit, which would hold up every
    /// other worker's writes each time a worker starts.
    /// </summary>
    private void EnsureSchema(NpgsqlConnection connection)
    {
        if (StoredVersion(connection) == SchemaVersion)
        {
            return;
        }

        using var tx = connection.BeginTransaction();
        Exec(connection, tx, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({PgSchema.WriteLock})"));
        Exec(connection, tx, PgSchema.Statements().First());
        int? version;
        using (var read = new NpgsqlCommand($"SELECT version FROM {PgSchema.VersionTable}", connection, tx))
        {
            version = read.ExecuteScalar() is int v ? v : null;
        }

        if (version > SchemaVersion)
        {
            throw new StorageException($"Storage:ConnectionString: {Path} has schema version {version}, newer than this CareBot ({SchemaVersion}). Upgrade CareBot.")
            {
                Error = StorageError.ServerNewerSchema,
                Args = [Path, version, SchemaVersion],
            };
        }

        if (version is { } old && old < SchemaVersion)
        {
            Exec(connection, tx, string.Join(";\n", PgSchema.Upgrades(old)));
        }

        Exec(connection, tx, string.Join(";\n", PgSchema.Statements().Skip(1)));
        Exec(connection, tx, string.Create(CultureInfo.InvariantCulture,
            $"INSERT INTO {PgSchema.VersionTable} (one, version) VALUES (1, {SchemaVersion}) ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version"));
        tx.Commit();
    }

    /// <summary>
    /// The schema version stored in the database, in one statement and without a lock; null when it has no schema yet
    /// (the version table is missing: asked outside a transaction, the error leaves the connection as it was).
    /// </summary>
    private static int? StoredVersion(NpgsqlConnection connection)
    {
        try
        {
            using var version = new NpgsqlCommand($"SELECT version FROM {PgSchema.VersionTable}", connection);
            return version.ExecuteScalar() is int v ? v : null;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    private static void Exec(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }

    public override T Write<T>(Func<CareTx, T> work) => Turn(TurnKind.Write, work);

    public override T WriteDeferred<T>(Func<CareTx, T> work) => Turn(TurnKind.WriteDeferred, work);

    public override T Read<T>(Func<CareTx, T> work) => Turn(TurnKind.Read, work);

    /// <summary>A short transaction under the writers' lock, committed without waiting for the disk (see <see cref="CareDb.Mark{T}"/>).</summary>
    public override T Mark<T>(Func<CareTx, T> work) => Turn(TurnKind.Mark, work);

    /// <summary>
    /// The outbox claim in one statement (<see cref="PgTx.ClaimDue"/>), committed by itself without waiting for the
    /// disk, and outside the writers' lock: the rows it takes are locked with <c>FOR UPDATE SKIP LOCKED</c>, so a claim
    /// neither waits for a planner's long write turn nor takes a row another claim or write has locked.
    /// </summary>
    public override List<Core.Model.OutboxMessage> ClaimOutbox(OutboxClaim claim) => Turn(TurnKind.Claim, tx => tx.ClaimDue(claim));

    /// <summary>The sender's mark on its row in one statement, committed by itself, unsynced, outside the writers' lock.</summary>
    public override void MarkOutbox(Core.Model.OutboxMessage row) => Turn(TurnKind.Claim, tx => tx.Outbox.Update(row));

    /// <summary>LISTEN on the outbox's channel, on a connection of its own (<see cref="PgOutboxListener"/>).</summary>
    public override IDisposable WatchOutbox(Action changed)
    {
        ThrowIfFailed();
        return new PgOutboxListener(_data, changed);
    }

    /// <summary>One REPEATABLE READ, read-only transaction: every collection as it was at one moment (a backup).</summary>
    public override T ReadSnapshot<T>(Func<CareTx, T> work) => Turn(TurnKind.Snapshot, work);

    /// <summary>
    /// Makes every commit so far durable: a tiny transaction that writes (so it has WAL of its own) and commits with
    /// <c>synchronous_commit</c> on, which flushes the WAL past every earlier commit. Nothing to do when nothing was
    /// committed unsynced since the last Sync.
    /// </summary>
    public override void Sync()
    {
        ThrowIfFailed();
        // A deferred commit may be visible to others a moment before its own thread marks it unsynced: flush then too.
        if (Interlocked.Exchange(ref _unsynced, 0) == 0 && Volatile.Read(ref _committing) == 0)
        {
            return;
        }

        try
        {
            using var connection = _data.OpenConnection();
            Exec(connection, null, $"BEGIN; SET LOCAL synchronous_commit = on; UPDATE {PgSchema.VersionTable} SET syncs = syncs + 1; COMMIT");
            Reached();
        }
        catch (Exception ex)
        {
            Interlocked.Exchange(ref _unsynced, 1);
            if (PgErrors.IsConnectionError(ex))
            {
                throw Unreachable(ex);
            }

            if (ex is NpgsqlException)
            {
                throw new StorageFaultException(ex.Message, ex);
            }

            throw;
        }
    }

    private T Turn<T>(TurnKind kind, Func<CareTx, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfFailed();
        var writes = kind is TurnKind.Write or TurnKind.WriteDeferred or TurnKind.Mark;
        var mode = kind switch
        {
            TurnKind.Write or TurnKind.WriteDeferred => TurnMode.Write,
            TurnKind.Mark or TurnKind.Claim => TurnMode.Mark,
            _ => TurnMode.Read,
        };
        return InTurn(mode, () => NewTurn(kind, writes, work));
    }

    private T NewTurn<T>(TurnKind kind, bool writes, Func<CareTx, T> work)
    {
        EnterTurn();
        PgSession? session = null;
        try
        {
            session = new PgSession((kind is TurnKind.Mark or TurnKind.Claim ? _marks : _data).OpenConnection(), kind);
            var result = writes ? InTransaction(session, kind, work) : kind == TurnKind.Snapshot ? InSnapshot(session, work) : work(session.Tx);

            Reached();
            return result;
        }
        // A connection that cannot be opened, for whatever reason the server gives (gone, a password changed under a
        // running worker, the database dropped), is out of reach: try again, give up after the give-up time.
        catch (Exception ex) when (session is null ? ex is NpgsqlException || PgErrors.IsConnectionError(ex) : session.ConnectionLost)
        {
            throw Unreachable(ex);
        }
        finally
        {
            session?.Dispose();
            ExitTurn();
        }
    }

    private void EnterTurn()
    {
        lock (_turns)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _activeTurns++;
        }
    }

    private void ExitTurn()
    {
        lock (_turns)
        {
            if (--_activeTurns == 0)
            {
                Monitor.PulseAll(_turns);
            }
        }
    }

    private T InTransaction<T>(PgSession session, TurnKind kind, Func<CareTx, T> work)
    {
        session.Transaction = session.Connection.BeginTransaction();
        try
        {
            var deferred = kind is TurnKind.WriteDeferred or TurnKind.Mark;
            session.Run("", () => session.Exec(string.Create(CultureInfo.InvariantCulture,
                $"SELECT pg_advisory_xact_lock({PgSchema.WriteLock}); SET LOCAL synchronous_commit = {(deferred ? "off" : "on")}")));
            var result = work(session.Tx);
            if (kind != TurnKind.Mark)
            {
                RunCommitJoins(session.Tx);
            }

            if (deferred)
            {
                Interlocked.Increment(ref _committing);
            }

            // A durable commit flushes the WAL past every commit before it: those need no Sync of their own any more
            // (one that commits meanwhile marks itself unsynced after this, and one still in flight is seen by Sync).
            var hadUnsynced = !deferred && Interlocked.Exchange(ref _unsynced, 0) == 1;
            try
            {
                session.Run("", () =>
                {
                    session.Transaction.Commit();
                    return true;
                });
                if (deferred)
                {
                    Interlocked.Exchange(ref _unsynced, 1);
                }
            }
            catch when (hadUnsynced)
            {
                Interlocked.Exchange(ref _unsynced, 1);
                throw;
            }
            finally
            {
                if (deferred)
                {
                    Interlocked.Decrement(ref _committing);
                }
            }

            return result;
        }
        catch
        {
            if (!session.ConnectionLost)
            {
                try
                {
                    session.Transaction.Rollback();
                }
                catch (Exception rollback) when (PgErrors.IsConnectionError(rollback) || rollback is NpgsqlException or InvalidOperationException)
                {
                    // The work's own error is the one to report; the server drops an unfinished transaction anyway.
                }
            }

            throw;
        }
        finally
        {
            session.Transaction.Dispose();
            session.Transaction = null;
        }
    }

    private static T InSnapshot<T>(PgSession session, Func<CareTx, T> work)
    {
        session.Transaction = session.Connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        try
        {
            session.Run("", () => session.Exec("SET TRANSACTION READ ONLY"));
            var result = work(session.Tx);
            session.Transaction.Commit();
            return result;
        }
        finally
        {
            session.Transaction.Dispose();
            session.Transaction = null;
        }
    }

    /// <summary>The server answered: it is no longer out of reach.</summary>
    private void Reached()
    {
        if (_downSince is null)
        {
            return;
        }

        lock (_gate)
        {
            _downSince = null;
        }
    }

    /// <summary>
    /// The server is out of reach: a busy error to try again later, or, once it has been so for longer than the
    /// give-up time, the failure of the database (raised once).
    /// </summary>
    private Exception Unreachable(Exception ex)
    {
        _data.Clear();
        _marks.Clear();
        bool raise;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _downSince ??= now;
            if (_time.GetElapsedTime(_downSince.Value, now) <= _giveUpAfter)
            {
                return ex as StorageBusyException ?? new StorageBusyException($"The database server {Path} cannot be reached for now ({ex.Message}).", ex);
            }

            raise = _failure is null;
            _failure ??= new StorageBusyException(
                string.Create(CultureInfo.InvariantCulture, $"The database server {Path} has been out of reach for more than {_giveUpAfter.TotalSeconds:0} s."), ex);
        }

        if (raise)
        {
            RaiseFailed(_failure);
        }

        return new StorageFailedException(Path, _failure, serverGone: true);
    }

    private void ThrowIfFailed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new StorageFailedException(Path, _failure, serverGone: true);
        }
    }

    /// <summary>Waits (up to half a minute) for the turns in progress on other threads (the dispatcher's, a job's at shutdown), then closes the pools.</summary>
    public override void Dispose()
    {
        lock (_turns)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (_activeTurns > 0 && CurrentTurn is null && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Monitor.Wait(_turns, TimeSpan.FromSeconds(1));
            }
        }

        _data.Dispose();
        _marks.Dispose();
    }
}

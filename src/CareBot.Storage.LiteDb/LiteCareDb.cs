using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// The one LiteDB database of the process (direct mode, own mapper, UTC dates). Storage calls are synchronous
/// and short; a unit of work begins and commits inside one <see cref="Write{T}"/> call and never spans an await.
/// </summary>
public sealed partial class LiteCareDb : CareDb
{
    private readonly LiteDatabase _db;
    private readonly Lock _writeLock = new();
    private readonly EngineFile? _data;
    private readonly EngineFile? _log;
    private readonly IFileLayer? _files;
    private bool _disposed;
    private Exception? _failure;
    private readonly string _upgradeSchool = SchoolDirectory.DefaultId;

    /// <summary>
    /// Opens (or creates) the database file through the real file system. Held for the life of the database: an
    /// exclusive lock on "FILE.lock". LiteDB opens its file with a shared lock only on Linux, so without it a second
    /// process (a CLI verb next to the running worker) could open and write the same file; with it, that is a clear
    /// "in use" error on every platform.
    /// </summary>
    public LiteCareDb(string path, string? password = null, string? upgradeSchool = null)
        : this(path, password, OsFileLayer.Instance, upgradeSchool)
    {
    }

    /// <summary>Opens (or creates) the database through <paramref name="files"/> (the power-cut tests' layer).</summary>
    public LiteCareDb(string path, string? password, IFileLayer files, string? upgradeSchool = null)
        : this(path, password, files, LogRepair.TornPages, upgradeSchool)
    {
    }

    /// <summary><paramref name="repair"/> less than torn pages: the power-cut tests show what the log repair prevents.</summary>
    internal LiteCareDb(string path, string? password, IFileLayer files, LogRepair repair, string? upgradeSchool = null)
    {
        _upgradeSchool = upgradeSchool ?? SchoolDirectory.DefaultId;
        ArgumentNullException.ThrowIfNull(files);
        Path = path;
        _files = files;
        var full = System.IO.Path.GetFullPath(path);
        _fileLock = files is OsFileLayer ? TakeFileLock(path, full) : null;
        try
        {
            (_db, _data, _log, RepairedLogPages) = DatabaseFiles.Open(path, full, password, files, repair);
        }
        catch
        {
            _fileLock?.Dispose();
            throw;
        }

        Encrypted = !string.IsNullOrEmpty(password);
        _tx = new LiteTx(_db, ThrowIfReadOnly);
        try
        {
            _db.UtcDate = true;
            EnsureSchema();
            Sync();
        }
        catch (Exception ex)
        {
            // A disk error (a full disk) while the schema is ensured: the engine has stopped, so no checkpoint at close,
            // and the admin reads why the database cannot be opened.
            var diskError = ex is not StorageFailedException && (ex is IOException || IsFatal(ex));
            if (diskError)
            {
                _failure ??= ex;
            }

            Dispose();
            if (diskError)
            {
                throw new StorageException($"Storage:DatabasePath: cannot open {path}: {ex.Message}", ex) { Error = StorageError.CannotOpen, Args = [path, ex.Message] };
            }

            throw;
        }
    }

    private readonly FileStream? _fileLock;

    private static FileStream TakeFileLock(string path, string full)
    {
        try
        {
            var dir = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir))
            {
                OsFileLayer.Instance.CreateDirectory(dir);
            }

            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new FileStream(full + ".lock", options);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or PathTooLongException or FileNotFoundException) && (DatabaseFiles.IsSharingViolation(ex) || File.Exists(full + ".lock")))
        {
            throw new StorageException($"Storage:DatabasePath: {path} is in use by another process (is the worker running?).", ex, inUse: true) { Error = StorageError.InUse, Args = [path] };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Storage:DatabasePath: cannot open {path}: {ex.Message}", ex) { Error = StorageError.CannotOpen, Args = [path, ex.Message] };
        }
    }

    private readonly bool _ownsDatabase = true;

    private LiteCareDb(LiteDatabase db, string path, bool ownsDatabase = true)
    {
        _db = db;
        _ownsDatabase = ownsDatabase;
        _db.UtcDate = true;
        Path = path;
        _tx = new LiteTx(_db, ThrowIfReadOnly);
        EnsureSchema();
    }

    /// <summary>An in-memory database for tests and benchmarks.</summary>
    public static LiteCareDb InMemory() => new(new LiteDatabase(new MemoryStream(), CreateMapper()), ":memory:");

    public override string Path { get; }

    /// <summary>Whether the file is encrypted with <c>Storage:Password</c>.</summary>
    public override bool Encrypted { get; }

    /// <summary>
    /// Log pages dropped at open because they lay past a page that never reached the disk (a power cut in the middle
    /// of an unconfirmed commit); see <see cref="DatabaseFiles"/>. Zero after a clean stop.
    /// </summary>
    public override int RepairedLogPages { get; }

    /// <summary>The disk error that stopped the database, or null.</summary>
    public override Exception? Failure => _failure;

    private readonly LiteTx _tx;

    public static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper
        {
            EnumAsInteger = false,
            SerializeNullValues = false,
            TrimWhitespace = false,
            EmptyStringToNull = false,
        };
        mapper.RegisterType(
            d => new BsonValue(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            b => ParseDate(b.AsString));
        // A chat address is one text, "channel:id": one indexed equality finds a person by their chat.
        mapper.RegisterType(
            a => new BsonValue(a.ToString()),
            b => ChatAddress.Parse(b.AsString));
        mapper.Entity<Child>().Id(c => c.Id, autoId: false);
        mapper.Entity<ProcessedUpdate>().Id(u => u.Id, autoId: false);
        mapper.Entity<ChatThrottle>().Id(t => t.Id, autoId: false);
        mapper.Entity<StateEntry>().Id(s => s.Id, autoId: false);

        // Only members with a public setter are stored (a computed one, e.g. Person.IsReachable, is not): the same
        // rule as the PostgreSQL provider's (StorageCatalog.IsStored), with no storage attribute on the model.
        mapper.ResolveMember = (_, member, memberMapper) =>
        {
            if (member is System.Reflection.PropertyInfo property && !StorageCatalog.IsStored(property))
            {
                memberMapper.FieldName = null;
            }
        };
        return mapper;
    }

    /// <summary>"yyyy-MM-dd" without the general parser: every care record carries one, and planners read many.</summary>
    internal static DateOnly ParseDate(string s)
    {
        if (s.Length == 10 && s[4] == '-' && s[7] == '-'
            && int.TryParse(s.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var y)
            && int.TryParse(s.AsSpan(5, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var m)
            && int.TryParse(s.AsSpan(8, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d))
        {
            return new DateOnly(y, m, d);
        }

        return DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The schema upgrade has raw access to the database; it runs in the constructor, before any turn.</summary>
    private void EnsureSchema()
    {
        var tx = _tx.Collections;
        var version = _db.UserVersion;
        if (version > SchemaVersion)
        {
            throw new StorageException($"Storage:DatabasePath: {Path} has schema version {version}, newer than this CareBot ({SchemaVersion}). Upgrade CareBot.") { Error = StorageError.NewerSchema, Args = [Path, version, SchemaVersion] };
        }

        tx.People.EnsureIndex(p => p.Phone, unique: true);
        tx.People.EnsureIndex(p => p.Chat);
        tx.Children.EnsureIndex("parents", "$.Parents[*].PersonId");
        tx.Pairings.EnsureIndex(p => p.CarerId);
        tx.Pairings.EnsureIndex(p => p.ChildId);
        tx.Records.EnsureIndex(r => r.ChildId);
        tx.Records.EnsureIndex(r => r.LocalDate);
        tx.Aid.EnsureIndex(a => a.ChildId);
        tx.Meetings.EnsureIndex(m => m.Date);
        tx.DutyTurns.EnsureIndex(d => d.SchoolId);
        tx.DutySwaps.EnsureIndex(d => d.SchoolId);
        tx.ReminderMarks.EnsureIndex(m => m.CarerId);
        tx.ReminderMarks.EnsureIndex(m => m.ChildId);
        tx.Audit.EnsureIndex(a => a.ChildId);
        tx.Concerns.EnsureIndex(c => c.ChildId);
        tx.Flags.EnsureIndex(f => f.ChildId);
        tx.Invites.EnsureIndex(i => i.CodeHash, unique: true);
        tx.Invites.EnsureIndex(i => i.PersonId);
        tx.Outbox.EnsureIndex(o => o.Key, unique: true);
        tx.Outbox.EnsureIndex(o => o.Status);
        tx.Outbox.EnsureIndex(o => o.ChannelMessageId);
        tx.Outbox.EnsureIndex(o => o.Chat);
        RestoreAutomaticCheckpoints();

        // Upgrade path: each step moves the file one version forward inside a transaction.
        while (version < SchemaVersion)
        {
            version++;
            Upgrade(version);
            _db.UserVersion = version;
            _db.Checkpoint();
        }
    }

    private void Upgrade(int toVersion)
    {
        switch (toVersion)
        {
            case 1:
                // Version 1 is the first schema: collections and indexes are ensured above.
                break;
            case 2:
                // Schools: a child's key becomes {school}/{学号}; every child of a one-school database goes to the
                // configured school (or the first, or "default"). One transaction; safe to run again.
                InUpgradeTransaction(() => SchemaUpgrades.ToSchools(_db, _upgradeSchool));
                break;
            case 3:
                // Chat addresses: every bare Telegram chat id becomes "telegram:{id}". One transaction; safe to run again.
                InUpgradeTransaction(() => SchemaUpgrades.ToChatAddresses(_db));
                break;
            default:
                throw new StorageException($"No upgrade step to schema version {toVersion}.");
        }
    }

    private void InUpgradeTransaction(Action step)
    {
        _db.BeginTrans();
        try
        {
            step();
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one LiteDB transaction: all of it is committed, or none; and the commit is on
    /// disk (fsync) before this returns, so a caller may confirm it to a person.
    /// </summary>
    public override T Write<T>(Func<CareTx, T> work)
    {
        lock (_writeLock)
        {
            return InTurn(TurnMode.Write, () =>
            {
                var result = Commit(work);
                Sync();
                return result;
            });
        }
    }

    /// <summary>
    /// Like <see cref="Write{T}"/>, but leaves the sync to the next <see cref="Sync"/>: the updates of one getUpdates
    /// batch share one sync (group commit). Nothing written this way may be confirmed to anyone before that Sync.
    /// </summary>
    public override T WriteDeferred<T>(Func<CareTx, T> work)
    {
        // LiteDB locks each collection a transaction writes until it commits. Two transactions taking collections
        // in different orders (a /notice filling the outbox while a 403 marks a person blocked) would wait on each
        // other for LiteDB's one-minute lock timeout and then both fail. One transaction at a time removes that
        // class of deadlock; writes are synchronous and short.
        lock (_writeLock)
        {
            return InTurn(TurnMode.Write, () => Commit(work));
        }
    }

    /// <summary>One LiteDB transaction around <paramref name="work"/>, committed (not synced); under the lock, in a turn.</summary>
    private T Commit<T>(Func<CareTx, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfFailed();
        if (!Guard(_db.BeginTrans))
        {
            throw new InvalidOperationException("A LiteDB transaction is open on this thread outside a turn.");
        }

        try
        {
            var result = work(_tx);
            RunCommitJoins(_tx);
            Guard(_db.Commit);
            return result;
        }
        catch (Exception ex) when (IsFatal(ex))
        {
            throw Fail(ex);
        }
        catch (Exception ex)
        {
            try
            {
                _db.Rollback();
            }
            catch (Exception rollback) when (IsFatal(rollback))
            {
                // The work's own error is the one to report; the failed rollback stops the database.
                Fail(rollback);
            }

            if (ex is LiteException lite)
            {
                throw Translate(lite);
            }

            throw;
        }
    }

    /// <summary>
    /// Makes every commit so far durable: fsyncs the log (and the data file) when anything was written since the last
    /// sync. Call it before confirming anything written with <see cref="WriteDeferred{T}"/> or an auto-committed
    /// write inside <see cref="Mark"/>. A failed fsync is never retried (the kernel may have dropped the
    /// pages): the database stops and <see cref="Failed"/> is raised.
    /// </summary>
    public override void Sync()
    {
        lock (_writeLock)
        {
            ThrowIfFailed();
            try
            {
                _log?.Sync();
                _data?.Sync();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                throw Fail(ex);
            }
        }
    }

    /// <summary>
    /// Runs reads while no other thread uses the database. LiteDB 5.0.21 has known faults when one thread reads or
    /// writes while another writes (index pages seen half-changed, e.g. "get only index below highest index", which
    /// also leaves the engine unusable): the poller, the dispatcher, the jobs and the admin verbs therefore take turns.
    /// Every call is short; planners hold it for one slice. Writes are refused in it (see <see cref="CareDb.ThrowIfReadOnly"/>).
    /// </summary>
    public override T Read<T>(Func<CareTx, T> work)
    {
        lock (_writeLock)
        {
            return InTurn(TurnMode.Read, () => Locked(work));
        }
    }

    /// <summary>Single writes, each committed by LiteDB itself (no sync); under the one lock, so no writer comes between.</summary>
    public override T Mark<T>(Func<CareTx, T> work)
    {
        lock (_writeLock)
        {
            return InTurn(TurnMode.Mark, () => Locked(work));
        }
    }

    private void Locked(Action<CareTx> work) => Locked(tx =>
    {
        work(tx);
        return true;
    });

    /// <summary>Runs <paramref name="work"/> under the lock without a transaction of its own (a turn's reads, a mark's writes).</summary>
    private T Locked<T>(Func<CareTx, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_writeLock)
        {
            ThrowIfFailed();
            try
            {
                return work(_tx);
            }
            catch (Exception ex) when (IsFatal(ex))
            {
                throw Fail(ex);
            }
            catch (LiteException ex)
            {
                throw Translate(ex);
            }
        }
    }

    /// <summary>A LiteDB error that leaves the engine working, as CareBot's own (no LiteDB type leaves this project).</summary>
    private static Exception Translate(LiteException ex) => ex.ErrorCode switch
    {
        LiteException.LOCK_TIMEOUT => new StorageBusyException(ex.Message, ex),
        LiteException.INDEX_DUPLICATE_KEY => new DuplicateKeyException("database", ex),
        _ => new StorageFaultException(ex.Message, ex),
    };

    /// <summary>Runs one LiteDB call, turning an engine that closed itself after a disk error into a failure.</summary>
    private T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (IsFatal(ex))
        {
            throw Fail(ex);
        }
    }

    /// <summary>
    /// LiteDB 5.0.21 closes its engine on an IOException (EngineState.Handle) and from then on rethrows it on every
    /// call; the engine closing disposes the streams CareDb gave it. Where it does not close (a failed explicit commit),
    /// its log may hold half a commit. Either way retrying is pointless: any I/O error of the database file stops it,
    /// and the process must restart (and so repairs and re-reads the log).
    /// </summary>
    private bool IsFatal(Exception ex) =>
        _failure is not null
        || (_data is not null && (_data.Closed || _log!.Closed) && !_disposed)
        || ex is StorageFailedException
        || (_data is not null && (_data.Faulted || _log!.Faulted))
        || (ex is LiteException lex && lex.ErrorCode == LiteException.INVALID_DATAFILE_STATE);

    private StorageFailedException Fail(Exception ex)
    {
        if (ex is StorageFailedException failed)
        {
            return failed;
        }

        var raise = _failure is null;
        _failure ??= ex;
        AbandonedTransactions.Disarm(_db);
        var error = new StorageFailedException(Path, _failure);
        if (raise)
        {
            RaiseFailed(_failure);
        }

        return error;
    }

    private void ThrowIfFailed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new StorageFailedException(Path, _failure);
        }
    }

    /// <summary>Moves the log into the data file (durable: LiteDB syncs the data file before it cuts the log).</summary>
    public override void Checkpoint()
    {
        // The same order as Dispose: the turn first, then the checkpoint gate.
        lock (_writeLock)
        {
            // Not while a backup copies the data file (see CopyDataFileTo): the log keeps the commits meanwhile.
            if (!_disposed && !Copying)
            {
                Locked(_ =>
                {
                    try
                    {
                        _db.Checkpoint();
                    }
                    catch (LiteException ex) when (!IsFatal(ex))
                    {
                        throw Translate(ex);
                    }
                });
            }
        }
    }

    public override void Dispose()
    {
        // Waits for the turn in progress (the dispatcher's or a job's, at shutdown): LiteDB closing under an open
        // write transaction leaves that transaction's finalizer armed, and it would take the process down later.
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_ownsDatabase)
            {
                return;
            }

            try
            {
                if (_failure is null)
                {
                    _db.Checkpoint();
                }
            }
            finally
            {
                try
                {
                    _db.Dispose();
                }
                catch (Exception) when (_failure is not null)
                {
                    // The engine already stopped on a disk error; closing it again reports the same error.
                }

                AbandonedTransactions.Disarm(_db);

                _data?.Dispose();
                _log?.Dispose();
                if (_failure is null && _files is not null)
                {
                    DatabaseFiles.DeleteEmptyLog(System.IO.Path.GetFullPath(Path), Encrypted, _files);
                }

                _fileLock?.Dispose();
            }
        }
    }
}

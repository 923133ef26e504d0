using CareBot.Core.Model;
using LiteDB;

namespace CareBot.Core.Storage;

/// <summary>A bad database file, password or path: exit code 2 with this message.</summary>
public sealed class StorageException(string message, Exception? inner = null, bool inUse = false) : Exception(message, inner)
{
    /// <summary>The file is held by another process (the worker runs; LiteDB direct mode opens the file exclusively).</summary>
    public bool InUse { get; } = inUse;
}

/// <summary>
/// The one LiteDB database of the process (direct mode, own mapper, UTC dates). Storage calls are synchronous
/// and short; a unit of work begins and commits inside one <see cref="Write{T}"/> call and never spans an await.
/// </summary>
public sealed class CareDb : IDisposable
{
    /// <summary>The schema this code reads and writes, kept in the file's <c>UserVersion</c>.</summary>
    public const int SchemaVersion = 1;

    private readonly LiteDatabase _db;
    private readonly object _checkpointLock = new();
    private readonly Lock _writeLock = new();
    private bool _disposed;

    public CareDb(string path, string? password = null)
        : this(OpenLocked(path, password, out var fileLock), path)
    {
        _fileLock = fileLock;
    }

    /// <summary>
    /// Held for the life of the database. LiteDB opens its file with FileShare.Read, which .NET on Linux maps to a
    /// shared lock only, so a second process (a CLI verb next to the running worker) could open and write the same
    /// file. An exclusive lock on "FILE.lock" makes that a clear "in use" error on every platform.
    /// </summary>
    private FileStream? _fileLock;

    private static LiteDatabase OpenLocked(string path, string? password, out FileStream fileLock)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            var dir = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            fileLock = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or PathTooLongException or FileNotFoundException) && (IsSharingViolation(ex) || File.Exists(full + ".lock")))
        {
            throw new StorageException($"Storage:DatabasePath: {path} is in use by another process (is the worker running?).", ex, inUse: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Storage:DatabasePath: cannot open {path}: {ex.Message}", ex);
        }

        try
        {
            return Open(path, password);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    private readonly bool _ownsDatabase = true;

    private CareDb(LiteDatabase db, string path, bool ownsDatabase = true)
    {
        _db = db;
        _ownsDatabase = ownsDatabase;
        _db.UtcDate = true;
        Path = path;
        People = _db.GetCollection<Person>("people");
        Children = _db.GetCollection<Child>("children");
        Pairings = _db.GetCollection<Pairing>("pairings");
        Records = _db.GetCollection<CareRecord>("records");
        Audit = _db.GetCollection<AuditEntry>("audit");
        Invites = _db.GetCollection<Invite>("invites");
        Throttles = _db.GetCollection<ChatThrottle>("throttles");
        Outbox = _db.GetCollection<OutboxMessage>("outbox");
        Updates = _db.GetCollection<ProcessedUpdate>("updates");
        State = _db.GetCollection<StateEntry>("state");
        EnsureSchema();
    }

    /// <summary>An in-memory database for tests and benchmarks.</summary>
    public static CareDb InMemory() => new(new LiteDatabase(new MemoryStream(), CreateMapper()), ":memory:");

    public string Path { get; }

    public ILiteDatabase Database => _db;
    public ILiteCollection<Person> People { get; }
    public ILiteCollection<Child> Children { get; }
    public ILiteCollection<Pairing> Pairings { get; }
    public ILiteCollection<CareRecord> Records { get; }
    public ILiteCollection<AuditEntry> Audit { get; }
    public ILiteCollection<Invite> Invites { get; }
    public ILiteCollection<ChatThrottle> Throttles { get; }
    public ILiteCollection<OutboxMessage> Outbox { get; }
    public ILiteCollection<ProcessedUpdate> Updates { get; }
    public ILiteCollection<StateEntry> State { get; }

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
        mapper.Entity<Child>().Id(c => c.Id, autoId: false);
        mapper.Entity<ProcessedUpdate>().Id(u => u.Id, autoId: false);
        mapper.Entity<ChatThrottle>().Id(t => t.Id, autoId: false);
        mapper.Entity<StateEntry>().Id(s => s.Id, autoId: false);
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

    private static LiteDatabase Open(string path, string? password)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full);
        try
        {
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Storage:DatabasePath: cannot create the folder {dir}: {ex.Message}", ex);
        }

        var cs = new ConnectionString
        {
            Filename = full,
            Connection = ConnectionType.Direct,
            Password = string.IsNullOrEmpty(password) ? null : password,
        };
        try
        {
            var db = new LiteDatabase(cs, CreateMapper());
            OwnerOnly(full);
            return db;
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INVALID_PASSWORD || ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException($"Storage:Password: the database {path} is encrypted and the password is {(password is null ? "missing" : "wrong")}.", ex);
        }
        catch (LiteException ex)
        {
            throw new StorageException($"Storage:DatabasePath: {path} is not a readable CareBot database ({ex.Message}).", ex);
        }
        catch (IOException ex) when (IsSharingViolation(ex))
        {
            throw new StorageException($"Storage:DatabasePath: {path} is in use by another process (is the worker running?).", ex, inUse: true);
        }
        catch (IOException ex)
        {
            throw new StorageException($"Storage:DatabasePath: cannot open {path}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorageException($"Storage:DatabasePath: no permission to open {path}.", ex);
        }
    }

    // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION; .NET on Unix reports a held flock the same way.
    private static bool IsSharingViolation(IOException ex) => (ex.HResult & 0xFFFF) is 32 or 33 || ex.HResult == 11;

    private void EnsureSchema()
    {
        var version = _db.UserVersion;
        if (version > SchemaVersion)
        {
            throw new StorageException($"Storage:DatabasePath: {Path} has schema version {version}, newer than this CareBot ({SchemaVersion}). Upgrade CareBot.");
        }

        People.EnsureIndex(p => p.Phone, unique: true);
        People.EnsureIndex(p => p.ChatId);
        Children.EnsureIndex("parents", "$.Parents[*].PersonId");
        Pairings.EnsureIndex(p => p.CarerId);
        Pairings.EnsureIndex(p => p.ChildId);
        Records.EnsureIndex(r => r.ChildId);
        Records.EnsureIndex(r => r.LocalDate);
        Audit.EnsureIndex(a => a.ChildId);
        Invites.EnsureIndex(i => i.CodeHash, unique: true);
        Invites.EnsureIndex(i => i.PersonId);
        Outbox.EnsureIndex(o => o.Key, unique: true);
        Outbox.EnsureIndex(o => o.Status);
        Outbox.EnsureIndex(o => o.ChannelMessageId);
        Outbox.EnsureIndex(o => o.ChatId);

        // Upgrade path: each step moves the file one version forward inside a transaction.
        while (version < SchemaVersion)
        {
            version++;
            Upgrade(version);
            _db.UserVersion = version;
        }
    }

    private static void Upgrade(int toVersion)
    {
        switch (toVersion)
        {
            case 1:
                // Version 1 is the first schema: collections and indexes are ensured above.
                break;
            default:
                throw new StorageException($"No upgrade step to schema version {toVersion}.");
        }
    }

    /// <summary>Runs <paramref name="work"/> in one LiteDB transaction: all of it is committed, or none.</summary>
    public T Write<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);

        // LiteDB locks each collection a transaction writes until it commits. Two transactions taking collections
        // in different orders (a /notice filling the outbox while a 403 marks a person blocked) would wait on each
        // other for LiteDB's one-minute lock timeout and then both fail. One transaction at a time removes that
        // class of deadlock; writes are synchronous and short. (Monitor is re-entrant: a nested Write joins.)
        lock (_writeLock)
        {
            if (!_db.BeginTrans())
            {
                // Already inside a transaction on this thread: join it.
                return work();
            }

            try
            {
                var result = work();
                _db.Commit();
                return result;
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    /// <summary>
    /// Runs reads (or single auto-committed writes) while no other thread uses the database. LiteDB 5.0.21 has
    /// known faults when one thread reads or writes while another writes (index pages seen half-changed, e.g.
    /// "get only index below highest index", which also leaves the engine unusable): the poller, the dispatcher,
    /// the jobs and the admin verbs therefore take turns. Every call is short; planners hold it for their run.
    /// </summary>
    public T Exclusive<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_writeLock)
        {
            return work();
        }
    }

    public void Exclusive(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_writeLock)
        {
            work();
        }
    }

    public void Write(Action work) => Write(() =>
    {
        work();
        return true;
    });

    public void AuditWrite(DateTime utc, string actor, string action, string? childId, string? detail = null) =>
        Audit.Insert(new AuditEntry { AtUtc = utc, Actor = actor, Action = action, ChildId = childId, Detail = detail });

    /// <summary>
    /// Writes a consistent copy of the whole database to <paramref name="file"/> (which must not exist), encrypted
    /// with <paramref name="password"/> when given. Safe while the process keeps working: every collection is read
    /// inside one read transaction of this database (a snapshot; writers on other threads are not blocked and their
    /// later commits are not in the copy). The copy is written to a temporary file and renamed when complete.
    /// Returns the number of documents per collection.
    /// </summary>
    public IReadOnlyDictionary<string, int> Backup(string file, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var full = System.IO.Path.GetFullPath(file);
        if (File.Exists(full))
        {
            throw new StorageException($"backup: {file} already exists; choose a new file name.");
        }

        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var temp = full + ".partial";
        DeleteQuietly(temp);
        DeleteQuietly(LogFileOf(temp));
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            var cs = new ConnectionString
            {
                Filename = temp,
                Connection = ConnectionType.Direct,
                Password = string.IsNullOrEmpty(password) ? null : password,
            };
            using (var target = new LiteDatabase(cs, CreateMapper()))
            {
                // Same collections and indexes as a live database, then the documents of one snapshot.
                using (var shaped = new CareDb(target, temp, ownsDatabase: false))
                {
                }

                // LiteDB snapshots each collection when the transaction first reads it; holding the write lock
                // keeps every multi-collection write out meanwhile, so the copy is one consistent moment.
                lock (_writeLock)
                {
                    var ownTransaction = _db.BeginTrans();
                    try
                    {
                        foreach (var name in _db.GetCollectionNames().Order(StringComparer.Ordinal))
                        {
                            var docs = _db.GetCollection(name, BsonAutoId.Int64).FindAll().ToList();
                            var to = target.GetCollection(name, BsonAutoId.Int64);
                            to.DeleteAll();
                            to.InsertBulk(docs);
                            counts[name] = docs.Count;
                        }

                        target.UserVersion = _db.UserVersion;
                    }
                    finally
                    {
                        if (ownTransaction)
                        {
                            _db.Rollback();
                        }
                    }
                }

                target.Checkpoint();
            }

            DeleteQuietly(LogFileOf(temp));
            OwnerOnly(temp);
            File.Move(temp, full);
            return counts;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LiteException)
        {
            DeleteQuietly(temp);
            DeleteQuietly(LogFileOf(temp));
            throw new StorageException($"backup: cannot write {file}: {ex.Message}", ex);
        }
    }

    /// <summary>Children's records are readable by the owner of the process only (Unix file mode 600).</summary>
    internal static void OwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(file))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string LogFileOf(string file) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file) ?? "", System.IO.Path.GetFileNameWithoutExtension(file) + "-log" + System.IO.Path.GetExtension(file));

    private static void DeleteQuietly(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Moves the log into the data file.</summary>
    public void Checkpoint()
    {
        lock (_checkpointLock)
        {
            if (!_disposed)
            {
                Exclusive(() => _db.Checkpoint());
            }
        }
    }

    public void Dispose()
    {
        lock (_checkpointLock)
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
                _db.Checkpoint();
            }
            finally
            {
                _db.Dispose();
                _fileLock?.Dispose();
            }
        }
    }
}

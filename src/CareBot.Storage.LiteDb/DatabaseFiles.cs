using LiteDB;
using LiteDB.Engine;

using CareBot.Core.Storage;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// Opens the database's two files (FILE and FILE-log) through an <see cref="IFileLayer"/> and hands them to LiteDB as
/// streams, so that CareDb decides when they reach the disk.
/// <list type="bullet">
/// <item>A new database appears whole: it is created as FILE.new, synced, and renamed (a durable rename). A new log's
/// name is made durable (a folder sync) before anything is committed into it.</item>
/// <item>Repair at open: LiteDB's log is append-only and CareDb syncs it after every commit it confirms, so
/// everything synced is one unbroken run of pages. A power cut in the middle of a later, unconfirmed commit can leave
/// some of that commit's pages, or sectors of a page, on disk and others not (disks reorder writes): a page or a
/// sector of zeros followed by the commit's last page. LiteDB 5.0.21 would apply the rest of the commit, half. The log
/// is therefore cut at its first page that is not whole before LiteDB reads it; what is cut was never confirmed to
/// anyone.</item>
/// </list>
/// </summary>
public static class DatabaseFiles
{
    /// <summary>LiteDB's page size.</summary>
    public const int PageSize = 8192;

    public static string LogFileOf(string file) =>
        Path.Combine(Path.GetDirectoryName(file) ?? "", Path.GetFileNameWithoutExtension(file) + "-log" + Path.GetExtension(file));

    internal static (LiteDatabase Db, EngineFile Data, EngineFile Log, int Repaired) Open(string path, string full, string? password, IFileLayer files, LogRepair repair = LogRepair.TornPages)
    {
        password = string.IsNullOrEmpty(password) ? null : password;
        var dir = Path.GetDirectoryName(full);
        try
        {
            if (!string.IsNullOrEmpty(dir))
            {
                files.CreateDirectory(dir);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Storage:DatabasePath: cannot create the folder {dir}: {ex.Message}", ex) { Error = StorageError.CannotCreateFolder, Args = [dir, ex.Message] };
        }

        EngineFile? data = null;
        EngineFile? log = null;
        try
        {
            if (!files.Exists(full))
            {
                CreateNew(full, password, files);
            }

            if (password is not null)
            {
                CheckPassword(full, password, files);
                PrepareEncryptedLog(LogFileOf(full), password, files);
            }

            // A new log's name is durable only once the folder is synced: without it a cut could take the whole log,
            // and every commit in it, with it.
            var newLog = !files.Exists(LogFileOf(full));
            log = new EngineFile(files.Open(LogFileOf(full)));
            if (newLog)
            {
                files.SyncFolder(Path.GetDirectoryName(full) ?? "");
            }

            // LiteDB writes the data file only when it copies the log into it (a checkpoint, also automatic inside a
            // commit). Pages of a commit not yet synced must not reach the data file before the log holds them
            // durably: a cut would leave them in the data file while the repair at open drops them from the log.
            var durableLog = log;
            data = new EngineFile(files.Open(full), beforeWrite: durableLog.Sync);
            var repaired = repair == LogRepair.None ? 0 : CutLogAtFirstHole(log, password is not null, repair == LogRepair.TornPages);
            var settings = new EngineSettings { DataStream = data, LogStream = log, Password = password };
            var db = new LiteDatabase(new LiteEngine(settings), LiteCareDb.CreateMapper(), disposeOnClose: true);
            return (db, data, log, repaired);
        }
        catch (Exception ex)
        {
            data?.Dispose();
            log?.Dispose();
            throw Explain(path, password, ex);
        }
    }

    /// <summary>An empty log is removed at a clean close, as LiteDB does for its own files.</summary>
    internal static void DeleteEmptyLog(string full, bool encrypted, IFileLayer files)
    {
        var log = LogFileOf(full);
        try
        {
            if (!files.Exists(log))
            {
                return;
            }

            long length;
            using (var s = files.Open(log))
            {
                length = s.Length;
            }

            if (length == 0 || (encrypted && length <= PageSize))
            {
                files.Delete(log);
            }
        }
        catch (IOException)
        {
            // A leftover empty log is harmless: it is read as empty at the next open.
        }
    }

    private static void CreateNew(string full, string? password, IFileLayer files)
    {
        var temp = full + ".new";
        if (files.Exists(temp))
        {
            files.Delete(temp);
        }

        var stream = files.Open(temp);
        try
        {
            // LiteDB writes the header page (and, encrypted, the salt page) and syncs them.
            using var engine = new LiteEngine(new EngineSettings { DataStream = stream, LogStream = new MemoryStream(), Password = password });
        }
        finally
        {
            stream.Dispose();
        }

        files.Move(temp, full);
    }

    /// <summary>
    /// An encrypted log starts with a page holding its salt. LiteDB writes it in three writes the first time it writes
    /// the log; a cut between them (disks reorder) could leave a salt of zeros beside a password check made with the
    /// real one, and the next open would report a wrong password. So the salt page is made here, whole and synced, in a
    /// file of its own renamed into place, before LiteDB sees the log. A log shorter than that page was never synced
    /// and holds nothing confirmed.
    /// </summary>
    private static void PrepareEncryptedLog(string log, string password, IFileLayer files)
    {
        if (files.Exists(log))
        {
            using var existing = files.Open(log);
            if (existing.Length >= PageSize)
            {
                return;
            }
        }

        var temp = log + ".new";
        if (files.Exists(temp))
        {
            files.Delete(temp);
        }

        using (var stream = files.Open(temp))
        using (new AesStream(password, new KeepOpenStream(stream)))
        {
            // The constructor writes the salt and the password check and syncs them.
        }

        files.Move(temp, log);
    }

    /// <summary>A wrong password must be refused before the log is touched (a log made with it would stay behind).</summary>
    private static void CheckPassword(string full, string password, IFileLayer files)
    {
        using var data = files.Open(full);
        if (data.Length < PageSize)
        {
            return;
        }

        var first = data.ReadByte();
        if (first != 1)
        {
            throw new StorageException($"Storage:Password: the database {full} is not encrypted, but Storage:Password is set; remove the setting.") { Error = StorageError.NotEncrypted, Args = [full] };
        }

        data.Position = 0;
        using (new AesStream(password, new KeepOpenStream(data)))
        {
            // The constructor reads the salt and checks the password.
        }
    }

    /// <summary>
    /// Cuts the log at its first page that is not whole (see the class summary); returns the number of pages cut. A
    /// page is torn when a sector of it never reached the disk: the log only grows from a synced length, so a lost
    /// sector reads as zeros. Encrypted pages are AES output, where 512 zero bytes never occur. Plain pages are checked
    /// where LiteDB 5 always writes: the header (a page's first sector) and, on a page holding items, the slot of its
    /// highest item (the page's last bytes).
    /// </summary>
    internal static int CutLogAtFirstHole(Stream log, bool encrypted, bool tornPages = true)
    {
        var length = log.Length;
        var page = new byte[PageSize];
        for (var position = encrypted ? PageSize : 0L; position < length; position += PageSize)
        {
            log.Position = position;
            var read = log.ReadAtLeast(page, PageSize, throwOnEndOfStream: false);
            if (tornPages ? read == PageSize && IsWhole(page, encrypted) : page.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                continue;
            }

            var cut = (int)((length - position + PageSize - 1) / PageSize);
            log.SetLength(position);
            log.Flush();
            return cut;
        }

        return 0;
    }

    /// <summary>Sector: the smallest unit a disk writes whole (older disks); 4 KiB disks tear only at page halves.</summary>
    private const int Sector = 512;

    // LiteDB 5.0.21's page layout (BasePage): items count at 23, highest item index at 30, slots of 4 bytes at the end.
    private const int ItemsCountAt = 23;
    private const int HighestIndexAt = 30;
    private const int SlotSize = 4;

    private static bool IsWhole(byte[] page, bool encrypted)
    {
        if (encrypted)
        {
            for (var sector = 0; sector < PageSize; sector += Sector)
            {
                if (!page.AsSpan(sector, Sector).ContainsAnyExcept((byte)0))
                {
                    return false;
                }
            }

            return true;
        }

        if (!page.AsSpan(0, Sector).ContainsAnyExcept((byte)0))
        {
            return false;
        }

        if (page[ItemsCountAt] == 0)
        {
            return true;
        }

        var slot = PageSize - ((page[HighestIndexAt] + 1) * SlotSize);
        return page.AsSpan(slot, SlotSize).ContainsAnyExcept((byte)0);
    }

    private static Exception Explain(string path, string? password, Exception ex) => ex switch
    {
        StorageException => ex,
        LiteException lex when lex.ErrorCode == LiteException.INVALID_PASSWORD || lex.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
            new StorageException($"Storage:Password: the database {path} is encrypted and the password is {(password is null ? "missing" : "wrong")}.", ex) { Error = password is null ? StorageError.PasswordMissing : StorageError.PasswordWrong, Args = [path] },
        LiteException => new StorageException($"Storage:DatabasePath: {path} is not a readable CareBot database ({ex.Message}).", ex) { Error = StorageError.NotADatabase, Args = [path, ex.Message] },
        IOException io when IsSharingViolation(io) => new StorageException($"Storage:DatabasePath: {path} is in use by another process (is the worker running?).", ex, inUse: true) { Error = StorageError.InUse, Args = [path] },
        IOException => new StorageException($"Storage:DatabasePath: cannot open {path}: {ex.Message}", ex) { Error = StorageError.CannotOpen, Args = [path, ex.Message] },
        UnauthorizedAccessException => new StorageException($"Storage:DatabasePath: no permission to open {path}.", ex) { Error = StorageError.NoPermission, Args = [path] },
        _ => ex,
    };

    // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION; .NET on Unix reports a held flock the same way.
    internal static bool IsSharingViolation(IOException ex) => (ex.HResult & 0xFFFF) is 32 or 33 || ex.HResult == 11;
}

/// <summary>How the log is repaired at open; only the power-cut tests choose less than <see cref="TornPages"/>.</summary>
internal enum LogRepair
{
    /// <summary>Not at all (what the repair prevents).</summary>
    None,

    /// <summary>Cut at the first page of zeros only (what the torn-page check adds).</summary>
    ZeroPages,

    /// <summary>Cut at the first page that is not whole.</summary>
    TornPages,
}

/// <summary>
/// One of the database's files as LiteDB sees it: counts writes since the last sync, so that CareDb syncs only when
/// something was written, and notices when LiteDB closes it (which LiteDB does when its engine stops on a disk error).
/// </summary>
internal sealed class EngineFile(Stream inner, Action? beforeWrite = null) : Stream
{
    private long _unsynced;
    private long _writes;

    /// <summary>Writes and length changes so far: a backup sees whether the file changed while it copied it.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public bool Closed { get; private set; }

    /// <summary>An I/O error came from this file: the database's own disk failed, not a caller's code.</summary>
    public bool Faulted { get; private set; }

    public override bool CanRead => !Closed && inner.CanRead;

    public override bool CanSeek => !Closed && inner.CanSeek;

    public override bool CanWrite => !Closed && inner.CanWrite;

    public override long Length => Io(() => inner.Length);

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    /// <summary>fsync, when anything was written since the last one.</summary>
    public void Sync()
    {
        if (Interlocked.Read(ref _unsynced) == 0)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(Closed, this);
        Interlocked.Exchange(ref _unsynced, 0);
        Io(inner.Flush);
    }

    public override void Flush()
    {
        Interlocked.Exchange(ref _unsynced, 0);
        Io(inner.Flush);
    }

    public override int Read(byte[] buffer, int offset, int count) => Io(() => inner.Read(buffer, offset, count));

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value)
    {
        Interlocked.Increment(ref _writes);
        Io(() => inner.SetLength(value));
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        beforeWrite?.Invoke();
        Interlocked.Increment(ref _writes);
        Interlocked.Increment(ref _unsynced);
        Io(() => inner.Write(buffer, offset, count));
    }

    private T Io<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (IOException)
        {
            Faulted = true;
            throw;
        }
    }

    private void Io(Action call) => Io(() =>
    {
        call();
        return true;
    });

    protected override void Dispose(bool disposing)
    {
        if (disposing && !Closed)
        {
            Closed = true;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// Passes every call to another stream and leaves it open when disposed: lets AesStream write the salt page without
/// closing the file under it; tests derive from it to watch or hold a file's reads.
/// </summary>
internal class KeepOpenStream(Stream inner) : Stream
{
    protected Stream Inner => inner;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
}

using System.Runtime.InteropServices;

using CareBot.Core.Storage;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// The files under the database. LiteDB 5.0.21 never makes a commit durable by itself (LiteDB issue 2818: it writes
/// the log with no fsync, and through an encrypted stream it never syncs at all, issue 2156), so CareDb hands LiteDB
/// streams from this layer and decides itself when they reach the disk. Production uses <see cref="OsFileLayer"/>;
/// the power-cut tests put a recording layer here that can lose everything not yet synced.
/// </summary>
public interface IFileLayer
{
    bool Exists(string path);

    /// <summary>
    /// Opens the file for reading and writing, creating it (owner-only) when missing. The stream is unbuffered:
    /// every Write reaches the operating system at once. Its <see cref="Stream.Flush()"/> makes everything written
    /// durable (fsync), and so does <see cref="Stream.SetLength"/>.
    /// </summary>
    Stream Open(string path);

    void Delete(string path);

    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/> atomically and makes the rename durable (syncs the folder).</summary>
    void Move(string from, string to);

    /// <summary>
    /// Makes the creates, deletes and renames in the folder durable (fsync of the folder). A file's fsync covers its
    /// content only: a new file can vanish in a power cut, with everything synced into it, until its folder is synced.
    /// </summary>
    void SyncFolder(string path);

    /// <summary>Creates the folder (owner-only: children's records live in it) if missing.</summary>
    void CreateDirectory(string path);
}

/// <summary>The real file system: owner-only files and folders, fsync on flush, durable renames.</summary>
public sealed class OsFileLayer : IFileLayer
{
    public static readonly OsFileLayer Instance = new();

    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public bool Exists(string path) => File.Exists(path);

    public Stream Open(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }

        var stream = new FileStream(path, options);
        OwnerOnly(path);
        return new SyncedFileStream(stream);
    }

    public void Delete(string path) => File.Delete(path);

    public void Move(string from, string to)
    {
        File.Move(from, to, overwrite: true);
        SyncFolder(Path.GetDirectoryName(Path.GetFullPath(to)) ?? "");
    }

    public void SyncFolder(string path) => SyncDirectory(path);

    public void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerFolder);
        }
    }

    /// <summary>Children's records are readable by the owner of the process only (Unix file mode 600).</summary>
    public static void OwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(file) && (File.GetUnixFileMode(file) & ~OwnerFile) != 0)
        {
            File.SetUnixFileMode(file, OwnerFile);
        }
    }

    /// <summary>A rename is durable only once its folder is synced (POSIX); .NET has no call for it, so libc's.</summary>
    public static void SyncDirectory(string? directory)
    {
        if (string.IsNullOrEmpty(directory) || !OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.open(directory, NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY);
        if (fd < 0)
        {
            throw new IOException($"cannot open the folder {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"cannot sync the folder {directory} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        public const int O_RDONLY = 0;
        public const int O_DIRECTORY = 0x10000; // Linux (x86-64 and arm64)

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
#pragma warning disable CA2101, SYSLIB1054 // file names are passed as UTF-8 bytes by the runtime on Linux
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
#pragma warning restore CA2101, SYSLIB1054

        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}

/// <summary>
/// An unbuffered file whose Flush is an fsync (FileStream.Flush(true)) and whose SetLength is synced at once. LiteDB
/// calls Flush after it copies the log into the data file, so a checkpoint is durable before the log is cut; CareDb
/// calls it after each commit it confirms.
/// </summary>
internal sealed class SyncedFileStream(FileStream inner) : Stream
{
    private bool _disposed;

    public override bool CanRead => !_disposed && inner.CanRead;

    public override bool CanSeek => !_disposed && inner.CanSeek;

    public override bool CanWrite => !_disposed && inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush()
    {
        lock (this)
        {
            inner.Flush(flushToDisk: true);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value)
    {
        lock (this)
        {
            inner.SetLength(value);
            inner.Flush(flushToDisk: true);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using CareBot.Core.Text;
using Microsoft.Win32.SafeHandles;

namespace CareBot.Worker.Hosting;

/// <summary>A file refused for what it is (a link, someone else's, readable by others, already there); the text says which.</summary>
public sealed class PrivateFileException : IOException
{
    public PrivateFileException(string textId, params object?[] args)
        : base(textId)
    {
        TextId = textId;
        Args = args;
    }

    public string TextId { get; }

    public IReadOnlyList<object?> Args { get; }

    public string Render(string language) => Texts.Get(language, TextId, [.. Args]);
}

/// <summary>
/// Files that carry admin requests, answers, invite codes or status: read only when they are what the worker itself
/// would have written (a regular file of one link, owned by the expected user, mode 0600, not reached through a
/// symbolic link), and created only new (an existing file or link in the way is refused, never written through).
/// The checks are made on the opened file, not on the name, so a file swapped in between is caught as well.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The effective user id of this process; null where it cannot be told (not Linux).</summary>
    public static uint? EffectiveUser => OperatingSystem.IsLinux() ? Native.geteuid() : null;

    /// <summary>
    /// The owner of the file at <paramref name="path"/> (a link is followed: this tells whose the database is, and so
    /// whose its request, answer and heartbeat files must be); null when it is missing or on other systems.
    /// </summary>
    public static uint? OwnerOf(string path) =>
        OperatingSystem.IsLinux() && Native.statx(Native.AtFdCwd, path, 0, Native.StatxBasicStats, out var st) == 0 ? st.Uid : null;

    /// <summary>
    /// Opens <paramref name="path"/> for reading when it is a regular file with one link, not a symbolic link, mode 0600
    /// and owned by <paramref name="owner"/> (not checked when null). Throws <see cref="PrivateFileException"/> otherwise,
    /// <see cref="FileNotFoundException"/> when it is gone.
    /// </summary>
    public static FileStream OpenOwnerOnly(string path, uint? owner)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            return OpenChecked(path);
        }

        var fd = Native.open(path, Native.OpenFlags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Native.ELoop => new PrivateFileException("files.link", path),
                Native.ENoEnt => new FileNotFoundException(null, path),
                _ => new IOException(string.Create(CultureInfo.InvariantCulture, $"open failed with errno {errno}")),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Native.statx(fd, "", Native.AtEmptyPath, Native.StatxBasicStats, out var st) != 0)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"statx failed with errno {Marshal.GetLastPInvokeError()}"));
            }

            var mode = st.Mode & 0xFFF;
            if ((st.Mode & Native.FileTypeMask) != Native.RegularFile)
            {
                throw new PrivateFileException("files.not_regular", path);
            }

            if (owner is { } expected && st.Uid != expected)
            {
                throw new PrivateFileException("files.owner", path, st.Uid, expected);
            }

            if (mode != (int)OwnerOnly)
            {
                throw new PrivateFileException("files.mode", path, Convert.ToString(mode, 8).PadLeft(4, '0'));
            }

            if (st.Links != 1)
            {
                throw new PrivateFileException("files.links", path, st.Links);
            }

            return new FileStream(handle, FileAccess.Read);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/>, readable and writable by its owner only. An existing file, or a link (even one
    /// pointing nowhere), is refused with <see cref="PrivateFileException"/> and left as it is.
    /// </summary>
    public static FileStream CreateExclusive(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw new PrivateFileException("files.exists", path);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            // O_CREAT | O_EXCL: fails on anything at the name, a link included, so nothing is ever written through one.
            return new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw new PrivateFileException("files.exists", path);
        }
    }

    /// <summary>Writes <paramref name="text"/> to a new owner-only file (see <see cref="CreateExclusive"/>) and syncs it.</summary>
    public static void WriteNew(string path, string text)
    {
        using var stream = CreateExclusive(path);
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write(text);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Where the owner cannot be told: refuse links and files others may read; the owner is not checked.</summary>
    private static FileStream OpenChecked(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new PrivateFileException("files.link", path);
        }

        if (!OperatingSystem.IsWindows() && info.Exists && info.UnixFileMode != OwnerOnly)
        {
            throw new PrivateFileException("files.mode", path, Convert.ToString((int)info.UnixFileMode, 8).PadLeft(4, '0'));
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read);
    }

    /// <summary>libc on Linux. statx has the same layout on every architecture; the open flags differ on ARM.</summary>
    private static class Native
    {
        public const int AtFdCwd = -100;
        public const int AtEmptyPath = 0x1000;
        public const uint StatxBasicStats = 0x7FF;
        public const int FileTypeMask = 0xF000;
        public const int RegularFile = 0x8000;
        public const int ENoEnt = 2;
        public const int ELoop = 40;

        private const int ReadOnly = 0;
        private const int NonBlock = 0x800;  // a FIFO put in the way must not hang the reader
        private const int CloseOnExec = 0x80000;

        public static int OpenFlags => ReadOnly | NonBlock | CloseOnExec | NoFollow;

        private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

        [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, CA5392, SYSLIB1054, IDE1006 // libc's names; strings marshalled as UTF-8 explicitly; default probing
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx buffer);

        [DllImport("libc")]
        public static extern uint geteuid();
#pragma warning restore CA2101, CA5392, SYSLIB1054, IDE1006
    }

    /// <summary>The head of struct statx (linux/stat.h); the kernel fills 256 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
    }
}

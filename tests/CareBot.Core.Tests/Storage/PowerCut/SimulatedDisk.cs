using CareBot.Storage.LiteDb;
using System.Runtime.InteropServices;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>What survives of the operations made after the last sync when the power goes.</summary>
public enum CutMode
{
    /// <summary>Nothing that was not synced: no unsynced write, and no create or rename the folder sync did not cover.</summary>
    Nothing,

    /// <summary>Every operation, as if the cut came just after the operating system flushed its cache.</summary>
    Everything,

    /// <summary>A random subset of the unsynced writes, each whole (disks reorder writes), and a random prefix of the folder's changes.</summary>
    RandomPages,

    /// <summary>
    /// A random subset of the unsynced writes' sectors (<see cref="SimulatedDisk.SectorSize"/>): a page write torn
    /// within the page (a lost sector of an appended page reads as zeros, of an overwritten page as its old content).
    /// </summary>
    TornSectors,
}

/// <summary>
/// A file layer in memory that records every write, length change and sync of every file, and every create, delete,
/// rename and folder sync (SQLite's crash-test VFS is the model). A file's content and its name are separate, as in a
/// real file system: a write is durable once its file is synced, a create, delete or rename once its folder is
/// synced. <see cref="CutPoints"/> rebuilds the disk as a power cut after each operation would leave it.
/// It can also fill up (<see cref="Capacity"/>): a write that does not fit is cut short and fails (ENOSPC).
/// </summary>
public sealed class SimulatedDisk : IFileLayer
{
    /// <summary>The unit a disk writes whole: ext4's block, the page cache's page, an Advanced Format sector.</summary>
    public const int SectorSize = 4096;

    private readonly Dictionary<string, Inode> _names;
    private readonly Dictionary<string, (int Inode, byte[] Content)> _initial = new(StringComparer.Ordinal);
    private readonly List<DiskOp> _ops = [];
    private int _nextInode;
    private int _lastLogSyncOverWrites = -1;

    public SimulatedDisk()
        : this(new Dictionary<string, List<byte>>(StringComparer.Ordinal))
    {
    }

    private SimulatedDisk(Dictionary<string, List<byte>> files)
    {
        _names = new Dictionary<string, Inode>(StringComparer.Ordinal);
        foreach (var (path, content) in files)
        {
            _names[path] = new Inode(++_nextInode, content);
            _initial[path] = (_nextInode, [.. content]);
        }
    }

    /// <summary>How LiteDB 5.0.21 synced on its own, before CareBot synced: to show what the sweep finds then.</summary>
    public enum LegacySync
    {
        /// <summary>Every Flush is an fsync (CareBot's file layer).</summary>
        Off,

        /// <summary>Plain LiteDB: its FileStream is synced when the log is copied into the data file, the log never.</summary>
        DataFileOnly,

        /// <summary>Encrypted LiteDB: its AesStream's Flush never reaches the disk (LiteDB issue 2156).</summary>
        Never,
    }

    public LegacySync Legacy { get; init; }

    /// <summary>False: folder syncs do nothing (to show what the sweep finds without them).</summary>
    public bool FolderSyncs { get; init; } = true;

    /// <summary>When set, every write from then on fails with an I/O error (a dying disk).</summary>
    public bool Failing { get; set; }

    /// <summary>Bytes the files may hold in all; a write past it is cut short and fails with "no space left". Null: no limit.</summary>
    public long? Capacity { get; set; }

    /// <summary>
    /// The disk fills up after this many operations: from then on no file may grow (other programs take whatever is
    /// freed), until the space is freed (<see cref="AsIs"/>).
    /// </summary>
    public int? FullAfterOps { get; init; }

    private void FillUp()
    {
        if (_ops.Count >= FullAfterOps)
        {
            Capacity = Math.Min(Capacity ?? long.MaxValue, Used);
        }
    }

    /// <summary>Operations so far, in order.</summary>
    public IReadOnlyList<DiskOp> Ops => _ops;

    public int Syncs => _ops.Count(o => o.Kind == OpKind.Sync);

    /// <summary>Syncs of the log that made unsynced commits durable just before LiteDB wrote the data file (a checkpoint).</summary>
    public int CheckpointsOverUnsyncedCommits { get; private set; }

    public int FullDiskErrors { get; private set; }

    private long Used => _names.Values.Distinct().Sum(n => (long)n.Content.Count);

    public bool Exists(string path) => _names.ContainsKey(path);

    public Stream Open(string path)
    {
        if (!_names.TryGetValue(path, out var node))
        {
            node = new Inode(++_nextInode, []);
            _names[path] = node;
            Record(new DiskOp(OpKind.Create, path) { Inode = node.Id });
        }

        return new SimStream(this, node, path);
    }

    public void Delete(string path)
    {
        if (_names.Remove(path))
        {
            Record(new DiskOp(OpKind.Delete, path));
        }
    }

    /// <summary>As <see cref="OsFileLayer.Move"/>: the rename, then a sync of the folder.</summary>
    public void Move(string from, string to)
    {
        _names[to] = _names[from];
        _names.Remove(from);
        Record(new DiskOp(OpKind.Move, from) { To = to });
        SyncFolder(Path.GetDirectoryName(to) ?? "");
    }

    public void SyncFolder(string path)
    {
        if (FolderSyncs)
        {
            Record(new DiskOp(OpKind.SyncFolder, path));
        }
    }

    public void CreateDirectory(string path)
    {
    }

    public byte[] Content(string path) => [.. _names[path].Content];

    /// <summary>The disk as it is now, as a new disk (space freed, the process restarted, the cache written).</summary>
    public SimulatedDisk AsIs() => new(_names.ToDictionary(n => n.Key, n => new List<byte>(n.Value.Content), StringComparer.Ordinal));

    /// <summary>
    /// Every point at which the power can go: after each operation so far, in order. Each item builds the disk as a
    /// cut just after that operation leaves it (<see cref="CutPoint.Disk"/>). Walks the operations once.
    /// </summary>
    public IEnumerable<CutPoint> CutPoints()
    {
        var durableNames = _initial.ToDictionary(f => f.Key, f => f.Value.Inode, StringComparer.Ordinal);
        var pendingNames = new List<DiskOp>();
        var durable = _initial.Values.ToDictionary(f => f.Inode, f => new List<byte>(f.Content));
        var pending = _initial.Values.ToDictionary(f => f.Inode, _ => new List<DiskOp>());
        for (var i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            switch (op.Kind)
            {
                case OpKind.Create:
                    durable[op.Inode] = [];
                    pending[op.Inode] = [];
                    pendingNames.Add(op);
                    break;
                case OpKind.Write or OpKind.SetLength:
                    pending[op.Inode].Add(op);
                    break;
                case OpKind.Sync:
                    ApplyTo(durable[op.Inode], pending[op.Inode]);
                    pending[op.Inode].Clear();
                    break;
                case OpKind.Delete or OpKind.Move:
                    pendingNames.Add(op);
                    break;
                case OpKind.SyncFolder:
                    foreach (var change in pendingNames)
                    {
                        Rename(durableNames, change);
                    }

                    pendingNames.Clear();
                    break;
            }

            var names = new Dictionary<string, int>(durableNames, StringComparer.Ordinal);
            var changes = pendingNames.ToList();
            var contents = durable.ToDictionary(d => d.Key, d => (Durable: d.Value, Pending: pending[d.Key].ToList()));
            yield return new CutPoint(i + 1, op, (mode, random) =>
            {
                // The folder's changes reach the disk in order (the file system's journal), so a prefix of them.
                var kept = mode switch
                {
                    CutMode.Nothing => 0,
                    CutMode.Everything => changes.Count,
                    _ => random.Next(changes.Count + 1),
                };
                var cutNames = new Dictionary<string, int>(names, StringComparer.Ordinal);
                foreach (var change in changes.Take(kept))
                {
                    Rename(cutNames, change);
                }

                var files = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
                foreach (var (path, inode) in cutNames)
                {
                    var (bytes, lost) = contents[inode];
                    var copy = new List<byte>(bytes);
                    ApplyTo(copy, Survivors(lost, mode, random));
                    files[path] = copy;
                }

                return new SimulatedDisk(files);
            });
        }
    }

    /// <summary>A power cut just after operation <see cref="AfterOps"/> (a count).</summary>
    public sealed record CutPoint(int AfterOps, DiskOp Last, Func<CutMode, Random, SimulatedDisk> Disk);

    private static void Rename(Dictionary<string, int> names, DiskOp change)
    {
        switch (change.Kind)
        {
            case OpKind.Create:
                names[change.Path] = change.Inode;
                break;
            case OpKind.Delete:
                names.Remove(change.Path);
                break;
            case OpKind.Move when names.TryGetValue(change.Path, out var inode):
                names[change.To!] = inode;
                names.Remove(change.Path);
                break;
        }
    }

    private static List<DiskOp> Survivors(List<DiskOp> lost, CutMode mode, Random random) => mode switch
    {
        CutMode.Nothing => [],
        CutMode.Everything => lost,
        CutMode.RandomPages => lost.Where(_ => random.Next(2) == 0).ToList(),
        _ => lost.SelectMany(Sectors).Where(_ => random.Next(2) == 0).ToList(),
    };

    /// <summary>A write split at the disk's sector boundaries; a length change stays one operation.</summary>
    private static IEnumerable<DiskOp> Sectors(DiskOp op)
    {
        if (op.Kind != OpKind.Write)
        {
            yield return op;
            yield break;
        }

        var data = op.Data!;
        var start = 0;
        while (start < data.Length)
        {
            var offset = op.Offset + start;
            var end = (int)Math.Min(data.Length, ((offset / SectorSize) + 1) * SectorSize - op.Offset);
            yield return op with { Offset = offset, Data = data[start..end] };
            start = end;
        }
    }

    private static void ApplyTo(List<byte> content, List<DiskOp> ops)
    {
        foreach (var op in ops)
        {
            if (op.Kind == OpKind.SetLength)
            {
                Resize(content, op.Length);
            }
            else
            {
                WriteAt(content, op.Offset, op.Data!);
            }
        }
    }

    private static void Resize(List<byte> content, long length)
    {
        if (length < content.Count)
        {
            content.RemoveRange((int)length, content.Count - (int)length);
        }
        else if (length > content.Count)
        {
            var old = content.Count;
            CollectionsMarshal.SetCount(content, (int)length);
            CollectionsMarshal.AsSpan(content)[old..].Clear();
        }
    }

    private static void WriteAt(List<byte> content, long offset, byte[] data)
    {
        if (offset + data.Length > content.Count)
        {
            Resize(content, offset + data.Length);
        }

        var span = CollectionsMarshal.AsSpan(content);
        data.CopyTo(span[(int)offset..]);
    }

    private void Record(DiskOp op) => _ops.Add(op);

    public enum OpKind
    {
        Create,
        Write,
        SetLength,
        Sync,
        Delete,
        Move,
        SyncFolder,
    }

    public sealed record DiskOp(OpKind Kind, string Path)
    {
        public int Inode { get; init; }
        public long Offset { get; init; }
        public byte[]? Data { get; init; }
        public long Length { get; init; }
        public string? To { get; init; }
    }

    private sealed class Inode(int id, List<byte> content)
    {
        public int Id { get; } = id;

        public List<byte> Content { get; } = content;

        /// <summary>Writes since the file's last sync.</summary>
        public int Unsynced { get; set; }
    }

    /// <summary>One open file: unbuffered, Flush is a sync, SetLength is synced at once (as <see cref="OsFileLayer"/>).</summary>
    private sealed class SimStream(SimulatedDisk disk, Inode node, string path) : Stream
    {
        private long _position;

        private bool IsLog => path.Contains("-log", StringComparison.Ordinal);

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => node.Content.Count;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override void Flush()
        {
            if (disk.Failing)
            {
                throw new IOException("simulated fsync error");
            }

            var synced = disk.Legacy == LegacySync.Off || (disk.Legacy == LegacySync.DataFileOnly && !IsLog);
            if (!synced)
            {
                return;
            }

            disk.Record(new DiskOp(OpKind.Sync, path) { Inode = node.Id });
            disk._lastLogSyncOverWrites = IsLog && node.Unsynced > 0 ? node.Id : -1;
            node.Unsynced = 0;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var content = node.Content;
            var n = (int)Math.Max(0, Math.Min(count, content.Count - _position));
            content.CopyTo((int)_position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => node.Content.Count + offset,
        };

        public override void SetLength(long value)
        {
            disk.FillUp();

            if (value > node.Content.Count && disk.Capacity is { } capacity && disk.Used + value - node.Content.Count > capacity)
            {
                disk.FullDiskErrors++;
                throw new IOException("simulated disk full: No space left on device");
            }

            Resize(node.Content, value);
            disk.Record(new DiskOp(OpKind.SetLength, path) { Inode = node.Id, Length = value });
            Flush();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (disk.Failing)
            {
                throw new IOException("simulated disk error");
            }

            var fits = count;
            disk.FillUp();

            if (disk.Capacity is { } capacity)
            {
                var growth = Math.Max(0, _position + count - node.Content.Count);
                var free = capacity - disk.Used;
                if (growth > free)
                {
                    // A short write: what fits lands (a sector at a time), then the call fails with ENOSPC.
                    fits = (int)Math.Max(0, count - growth + Math.Max(0, free));
                    fits -= fits % 512;
                }
            }

            if (fits > 0)
            {
                var data = buffer.AsSpan(offset, fits).ToArray();
                WriteAt(node.Content, _position, data);
                if (!IsLog && disk._ops.Count > 0 && disk._ops[^1] is { Kind: OpKind.Sync } last && last.Inode == disk._lastLogSyncOverWrites)
                {
                    disk.CheckpointsOverUnsyncedCommits++;
                }

                disk.Record(new DiskOp(OpKind.Write, path) { Inode = node.Id, Offset = _position, Data = data });
                node.Unsynced++;
                _position += fits;
            }

            if (fits < count)
            {
                disk.FullDiskErrors++;
                throw new IOException("simulated disk full: No space left on device");
            }
        }
    }
}

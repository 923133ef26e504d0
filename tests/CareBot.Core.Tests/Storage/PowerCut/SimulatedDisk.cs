using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>What survives of the writes made after a file's last sync when the power goes.</summary>
public enum CutMode
{
    /// <summary>Nothing that was not synced.</summary>
    Nothing,

    /// <summary>Every write, as if the cut came just after the operating system flushed its cache.</summary>
    Everything,

    /// <summary>A random subset of the unsynced writes: disks reorder writes.</summary>
    RandomPages,
}

/// <summary>
/// A file layer in memory that records every write, length change and sync of every file (SQLite's crash-test VFS is
/// the model). <see cref="After"/> rebuilds the disk as a power cut after operation N would leave it: what was synced
/// stays; of what was not, nothing, everything or a random subset, per <see cref="CutMode"/>.
/// </summary>
public sealed class SimulatedDisk : IFileLayer
{
    private readonly Dictionary<string, List<byte>> _files;
    private readonly List<DiskOp> _ops = [];

    public SimulatedDisk()
        : this(new Dictionary<string, List<byte>>(StringComparer.Ordinal))
    {
    }

    private SimulatedDisk(Dictionary<string, List<byte>> files) => _files = files;

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

    /// <summary>When set, every write from then on fails with an I/O error (a dying disk).</summary>
    public bool Failing { get; set; }

    /// <summary>Operations so far (writes, length changes, syncs, creates, deletes, renames), in order.</summary>
    public IReadOnlyList<DiskOp> Ops => _ops;

    public int Syncs => _ops.Count(o => o.Kind == OpKind.Sync);

    public bool Exists(string path) => _files.ContainsKey(path);

    public Stream Open(string path)
    {
        if (!_files.ContainsKey(path))
        {
            _files[path] = [];
            Record(new DiskOp(OpKind.Create, path));
        }

        return new SimStream(this, path);
    }

    public void Delete(string path)
    {
        if (_files.Remove(path))
        {
            Record(new DiskOp(OpKind.Delete, path));
        }
    }

    public void Move(string from, string to)
    {
        _files[to] = _files[from];
        _files.Remove(from);
        Record(new DiskOp(OpKind.Move, from) { To = to });
    }

    public void CreateDirectory(string path)
    {
    }

    public byte[] Content(string path) => [.. _files[path]];

    /// <summary>
    /// Every point at which the power can go: after each operation so far, in order. Each item builds the disk as a
    /// cut just after that operation leaves it (<see cref="CutPoint.Disk"/>). Walks the operations once.
    /// </summary>
    public IEnumerable<CutPoint> CutPoints()
    {
        var durable = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
        var pending = new Dictionary<string, List<DiskOp>>(StringComparer.Ordinal);
        for (var i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            switch (op.Kind)
            {
                case OpKind.Create:
                    durable.TryAdd(op.Path, []);
                    pending[op.Path] = [];
                    break;
                case OpKind.Write or OpKind.SetLength:
                    pending[op.Path].Add(op);
                    break;
                case OpKind.Sync:
                    ApplyTo(durable[op.Path], pending[op.Path]);
                    pending[op.Path].Clear();
                    break;
                case OpKind.Delete:
                    durable.Remove(op.Path);
                    pending.Remove(op.Path);
                    break;
                case OpKind.Move:
                    // CareBot renames only synced files, and syncs the folder: a rename is durable.
                    var moved = durable[op.Path];
                    ApplyTo(moved, pending[op.Path]);
                    durable[op.To!] = moved;
                    pending[op.To!] = [];
                    durable.Remove(op.Path);
                    pending.Remove(op.Path);
                    break;
            }

            yield return new CutPoint(i + 1, op, (mode, random) =>
            {
                var files = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
                foreach (var (path, bytes) in durable)
                {
                    var lost = pending[path];
                    var copy = new List<byte>(bytes);
                    ApplyTo(copy, mode switch
                    {
                        CutMode.Nothing => [],
                        CutMode.Everything => lost,
                        _ => lost.Where(_ => random.Next(2) == 0).ToList(),
                    });
                    files[path] = copy;
                }

                return new SimulatedDisk(files);
            });
        }
    }

    /// <summary>A power cut just after operation <see cref="AfterOps"/> (a count).</summary>
    public sealed record CutPoint(int AfterOps, DiskOp Last, Func<CutMode, Random, SimulatedDisk> Disk);

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
            System.Runtime.InteropServices.CollectionsMarshal.SetCount(content, (int)length);
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(content)[old..].Clear();
        }
    }

    private static void WriteAt(List<byte> content, long offset, byte[] data)
    {
        if (offset + data.Length > content.Count)
        {
            Resize(content, offset + data.Length);
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(content);
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
    }

    public sealed record DiskOp(OpKind Kind, string Path)
    {
        public long Offset { get; init; }
        public byte[]? Data { get; init; }
        public long Length { get; init; }
        public string? To { get; init; }
    }

    /// <summary>One open file: unbuffered, Flush is a sync, SetLength is synced at once (as <see cref="OsFileLayer"/>).</summary>
    private sealed class SimStream(SimulatedDisk disk, string path) : Stream
    {
        private long _position;

        private List<byte> Content => disk._files[path];

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => Content.Count;

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

            if (disk.Legacy == LegacySync.Off || (disk.Legacy == LegacySync.DataFileOnly && !path.Contains("-log", StringComparison.Ordinal)))
            {
                disk.Record(new DiskOp(OpKind.Sync, path));
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var content = Content;
            var n = (int)Math.Max(0, Math.Min(count, content.Count - _position));
            content.CopyTo((int)_position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Content.Count + offset,
        };

        public override void SetLength(long value)
        {
            Resize(Content, value);
            disk.Record(new DiskOp(OpKind.SetLength, path) { Length = value });
            Flush();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (disk.Failing)
            {
                throw new IOException("simulated disk error");
            }

            var data = buffer.AsSpan(offset, count).ToArray();
            WriteAt(Content, _position, data);
            disk.Record(new DiskOp(OpKind.Write, path) { Offset = _position, Data = data });
            _position += count;
        }
    }
}

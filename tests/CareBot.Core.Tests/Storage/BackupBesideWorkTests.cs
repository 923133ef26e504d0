using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage;

/// <summary>
/// <c>carebot backup</c> beside a working database: the database is held only for a checkpoint, the data file is
/// copied in bounded pieces while other work commits (more than LiteDB's automatic checkpoint size), and the copy is
/// the database as it was when the backup began, whole, encrypted when the source is.
/// </summary>
public sealed class BackupBesideWorkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "carebot-backup-" + Guid.NewGuid().ToString("N")[..10]);

    public BackupBesideWorkTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(null)]
    [InlineData("s3cret-密码")]
    public async Task Writes_commit_while_the_copy_is_paused_midway_and_the_copy_holds_the_database_as_it_began(string? password)
    {
        var source = Path.Combine(_dir, "live.db");
        var copy = Path.Combine(_dir, "copy.db");
        var files = new PausingFiles();
        using var db = new LiteCareDb(source, password, files);
        var page = new string('记', 1500);
        for (var chunk = 0; chunk < 10; chunk++)
        {
            db.Write(tx => tx.Records.InsertBulk(Enumerable.Range(0, 100).Select(i => new CareRecord { ChildId = "S001", Kind = CareKind.Diary, Text = page })));
        }

        files.PauseNextRead(Path.GetFullPath(source));
        var backup = Task.Run(() => DatabaseBackup.Write(db, copy, password, files));
        await files.Paused.WaitAsync(TimeSpan.FromSeconds(30));

        // The copy is midway (its next read waits): the chat goes on, far past LiteDB's automatic checkpoint size
        // (1,000 pages of log), and a checkpoint asked for meanwhile does not touch the file being copied.
        var writes = Task.Run(() =>
        {
            for (var chunk = 0; chunk < 30; chunk++)
            {
                db.Write(tx => tx.Records.InsertBulk(Enumerable.Range(0, 100).Select(i => new CareRecord { ChildId = "S002", Kind = CareKind.Visit, Text = page })));
            }

            db.Checkpoint();
        });
        await writes.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(backup.IsCompleted);
        files.Resume();
        var counts = await backup.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1000, counts["records"]);
        Assert.InRange(files.LargestRead, 1, 1 << 20);
        Assert.Equal(4000, db.Read(tx => tx.Records.Count()));
        Assert.False(File.Exists(copy + ".partial"));
        using (var restored = new LiteCareDb(copy, password))
        {
            Assert.Equal(1000, restored.Read(tx => tx.Records.Count()));
            Assert.Equal(0, restored.Read(tx => tx.Records.Count(r => r.ChildId == "S002")));
            Assert.Equal(CareDb.SchemaVersion, restored.Read(tx => tx.Raw().UserVersion));
            Assert.Equal(LiteCareDb.CheckpointPages, restored.Read(tx => tx.Raw().CheckpointSize));
        }

        // The live database checkpoints again after the backup.
        Assert.Equal(LiteCareDb.CheckpointPages, db.Read(tx => tx.Raw().CheckpointSize));
        if (password is not null)
        {
            Assert.Throws<StorageException>(() => new LiteCareDb(copy, null).Dispose());
        }
    }

    [Fact]
    public void A_backup_cut_short_leaves_the_automatic_checkpoint_on_at_the_next_open()
    {
        var source = Path.Combine(_dir, "cut.db");
        using (var db = new LiteCareDb(source))
        {
            // What a crash in the middle of a backup leaves in the file: LiteDB's automatic checkpoint turned off.
            db.Read(tx => tx.Raw().CheckpointSize = 0);
        }

        using var reopened = new LiteCareDb(source);
        Assert.Equal(LiteCareDb.CheckpointPages, reopened.Read(tx => tx.Raw().CheckpointSize));
    }

    /// <summary>The real file system; the next stream opened on one file pauses at its second read until resumed.</summary>
    private sealed class PausingFiles : IFileLayer
    {
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _pauseAt;
        private int _largestRead;

        public Task Paused => _paused.Task;

        public int LargestRead => Volatile.Read(ref _largestRead);

        public void PauseNextRead(string path) => _pauseAt = path;

        public void Resume() => _resume.TrySetResult();

        public bool Exists(string path) => OsFileLayer.Instance.Exists(path);

        public Stream Open(string path)
        {
            var stream = OsFileLayer.Instance.Open(path);
            if (_pauseAt is not null && path == _pauseAt)
            {
                _pauseAt = null;
                return new Pausing(stream, this);
            }

            return stream;
        }

        public void Delete(string path) => OsFileLayer.Instance.Delete(path);

        public void Move(string from, string to) => OsFileLayer.Instance.Move(from, to);

        public void SyncFolder(string path) => OsFileLayer.Instance.SyncFolder(path);

        public void CreateDirectory(string path) => OsFileLayer.Instance.CreateDirectory(path);

        private sealed class Pausing(Stream inner, PausingFiles owner) : KeepOpenStream(inner)
        {
            private int _reads;

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (++_reads == 2)
                {
                    owner._paused.TrySetResult();
                    owner._resume.Task.Wait(TimeSpan.FromSeconds(60));
                }

                var read = base.Read(buffer, offset, count);
                int seen;
                while (read > (seen = Volatile.Read(ref owner._largestRead)) && Interlocked.CompareExchange(ref owner._largestRead, read, seen) != seen)
                {
                }

                return read;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    Inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}

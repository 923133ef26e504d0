using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Storage.PowerCut;

namespace CareBot.Core.Tests.Storage;

public sealed class DurableStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-durable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_confirmed_write_is_synced_before_it_returns()
    {
        var disk = new SimulatedDisk();
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, null, disk);
        var before = disk.Syncs;

        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));

        Assert.True(disk.Syncs > before);
        var last = disk.Ops[^1];
        Assert.Equal(SimulatedDisk.OpKind.Sync, last.Kind);
    }

    [Fact]
    public void A_new_log_is_made_durable_by_a_folder_sync_before_anything_is_committed_to_it()
    {
        var disk = new SimulatedDisk();
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, null, disk);
        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));

        var ops = disk.Ops.ToList();
        var log = DatabaseFiles.LogFileOf(PowerCutWorkload.DbPath);
        var created = ops.FindIndex(o => o.Kind == SimulatedDisk.OpKind.Create && o.Path == log);
        var firstWrite = ops.FindIndex(o => o.Kind == SimulatedDisk.OpKind.Write && o.Path == log);
        var folderSync = ops.FindIndex(created, o => o.Kind == SimulatedDisk.OpKind.SyncFolder);
        Assert.True(created >= 0 && firstWrite > created, "the log was not created and written");
        Assert.InRange(folderSync, created + 1, firstWrite - 1);
    }

    [Fact]
    public void A_folder_sync_reaches_a_real_folder_and_a_missing_folder_is_an_error()
    {
        OsFileLayer.Instance.SyncFolder(_dir);

        if (OperatingSystem.IsLinux())
        {
            var error = Assert.ThrowsAny<IOException>(() => OsFileLayer.Instance.SyncFolder(Path.Combine(_dir, "missing")));
            Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deferred_writes_share_one_sync()
    {
        var disk = new SimulatedDisk();
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, null, disk);
        var before = disk.Syncs;

        for (var i = 0; i < 10; i++)
        {
            db.WriteDeferred(tx => tx.Children.Insert(new Child { Id = $"S{i}", Name = "a" }));
        }

        Assert.Equal(before, disk.Syncs);
        db.Sync();
        Assert.Equal(before + 1, disk.Syncs);
        db.Sync();
        Assert.Equal(before + 1, disk.Syncs); // nothing written since: no second fsync
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_disk_error_stops_the_database_once_and_for_all(bool duringSync)
    {
        var disk = new SimulatedDisk();
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, null, disk);
        var raised = new List<Exception>();
        db.Failed += raised.Add;
        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));

        if (duringSync)
        {
            db.WriteDeferred(tx => tx.Children.Insert(new Child { Id = "S2", Name = "b" }));
        }

        disk.Failing = true;
        Assert.Throws<StorageFailedException>(() => db.Write(tx => tx.Children.Insert(new Child { Id = "S3", Name = "c" })));

        // Healthy again underneath, but a closed engine or an fsync that failed is never trusted again.
        disk.Failing = false;
        Assert.Throws<StorageFailedException>(() => db.Read(tx => tx.Children.Count()));
        Assert.Throws<StorageFailedException>(() => db.Write(tx => tx.Children.Insert(new Child { Id = "S4", Name = "d" })));
        Assert.Single(raised);
        Assert.NotNull(db.Failure);

        // LiteDB leaves the failed transaction's finalizer armed; it would throw on the GC's thread and end the
        // process. CareDb disarms it: collecting now must be harmless.
        db.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Fact]
    public void An_io_error_of_the_callers_own_code_rolls_back_and_leaves_the_database_running()
    {
        var disk = new SimulatedDisk();
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, null, disk);

        Assert.Throws<IOException>(() => db.Write(tx =>
        {
            tx.Children.Insert(new Child { Id = "S1", Name = "a" });
            throw new IOException("the caller's own file");
        }));

        Assert.Null(db.Failure);
        db.Write(tx => tx.Children.Insert(new Child { Id = "S2", Name = "b" }));
        Assert.Equal(["S2"], db.Read(tx => tx.Children.FindAll().Select(c => c.Id).ToList()));
    }

    [Fact]
    public void Data_folder_is_owner_only_and_so_are_the_database_and_its_log()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Path.Combine(_dir, "data");
        var path = Path.Combine(folder, "carebot.db");
        using var db = new LiteCareDb(path);
        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var log = DatabaseFiles.LogFileOf(path);
        Assert.True(File.Exists(log));
        Assert.True(new FileInfo(log).Length > 0);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
    }

    [Fact]
    public void An_existing_world_readable_database_is_made_owner_only_at_open()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_dir, "old.db");
        using (var db = new LiteCareDb(path))
        {
            db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (new LiteCareDb(path))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}

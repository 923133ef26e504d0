using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>A database that stopped on a disk error stops the worker (exit code 1), once, instead of retrying forever.</summary>
public sealed class StorageFailureWatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-fail-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_disk_error_stops_the_host_and_marks_the_run_failed()
    {
        var files = new BreakableFiles();
        using var db = new CareDb(Path.Combine(_dir, "carebot.db"), null, files);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton<StorageFailureWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StorageFailureWatch>());
        using var host = builder.Build();
        var watch = host.Services.GetRequiredService<StorageFailureWatch>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await host.StartAsync();

        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));
        Assert.False(watch.Tripped);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        files.Broken = true;
        Assert.Throws<StorageFailedException>(() => db.Write(tx => tx.Children.Insert(new Child { Id = "S2", Name = "b" })));
        files.Broken = false;
        Assert.Throws<StorageFailedException>(() => db.Read(tx => tx.Children.Count()));

        Assert.True(watch.Tripped);
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        await host.StopAsync();

        // LiteDB leaves the failed transaction's finalizer armed; it would throw on the GC's thread and end the
        // process (seen as a crashed test host). CareDb disarms it: collecting now must be harmless.
        db.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The real file system, with writes and syncs that fail while <see cref="Broken"/> is set.</summary>
    private sealed class BreakableFiles : IFileLayer
    {
        public bool Broken { get; set; }

        public bool Exists(string path) => OsFileLayer.Instance.Exists(path);

        public Stream Open(string path) => new BreakableStream(this, OsFileLayer.Instance.Open(path));

        public void Delete(string path) => OsFileLayer.Instance.Delete(path);

        public void Move(string from, string to) => OsFileLayer.Instance.Move(from, to);

        public void CreateDirectory(string path) => OsFileLayer.Instance.CreateDirectory(path);
    }

    private sealed class BreakableStream(BreakableFiles files, Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush()
        {
            Check();
            inner.Flush();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value)
        {
            Check();
            inner.SetLength(value);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Check();
            inner.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Check()
        {
            if (files.Broken)
            {
                throw new IOException("simulated disk error (EIO)");
            }
        }
    }
}

using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Storage.PowerCut;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>A database that stopped on a disk error stops the worker (exit code 1), once, instead of retrying forever.</summary>
public sealed class StorageFailureWatchTests
{
    [Fact]
    public async Task A_disk_error_stops_the_host_and_marks_the_run_failed()
    {
        var files = new SimulatedDisk(); // the power-cut tests' disk: writes and syncs fail while Failing is set
        using var db = new LiteCareDb("/sim/data/carebot.db", null, files);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<CareBot.Core.Storage.CareDb>(db);
        builder.Services.AddSingleton<StorageFailureWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StorageFailureWatch>());
        using var host = builder.Build();
        var watch = host.Services.GetRequiredService<StorageFailureWatch>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await host.StartAsync();

        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "a" }));
        Assert.False(watch.Tripped);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        files.Failing = true;
        Assert.Throws<StorageFailedException>(() => db.Write(tx => tx.Children.Insert(new Child { Id = "S2", Name = "b" })));
        files.Failing = false;
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
}

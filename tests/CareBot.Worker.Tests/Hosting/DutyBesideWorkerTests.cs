using System.Text;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.Cli;
using CareBot.Worker.Tests.EndToEnd;

namespace CareBot.Worker.Tests.Hosting;

/// <summary><c>carebot duty import</c> while the worker holds the database: handed to the worker, answered by it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DutyBesideWorkerTests : IAsyncLifetime
{
    private E2eKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(8)));
        _kit.Seed(2); // mentors 13800000000 and 13800000001
        await _kit.StartWorkerAsync();
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task Duty_import_beside_the_running_worker_is_done_by_it()
    {
        var path = Path.Combine(_kit.Folder, "duty.csv");
        await File.WriteAllTextAsync(path, "星期,时段,教师电话\n周一,中午,13800000000\n周二,放学后,13800000001\n", new UTF8Encoding(false));
        var settings = new Dictionary<string, string?>(_kit.Server.WorkerSettings()) { ["Storage:DatabasePath"] = _kit.DatabasePath };

        var (code, output, err) = await CliRun.RunAsync(settings, "duty", "import", path, "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("handing the request", err, StringComparison.Ordinal);
        Assert.Equal($"{path}: imported the activity-room duty rota: 2 turns, 2 teachers (replacing 0 turns).", output.TrimEnd('\n'));
        _kit.WithDb(db => Assert.Equal(2, db.Read(tx => tx.DutyTurns.Count())));

        // A bad file is refused by the worker the same way: exit 2, the problem line, nothing changed.
        await File.WriteAllTextAsync(path, "星期,时段,教师电话\n周八,中午,13800000000\n", new UTF8Encoding(false));
        (code, output, err) = await CliRun.RunAsync(settings, "duty", "import", path, "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains($"{path}:2: 星期: \"周八\" is not a weekday", err, StringComparison.Ordinal);
        _kit.WithDb(db => Assert.Equal(2, db.Read(tx => tx.DutyTurns.Count())));
    }
}

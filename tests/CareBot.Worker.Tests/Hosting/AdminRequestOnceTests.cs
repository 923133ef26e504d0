using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>
/// An admin request handed to the running worker runs exactly once: the worker stopped right after the verb's commit
/// (or after its answer was saved) finds the request again at its next start and answers it without running it again.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AdminRequestOnceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday0700 = new(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(8));
    private E2eKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await E2eKit.StartAsync(Monday0700);
        _kit.Seed(2);
        await _kit.StartWorkerAsync();
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private AdminRequestService Service => _kit.Host!.Services.GetServices<IHostedService>().OfType<AdminRequestService>().Single();

    private static string Zh(string id, params object?[] args) => CareBot.Core.Text.Texts.Get("zh", id, args);

    /// <summary>
    /// Hands <paramref name="args"/> to the worker, stops the worker (a crash: nothing after that point runs) when the
    /// request reaches <paramref name="crashAt"/>, starts a new worker on the same database and returns its answer.
    /// </summary>
    private async Task<AdminResult> CrashAndRestart(string crashAt, params string[] args)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Service.CrashPoint = async (point, ct) =>
        {
            if (point == crashAt)
            {
                reached.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        var id = Guid.NewGuid().ToString("N");
        var request = WorkerRequest.Write(_kit.DatabasePath, id, args, "en");
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _kit.StopWorkerAsync();

        var result = AdminRequestService.ResultPath(_kit.DatabasePath, id);
        Assert.True(File.Exists(request), "the request file went before its answer");
        Assert.False(File.Exists(result));

        await _kit.StartWorkerAsync();
        await Poll.UntilAsync(() => Task.FromResult(Service.Handled > 0), TimeSpan.FromSeconds(30), "the restarted worker answering");
        Assert.False(File.Exists(request));
        _kit.WithDb(db => Assert.Empty(db.Read(tx => tx.State.Find(s => s.Id.StartsWith("admin-request:")).ToList())));
        return WorkerRequest.Read(result, PrivateFiles.OwnerOf(_kit.DatabasePath), "en");
    }

    private string FirstChildNo()
    {
        var no = "";
        _kit.WithDb(db => no = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).First().No));
        return no;
    }

    private int AidCount()
    {
        var n = 0;
        _kit.WithDb(db => n = db.Read(tx => tx.Aid.Count()));
        return n;
    }

    [Fact]
    public async Task Aid_cut_short_after_its_commit_is_recorded_once_and_answered_at_restart()
    {
        var answer = await CrashAndRestart("ran", "aid", "add", "--child", FirstChildNo(), "--kind", "学习用品", "--amount", "200", "--date", "2026-11-20");

        Assert.Equal(1, AidCount());
        Assert.Equal(ExitCodes.Ok, answer.ExitCode);
        Assert.Contains(Zh("worker.request_done_before_restart", "aid"), answer.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_cut_short_after_its_answer_was_saved_gives_that_answer_not_unknown_child()
    {
        var no = FirstChildNo();
        var answer = await CrashAndRestart("saved", "forget", "--child", no, "--lang", "en");

        Assert.Equal(ExitCodes.Ok, answer.ExitCode);
        Assert.Contains("forgotten", answer.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(no, answer.Stderr, StringComparison.Ordinal);
        _kit.WithDb(db => Assert.Equal(1, db.Read(tx => tx.Children.Count())));
    }

    [Fact]
    public async Task A_request_answered_normally_leaves_no_ledger_entry_and_runs_once()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var settings = new Dictionary<string, string?>(_kit.Server.WorkerSettings()) { ["Storage:DatabasePath"] = _kit.DatabasePath };

        var code = await CliApp.RunAsync(["aid", "add", "--child", FirstChildNo(), "--kind", "学习用品", "--amount", "50", "--date", "2026-11-20"], stdout, stderr, settings);

        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(1, AidCount());
        _kit.WithDb(db => Assert.Empty(db.Read(tx => tx.State.Find(s => s.Id.StartsWith("admin-request:")).ToList())));
    }
}

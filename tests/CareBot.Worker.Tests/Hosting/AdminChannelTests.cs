using System.Text.Json;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>
/// Admin verbs handed to a running worker through files beside the database: taken only from the worker's own kind
/// of file (owner, 0600, no link); answers created new, never written through a link.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AdminChannelTests : IAsyncLifetime
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

    private Dictionary<string, string?> CliSettings() => new(_kit.Server.WorkerSettings()) { ["Storage:DatabasePath"] = _kit.DatabasePath };

    private string Victim => Path.Combine(_kit.Folder, "slips.csv");

    /// <summary>Leaves a request file as an admin (or someone else) would, and returns the worker's answer.</summary>
    private async Task<(AdminResult Answer, string Path)> RequestAt(Action<string, string> place)
    {
        var id = Guid.NewGuid().ToString("N");
        var json = JsonSerializer.Serialize(new[] { "invite", "--out", Victim });
        var request = AdminRequestService.RequestPath(_kit.DatabasePath, id);
        place(request, json);
        var result = AdminRequestService.ResultPath(_kit.DatabasePath, id);
        await CrashTestsWait(() => File.Exists(result), "the worker's answer");
        return (WorkerRequest.Read(result, PrivateFiles.OwnerOf(_kit.DatabasePath), "en"), request);
    }

    /// <summary>The worker answers in its language (Chinese unless told otherwise).</summary>
    private static string Zh(string id, params object?[] args) => CareBot.Core.Text.Texts.Get("zh", id, args);

    private static Task CrashTestsWait(Func<bool> condition, string what) => Reliability.CrashTests.WaitAsync(condition, TimeSpan.FromSeconds(20), what);

    [Fact]
    public async Task A_verb_run_beside_the_worker_is_answered_by_it_and_leaves_no_files()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CliApp.RunAsync(["report", "--lang", "en"], stdout, stderr, CliSettings());

        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("handing the request", stderr.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(stdout.ToString());
        Assert.DoesNotContain(Directory.GetFiles(_kit.Folder), f => f.Contains(".admin-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_others_may_read_is_refused_and_not_run()
    {
        var (answer, path) = await RequestAt((path, json) =>
        {
            File.WriteAllText(path, json);
            File.SetUnixFileMode(path, PrivateFiles.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        });

        Assert.Equal(ExitCodes.BadInput, answer.ExitCode);
        Assert.Contains(Zh("files.mode", path, "0644"), answer.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(Victim));
    }

    [Fact]
    public async Task A_request_through_a_symbolic_link_is_refused_and_not_run()
    {
        var (answer, path) = await RequestAt((path, json) =>
        {
            var elsewhere = Path.Combine(_kit.Folder, "elsewhere.json");
            File.WriteAllText(elsewhere, json);
            File.SetUnixFileMode(elsewhere, PrivateFiles.OwnerOnly);
            File.CreateSymbolicLink(path, elsewhere);
        });

        Assert.Equal(ExitCodes.BadInput, answer.ExitCode);
        Assert.Contains(Zh("files.link", path), answer.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Victim));
    }

    [Fact]
    public async Task A_request_owned_by_another_user_is_refused_and_not_run()
    {
        Service.ExpectedOwner = PrivateFiles.EffectiveUser + 1; // the worker runs as someone else than this file's owner

        var (answer, path) = await RequestAt((path, json) =>
        {
            File.WriteAllText(path, json);
            File.SetUnixFileMode(path, PrivateFiles.OwnerOnly);
        });

        Assert.Equal(ExitCodes.BadInput, answer.ExitCode);
        Assert.Contains(Zh("files.owner", path, PrivateFiles.EffectiveUser, PrivateFiles.EffectiveUser + 1), answer.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Victim));
    }

    [Fact]
    public async Task An_answer_is_never_written_through_a_link_in_its_place_and_such_an_answer_is_refused()
    {
        var victim = Path.Combine(_kit.Folder, "victim.txt");
        File.WriteAllText(victim, "untouched");
        var id = Guid.NewGuid().ToString("N");
        var result = AdminRequestService.ResultPath(_kit.DatabasePath, id);
        File.CreateSymbolicLink(result, victim);

        var handled = Service.Handled;
        WorkerRequest.Write(_kit.DatabasePath, id, ["report"], "en");
        await CrashTestsWait(() => Service.Handled > handled, "the request being handled to the end (its answer refused its place)");

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Equal(victim, new FileInfo(result).LinkTarget);
        var refused = Assert.Throws<ConfigurationErrorException>(() => WorkerRequest.Read(result, PrivateFiles.OwnerOf(_kit.DatabasePath), "en"));
        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(victim));
    }

    [Fact]
    public void A_request_is_never_written_through_a_link_in_its_place()
    {
        var victim = Path.Combine(_kit.Folder, "victim.txt");
        File.WriteAllText(victim, "untouched");
        var id = Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink(AdminRequestService.TempPath(_kit.DatabasePath, id, "request"), victim);

        var refused = Assert.Throws<ConfigurationErrorException>(() => WorkerRequest.Write(_kit.DatabasePath, id, ["report"], "en"));

        Assert.Contains("already exists (or is a link)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.False(File.Exists(AdminRequestService.RequestPath(_kit.DatabasePath, id)));
    }
}

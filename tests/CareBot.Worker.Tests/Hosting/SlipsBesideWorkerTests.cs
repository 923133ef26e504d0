using CareBot.Tests.Shared;
using System.Text.RegularExpressions;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.Cli;
using CareBot.Worker.Tests.EndToEnd;

namespace CareBot.Worker.Tests.Hosting;

/// <summary><c>carebot invite --slips</c> while the worker holds the database: handed to the worker, which writes the page.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SlipsBesideWorkerTests : IAsyncLifetime
{
    private E2eKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(8)));
        _kit.Seed(2);
        await _kit.StartWorkerAsync();
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [GeneratedRegex(@"<div class=""code"">([A-Za-z0-9_-]{32})</div>")]
    private static partial Regex SlipCode();

    [Fact]
    public async Task Invite_slips_beside_the_running_worker_are_written_by_it_with_a_live_code_for_each_unlinked_person()
    {
        var slips = Path.Combine(_kit.Folder, "slips.html");
        var settings = new Dictionary<string, string?>(_kit.Server.WorkerSettings()) { ["Storage:DatabasePath"] = _kit.DatabasePath };

        var (code, output, err) = await CliRun.RunAsync(settings, "invite", "--slips", slips, "--role", "parent", "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("handing the request", err, StringComparison.Ordinal);
        Assert.Contains(slips, output, StringComparison.Ordinal);
        Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(slips));
        var codes = SlipCode().Matches(await File.ReadAllTextAsync(slips)).Select(m => InviteService.Hash(m.Groups[1].Value)).Order(StringComparer.Ordinal).ToList();
        List<string> live = [];
        List<int> parents = [];
        _kit.WithDb(db =>
        {
            parents = db.Read(tx => tx.People.FindAll().Where(p => p.Has(Roles.Parent) && p.Chat == null).Select(p => p.Id).ToList());
            live = db.Read(tx => tx.Invites.FindAll().Where(i => i.UsedUtc == null && parents.Contains(i.PersonId)).Select(i => i.CodeHash).Order(StringComparer.Ordinal).ToList());
        });
        Assert.NotEmpty(parents);
        Assert.Equal(parents.Count, codes.Count); // one slip per unlinked parent, no one else
        Assert.Equal(live, codes);

        // A second run to the same name is refused by the worker: exit 2, the file and the codes as they were.
        (code, _, err) = await CliRun.RunAsync(settings, "invite", "--slips", slips, "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("already exists", err, StringComparison.Ordinal);
        _kit.WithDb(db => Assert.Equal(live, db.Read(tx => tx.Invites.FindAll().Where(i => i.UsedUtc == null && parents.Contains(i.PersonId)).Select(i => i.CodeHash).Order(StringComparer.Ordinal).ToList())));
    }
}

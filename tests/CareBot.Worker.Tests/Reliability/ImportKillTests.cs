using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using Xunit.Abstractions;

namespace CareBot.Worker.Tests.Reliability;

/// <summary><c>carebot import</c> killed with SIGKILL mid-import: the roster is the old one or the new one, never half.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ImportKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_during_import_leaves_old_or_new_roster_never_half()
    {
        const int oldChildren = 1_000;
        const int newChildren = 10_000; // 20,000 takes ~11 s an import on 2 shared cores; 10,000 keeps the suite short
        const int trials = 4;
        var clock = Stopwatch.StartNew();
        var random = new Random(2027);
        var folder = Path.Combine(Path.GetTempPath(), "carebot-import-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        try
        {
            var small = Path.Combine(folder, "small.csv");
            var big = Path.Combine(folder, "big.csv");
            using (var f = File.Create(small))
            {
                RosterSample.Write(f, oldChildren);
            }

            using (var f = File.Create(big))
            {
                RosterSample.Write(f, newChildren);
            }

            var baseline = Path.Combine(folder, "old.db");
            using (var db = new LiteCareDb(baseline))
            {
                var result = new RosterImporter(db, TimeProvider.System, maxChildrenPerCarer: 3).Import(small, RosterEncoding.Auto, "zh", "test");
                Assert.True(result.Succeeded);
                Assert.Equal(oldChildren, db.Read(tx => tx.Children.Count()));
            }

            // A full run first: how long the import takes, and what "new" looks like.
            var full = Copy(baseline, folder, "full");
            var watch = Stopwatch.StartNew();
            using (var import = WorkerProcess.Start(Env(full), "import", big))
            {
                Assert.True(await import.WaitForExitAsync(TimeSpan.FromSeconds(120)), "the import did not finish");
                Assert.True(import.ExitCode == 0, import.StdErr);
            }

            var duration = watch.Elapsed;
            Assert.Equal(newChildren, Children(full));

            var outcomes = new List<string>();
            for (var t = 0; t < trials; t++)
            {
                var path = Copy(baseline, folder, "trial" + t);
                var killAfter = duration * (0.6 + (0.1 * t) + (random.NextDouble() * 0.1)); // spread over the late part, where the write happens
                bool exitedFirst;
                using (var import = WorkerProcess.Start(Env(path), "import", big))
                {
                    exitedFirst = await import.WaitForExitAsync(killAfter);
                    import.Kill();
                }

                var count = Children(path);
                outcomes.Add($"kill at {killAfter.TotalSeconds:F1} s{(exitedFirst ? " (already done)" : "")}: {count}");
                Assert.True(count is oldChildren or newChildren, $"half a roster: {count} children after a kill at {killAfter}");
            }

            output.WriteLine($"import of {newChildren} over {oldChildren} children takes {duration.TotalSeconds:F1} s; trials: {string.Join("; ", outcomes)}; {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            ReliabilitySeed.DeleteFolder(folder);
        }
    }

    private static Dictionary<string, string?> Env(string dbPath) => new()
    {
        ["Storage__DatabasePath"] = dbPath,
        ["Serilog__MinimumLevel__Default"] = "Warning",
    };

    private static string Copy(string baseline, string folder, string name)
    {
        var path = Path.Combine(folder, name + ".db");
        File.Copy(baseline, path);
        return path;
    }

    private static int Children(string path)
    {
        using var db = new LiteCareDb(path);
        return db.Read(tx => tx.Children.Count());
    }
}

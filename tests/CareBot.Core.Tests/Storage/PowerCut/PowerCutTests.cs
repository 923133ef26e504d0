using CareBot.Core.Storage;
using Xunit.Abstractions;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>
/// Simulated power cuts at every write point of a scripted day (<see cref="PowerCutWorkload"/>): after each disk
/// operation, the disk keeps what was synced and, of the rest, nothing, everything, or a random subset. The recovered
/// database must open, hold everything confirmed before the cut, store every update Telegram redelivers exactly once,
/// and let the weekly planner's catch-up complete the week's updates. Plain and encrypted run as two classes, so in
/// parallel.
/// </summary>
public sealed class PowerCutPlainTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_cut_point_keeps_what_was_confirmed() => PowerCutChecks.EveryCutPoint(null, output);
}

public sealed class PowerCutEncryptedTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_cut_point_keeps_what_was_confirmed() => PowerCutChecks.EveryCutPoint("s3cret-pass", output);
}

/// <summary>What the sweep finds without the fix: it can fail.</summary>
public sealed class PowerCutWithoutFixTests(ITestOutputHelper output)
{
    /// <summary>
    /// LiteDB 5.0.21's own syncing (none on commit; plain files synced only when the log is copied into the data file;
    /// encrypted never): confirmed saves are lost.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("s3cret-pass")]
    public void Without_syncs_on_commit_a_cut_loses_confirmed_saves(string? password)
    {
        var workload = new PowerCutWorkload(password);
        var disk = new SimulatedDisk { Legacy = password is null ? SimulatedDisk.LegacySync.DataFileOnly : SimulatedDisk.LegacySync.Never };
        workload.Run(disk);

        var sweep = PowerCutSweep.Run(workload, disk, stride: PowerCutSweep.Full ? 1 : 7);

        output.WriteLine(sweep.Summary);
        Assert.Contains(sweep.Failures, f => f.Contains("confirmed", StringComparison.Ordinal));
    }

    /// <summary>Without the cut at the first hole, a torn unconfirmed commit is applied half and breaks the file.</summary>
    [Fact]
    public void Without_the_log_repair_a_torn_commit_breaks_the_database()
    {
        var workload = new PowerCutWorkload(null);
        var disk = new SimulatedDisk();
        workload.Run(disk);

        var sweep = PowerCutSweep.Run(workload, disk, stride: PowerCutSweep.Full ? 1 : 2, repairLog: false);

        output.WriteLine(sweep.Summary);
        foreach (var failure in sweep.Failures.Take(5))
        {
            output.WriteLine(failure);
        }

        Assert.NotEmpty(sweep.Failures);
    }
}

internal static class PowerCutChecks
{
    public static void EveryCutPoint(string? password, ITestOutputHelper output)
    {
        var workload = new PowerCutWorkload(password);
        var disk = new SimulatedDisk();
        workload.Run(disk);

        var sweep = PowerCutSweep.Run(workload, disk);

        output.WriteLine(sweep.Summary);
        Assert.True(sweep.CutPoints > 500, sweep.Summary);
        Assert.True(sweep.Repaired > 0, "no cut left a hole in the log: the repair path was not exercised. " + sweep.Summary);
        Assert.True(sweep.Failures.Count == 0, sweep.Summary + "\n" + string.Join("\n", sweep.Failures.Take(20)));
    }
}

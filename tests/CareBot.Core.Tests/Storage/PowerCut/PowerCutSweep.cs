using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>Cuts the power at each point of a recorded day and checks what a restart meets.</summary>
internal static class PowerCutSweep
{
    /// <summary>
    /// What survives per point. The suite gives every point one of the first three in turn; with
    /// CAREBOT_POWERCUT_FULL=1 every point gets all four (the figures in the README).
    /// </summary>
    public static readonly (CutMode Mode, int Seed)[] Cuts = [(CutMode.Nothing, 0), (CutMode.Everything, 0), (CutMode.RandomPages, 1), (CutMode.RandomPages, 2)];

    public static bool Full => Environment.GetEnvironmentVariable("CAREBOT_POWERCUT_FULL") == "1";

    internal sealed record Result(int CutPoints, int Recoveries, int Repaired, List<string> Failures, int Syncs, TimeSpan Took)
    {
        public string Summary =>
            $"{CutPoints} cut points, {Recoveries} recoveries, {Syncs} syncs in the day, {Repaired} logs cut at a hole, {Failures.Count} broken, {Took.TotalSeconds:F1} s";
    }

    public static Result Run(PowerCutWorkload workload, SimulatedDisk disk, int stride = 1, bool repairLog = true)
    {
        var watch = Stopwatch.StartNew();
        var failures = new List<string>();
        int points = 0, recoveries = 0, repaired = 0;
        foreach (var cut in disk.CutPoints())
        {
            if (cut.Last.Kind is SimulatedDisk.OpKind.Create or SimulatedDisk.OpKind.Delete || (stride > 1 && cut.AfterOps % stride != 0))
            {
                continue;
            }

            points++;
            var modes = Full ? Cuts : [Cuts[points % 3]];
            foreach (var (mode, seed) in modes)
            {
                recoveries++;
                var where = $"cut after op {cut.AfterOps} ({cut.Last.Kind} {Path.GetFileName(cut.Last.Path)}), {mode}{(seed > 0 ? $" seed {seed}" : "")}";
                try
                {
                    var recovered = cut.Disk(mode, new Random((seed * 7919) + cut.AfterOps));
                    if (!recovered.Exists(PowerCutWorkload.DbPath))
                    {
                        // The database was never created whole: nothing could have been confirmed yet.
                        PowerCutWorkload.AssertTrue(!workload.Confirmed.Any(c => c.AfterOps <= cut.AfterOps), "the database file is gone after a confirmation");
                        continue;
                    }

                    repaired += Recover(workload, recovered, cut.AfterOps, repairLog);
                }
                catch (Exception ex)
                {
                    failures.Add($"{where}: {(ex is InvariantBrokenException ? ex.Message : ex.GetType().Name + ": " + ex.Message)}");
                }
            }
        }

        return new Result(points, recoveries, repaired, failures, disk.Syncs, watch.Elapsed);
    }

    /// <summary>Opens the recovered disk and checks it as the worker's restart would meet it.</summary>
    private static int Recover(PowerCutWorkload workload, SimulatedDisk recovered, int cutAfter, bool repairLog)
    {
        using var db = new CareDb(PowerCutWorkload.DbPath, workload.Password, recovered, repairLog);
        db.Read(tx =>
        {
            foreach (var name in tx.Raw.GetCollectionNames())
            {
                _ = tx.Raw.GetCollection(name).FindAll().Count();
            }
        });

        foreach (var (afterOps, what, check) in workload.Confirmed)
        {
            if (afterOps <= cutAfter)
            {
                try
                {
                    db.Read(check);
                }
                catch (InvariantBrokenException ex)
                {
                    throw new InvariantBrokenException($"{what}: {ex.Message}");
                }
            }
        }

        // Telegram sends again every update fetched but not confirmed; each must end up stored exactly once.
        var time = PowerCutWorkload.NewTime();
        var (processor, outbox) = PowerCutWorkload.Core(db, time);
        var fetched = workload.FetchedBefore(cutAfter).ToList();
        var offset = processor.Offset;
        foreach (var (message, _) in fetched.Where(m => m.Message.UpdateId >= offset))
        {
            processor.Process(message);
        }

        db.Sync();
        db.Read(tx =>
        {
            foreach (var (message, childId) in fetched)
            {
                PowerCutWorkload.AssertTrue(tx.Updates.FindById(message.UpdateId) is not null, $"redelivered update {message.UpdateId} is not recorded");
                if (tx.Children.FindById(childId) is not null)
                {
                    PowerCutWorkload.AssertStoredOnce(tx, message.UpdateId);
                }
            }
        });

        // The start-up catch-up runs the weekly planner again: the week's updates are then all there, once.
        if (cutAfter > workload.PlannerStartedAtOps)
        {
            new WeeklyUpdatePlanner(db, outbox) { BatchSize = 2 }.Plan(PowerCutWorkload.Today);
            db.Read(tx =>
            {
                var children = tx.Children.FindAll().Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var key in workload.WeeklyKeys)
                {
                    var childId = key.Split(':')[2];
                    PowerCutWorkload.AssertTrue(!children.Contains(childId) || tx.Outbox.Exists(o => o.Key == key), $"weekly update {key} is missing after the catch-up");
                }

                PowerCutWorkload.AssertTrue(tx.Outbox.Count(o => o.Kind == OutboxKind.WeeklyUpdate) <= workload.WeeklyKeys.Count, "a weekly update was planned twice");
            });
        }

        return db.RepairedLogPages > 0 ? 1 : 0;
    }
}

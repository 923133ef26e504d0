using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>Cuts the power at each point of a recorded day and checks what a restart meets.</summary>
internal static class PowerCutSweep
{
    /// <summary>
    /// What survives per point. The suite gives every point one of the first four in turn; with
    /// CAREBOT_POWERCUT_FULL=1 every point gets all six (the figures in the README).
    /// </summary>
    public static readonly (CutMode Mode, int Seed)[] Cuts =
        [(CutMode.Nothing, 0), (CutMode.Everything, 0), (CutMode.RandomPages, 1), (CutMode.TornSectors, 1), (CutMode.RandomPages, 2), (CutMode.TornSectors, 2)];

    public static bool Full => Environment.GetEnvironmentVariable("CAREBOT_POWERCUT_FULL") == "1";

    internal sealed record Result(int CutPoints, int Recoveries, int Repaired, int RepairedTorn, List<string> Failures, int Syncs, TimeSpan Took)
    {
        public string Summary =>
            $"{CutPoints} cut points, {Recoveries} recoveries, {Syncs} syncs in the day, {Repaired} logs cut at a hole ({RepairedTorn} at a torn page), {Failures.Count} broken, {Took.TotalSeconds:F1} s";
    }

    /// <summary>Which points to cut at and how (default: every point, the suite's outcomes), and whether to stop at the first broken one.</summary>
    internal sealed record Plan
    {
        public int Stride { get; init; } = 1;

        public LogRepair Repair { get; init; } = LogRepair.TornPages;

        /// <summary>Only these outcomes, each at every point (instead of the suite's rotation).</summary>
        public CutMode[]? Only { get; init; }

        public Func<SimulatedDisk.CutPoint, bool> Where { get; init; } = _ => true;

        /// <summary>Stop once a broken invariant says this (what a test of the sweep without a fix looks for).</summary>
        public Func<string, bool>? StopAt { get; init; }
    }

    /// <summary>
    /// Walks the cut points in order, building each cut's disk on the way (a point's disk must be taken before the walk
    /// moves on), and recovers from them <see cref="Parallelism"/> at a time: each recovery has its own disk and
    /// database, so the sweep uses every core rather than one.
    /// </summary>
    public static Result Run(PowerCutWorkload workload, SimulatedDisk disk, Plan? plan = null)
    {
        plan ??= new Plan();
        var watch = Stopwatch.StartNew();
        var failures = new List<(int AfterOps, string Failure)>();
        int points = 0, recoveries = 0, repaired = 0, torn = 0;
        using var slots = new SemaphoreSlim(Parallelism);
        var running = new List<Task>();
        var stopped = false;
        foreach (var cut in disk.CutPoints())
        {
            if (Volatile.Read(ref stopped))
            {
                break;
            }

            if (cut.Last.Kind is SimulatedDisk.OpKind.Create or SimulatedDisk.OpKind.Delete || (plan.Stride > 1 && cut.AfterOps % plan.Stride != 0) || !plan.Where(cut))
            {
                continue;
            }

            points++;
            var modes = plan.Only is { } only ? only.Select(m => (m, 1)).ToArray() : Full ? Cuts : [Cuts[points % 4]];
            foreach (var (mode, seed) in modes)
            {
                recoveries++;
                var afterOps = cut.AfterOps;
                var where = $"cut after op {afterOps} ({cut.Last.Kind} {Path.GetFileName(cut.Last.Path)}), {mode}{(seed > 0 ? $" seed {seed}" : "")}";
                var recovered = cut.Disk(mode, new Random((seed * 7919) + afterOps));
                slots.Wait();
                running.Add(Task.Run(() =>
                {
                    try
                    {
                        var cutRepaired = Recover(workload, recovered, afterOps, plan.Repair);
                        Interlocked.Add(ref repaired, cutRepaired);
                        Interlocked.Add(ref torn, mode == CutMode.TornSectors ? cutRepaired : 0);
                    }
                    catch (Exception ex)
                    {
                        var failure = $"{where}: {(ex is InvariantBrokenException ? ex.Message : ex.GetType().Name + ": " + ex.Message)}";
                        lock (failures)
                        {
                            failures.Add((afterOps, failure));
                        }

                        if (plan.StopAt?.Invoke(failure) == true)
                        {
                            Volatile.Write(ref stopped, true);
                        }
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
            }
        }

        Task.WaitAll(running);
        var inOrder = failures.OrderBy(f => f.AfterOps).Select(f => f.Failure).ToList();
        return new Result(points, recoveries, repaired, torn, inOrder, disk.Syncs, watch.Elapsed);
    }

    /// <summary>Recoveries at once: one per core.</summary>
    private static int Parallelism => Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Opens a recovered disk and checks it as the worker's restart would meet it: returns 1 when the log was cut at
    /// a hole. Throws when an invariant is broken.
    /// </summary>
    public static int Recover(PowerCutWorkload workload, SimulatedDisk recovered, int cutAfter, LogRepair repair = LogRepair.TornPages)
    {
        if (!recovered.Exists(PowerCutWorkload.DbPath))
        {
            // The database was never created whole: nothing could have been confirmed yet.
            PowerCutWorkload.AssertTrue(!workload.Confirmed.Any(c => c.AfterOps <= cutAfter), "the database file is gone after a confirmation");
            return 0;
        }

        return RecoverDatabase(workload, recovered, cutAfter, repair);
    }

    private static int RecoverDatabase(PowerCutWorkload workload, SimulatedDisk recovered, int cutAfter, LogRepair repair)
    {
        using var db = new LiteCareDb(PowerCutWorkload.DbPath, workload.Password, recovered, repair);
        db.Read(tx =>
        {
            foreach (var name in tx.Raw().GetCollectionNames())
            {
                _ = tx.Raw().GetCollection(name).FindAll().Count();
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
        if (cutAfter > workload.PlannerStartedAtOps && workload.WeeklyKeys.Count > 0)
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

using System.Diagnostics;
using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Storage.Postgres;
using CareBot.Worker.Cluster;

namespace CareBot.Benchmarks;

/// <summary>What <see cref="ClusterKillScenario"/> runs: the broadcast, the replies, the kills and the send cap.</summary>
public sealed record ClusterKillOptions
{
    public int Parents { get; init; } = 2_000;
    public int Replies { get; init; } = 500;
    public int Mentors { get; init; } = 50;
    public int Workers { get; init; } = 3;
    public int Kills { get; init; } = 5;
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Messages a second for the whole bot: the server's flood limit and every worker's Delivery:GlobalPerSecond.</summary>
    public int Cap { get; init; } = 30;

    /// <summary>How long, after the last kill, everything may take to arrive.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(150);
}

/// <summary>What the cluster went through and what came out of it.</summary>
public sealed record ClusterKillResult(
    IReadOnlyList<double> FailoversS,
    int Kills,
    int UpdatesLost,
    int UpdatesAppliedTwice,
    int WeeklyMissing,
    int WeeklyDuplicates,
    int TooManyRequests,
    int ConflictsOnPoll,
    double SendRatePerS,
    double SendRateWholeS,
    double GapsS,
    int Sent,
    IReadOnlyList<string> Exits)
{
    public double WorstFailoverS => FailoversS.Count == 0 ? double.NaN : FailoversS.Max();

    /// <summary>The combined send rate while messages went out (failovers, and pauses over a second, left out), against the cap.</summary>
    public double RateRatio(int cap) => SendRatePerS / cap;
}

/// <summary>
/// Issue 22's cluster test, as the benchmark and the test both run it: <see cref="ClusterKillOptions.Workers"/> real
/// <c>carebot run</c> processes on one (empty) PostgreSQL database against the local Bot API server on 127.0.0.1. This
/// week's updates for every parent are planned before the workers start (as the weekly job does); mentors' replies
/// (<c>/visit 1 note-N</c>) arrive all along; every <see cref="ClusterKillOptions.KillEvery"/> the polling process is
/// SIGKILLed and a new one started, <see cref="ClusterKillOptions.Kills"/> times. Failover is the kill until the next
/// getUpdates from another process.
/// </summary>
public static class ClusterKillScenario
{
    public static async Task<ClusterKillResult> RunAsync(string connectionString, ClusterKillOptions options, TextWriter log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);

        // The local Bot API server stands for Telegram's, which our load never slows. In this process it shares the
        // thread pool with the scenario and (in the suite) xunit, and on two cores the pool's minimum of two threads
        // starved it: some answers to a send came a second late (measured), counted against the workers' rate.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { GlobalPerSecond = options.Cap }, ct).ConfigureAwait(false);
        using var db = new PgCareDb(connectionString);
        var planned = BroadcastSeed.ParentsWithWeeklyUpdates(db, server, options.Parents, options.Mentors);
        if (planned != options.Parents)
        {
            throw new InvalidOperationException($"planned {planned} weekly updates for {options.Parents} parents");
        }

        var folder = Directory.CreateTempSubdirectory("carebot-cluster-kills-").FullName;
        var processes = new List<WorkerProcess>();
        var exits = new List<string>();
        WorkerProcess Start()
        {
            var env = WorkerProcess.WorkerSettings(server, Path.Combine(folder, "node" + processes.Count.ToString(CultureInfo.InvariantCulture) + ".db"));
            env["Storage__Provider"] = "PostgreSQL";
            env["Storage__ConnectionString"] = connectionString;
            env["Delivery__GlobalPerSecond"] = options.Cap.ToString(CultureInfo.InvariantCulture);
            var process = WorkerProcess.Start(env, "run");
            processes.Add(process);
            return process;
        }

        try
        {
            for (var i = 0; i < options.Workers; i++)
            {
                Start();
            }

            var clock = Stopwatch.StartNew();
            var leader = await LeaderAsync(db, processes, 0, ct).ConfigureAwait(false);
            log.WriteLine($"cluster: {options.Workers} workers, process {leader.Id} leads after {clock.Elapsed.TotalSeconds:0.0} s; {options.Parents} weekly updates queued");

            var sent = 0;
            var writer = Task.Run(
                async () =>
                {
                    var spacing = options.KillEvery * (options.Kills + 0.5) / Math.Max(1, options.Replies);
                    for (var i = 0; i < options.Replies; i++)
                    {
                        server.UserSends(BroadcastSeed.MentorChatBase + 1 + (i % options.Mentors), $"/visit 1 note-{i}");
                        Interlocked.Increment(ref sent);
                        await Task.Delay(spacing, ct).ConfigureAwait(false);
                    }
                },
                ct);

            var failovers = new List<double>();
            var kills = new List<DateTimeOffset>();
            for (var kill = 1; kill <= options.Kills; kill++)
            {
                await Task.Delay(options.KillEvery, ct).ConfigureAwait(false);
                var epoch = Epoch(db)?.Value ?? 0;
                leader = await LeaderAsync(db, processes, epoch - 1, ct).ConfigureAwait(false);
                var killedAt = DateTimeOffset.UtcNow;
                leader.Kill();
                kills.Add(killedAt);
                exits.Add($"{leader.Id}: killed");
                var next = await LeaderAsync(db, processes, epoch, ct).ConfigureAwait(false);
                var polled = await Until(() => server.Telegram.Calls.Any(c => c.Is("getUpdates") && c.ReceivedAt > killedAt), TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
                var failover = polled ? (server.Telegram.Calls.Where(c => c.Is("getUpdates") && c.ReceivedAt > killedAt).Min(c => c.ReceivedAt) - killedAt).TotalSeconds : double.PositiveInfinity;
                failovers.Add(failover);
                log.WriteLine($"kill {kill} at {clock.Elapsed.TotalSeconds:0.0} s: process {leader.Id} killed, process {next.Id} polled after {failover:0.00} s; {server.Stats.SendMessageAccepted} messages accepted so far");
                Start();
            }

            await writer.ConfigureAwait(false);
            var parentChats = Enumerable.Range(1, options.Parents).Select(i => BroadcastSeed.ParentChatBase + i).ToList();
            var settled = await Until(
                () => server.Telegram.PendingUpdateCount == 0
                    && db.Read(tx => tx.Records.Count(r => r.Kind == CareKind.Visit)) >= options.Replies
                    && parentChats.All(chat => server.MessagesTo(chat).Count > 0),
                options.Settle,
                ct).ConfigureAwait(false);
            log.WriteLine($"settled: {settled} at {clock.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);

            foreach (var process in processes.Where(p => !p.HasExited))
            {
                var code = await process.StopAsync().ConfigureAwait(false);
                exits.Add($"{process.Id}: exit {code}");
            }

            return Measure(server, db, options, failovers, kills, exits);
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ClusterKillResult Measure(LocalBotApiServer server, CareDb db, ClusterKillOptions options, List<double> failovers, List<DateTimeOffset> kills, List<string> exits)
    {
        var stored = db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Visit).GroupBy(r => r.Text).ToDictionary(g => g.Key, g => g.Count()));
        var lost = Enumerable.Range(0, options.Replies).Count(i => !stored.ContainsKey($"note-{i}"));
        var twice = stored.Count(p => p.Value > 1);
        var weekly = Enumerable.Range(1, options.Parents).Select(i => server.MessagesTo(BroadcastSeed.ParentChatBase + i).Count).ToList();

        // The combined rate during the broadcast (from the first message to the last parent's update; after it only
        // replies trickle in, as fast as mentors write): the step from the last message before a kill to the first
        // after it (the failover), and any pause of more than a second between two accepted messages (rows waiting
        // for a dead node's lease), are counted apart.
        var broadcastEnd = Enumerable.Range(1, options.Parents)
            .Select(i => server.Telegram.AcceptedSendTimes(BroadcastSeed.ParentChatBase + i))
            .Where(t => t.Count > 0)
            .Select(t => t[0])
            .DefaultIfEmpty(DateTimeOffset.MaxValue)
            .Max();
        var times = server.Telegram.AcceptedSendTimes().Where(t => t <= broadcastEnd).ToList();
        var busy = 0.0;
        var gaps = 0.0;
        for (var i = 1; i < times.Count; i++)
        {
            var step = (times[i] - times[i - 1]).TotalSeconds;
            var failover = kills.Any(k => k > times[i - 1] && k <= times[i]);
            (busy, gaps) = step > 1 || failover ? (busy, gaps + step) : (busy + step, gaps);
        }

        var whole = times.Count > 1 ? (times[^1] - times[0]).TotalSeconds : 0;
        return new ClusterKillResult(
            failovers,
            failovers.Count,
            lost,
            twice,
            weekly.Count(c => c == 0),
            weekly.Sum(c => Math.Max(0, c - 1)),
            server.Telegram.Calls.Count(c => c.Status == 429),
            server.Telegram.Calls.Count(c => c.Is("getUpdates") && c.Status == 409),
            busy > 0 ? (times.Count - 1) / busy : 0,
            whole > 0 ? (times.Count - 1) / whole : 0,
            gaps,
            times.Count,
            exits);
    }

    /// <summary>The figures the benchmark keeps (issue 22's keys).</summary>
    public static void Record(ClusterKillResult r, ClusterKillOptions options, BenchmarkFigures f)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(f);
        f.Set("failover_s", r.WorstFailoverS);
        f.Set("cluster_kills", r.Kills);
        f.Set("cluster_lost", r.UpdatesLost + r.WeeklyMissing);
        f.Set("cluster_dups", r.UpdatesAppliedTwice + r.WeeklyDuplicates);
        f.Set("cluster_dispatch_rate_ratio", r.RateRatio(options.Cap));
        f.Set("cluster_dispatch_rate_whole_ratio", r.SendRateWholeS / options.Cap);
        f.Set("cluster_429", r.TooManyRequests);
    }

    public static string Describe(ClusterKillResult r, ClusterKillOptions options)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"kills {r.Kills}, failovers {string.Join(", ", r.FailoversS.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))} s; replies lost {r.UpdatesLost}, applied twice {r.UpdatesAppliedTwice}; " +
            $"weekly missing {r.WeeklyMissing}, duplicated {r.WeeklyDuplicates}; 429s {r.TooManyRequests}, 409s {r.ConflictsOnPoll}; {r.Sent} messages during the broadcast, " +
            $"{r.SendRatePerS:0.0}/s while sending ({r.RateRatio(options.Cap):0.00} of {options.Cap}), {r.SendRateWholeS:0.0}/s first to last, pauses {r.GapsS:0.0} s; {string.Join("; ", r.Exits)}");
    }

    /// <summary>The leader's epoch and node id, as the last takeover wrote them.</summary>
    internal static (long Value, string Node)? Epoch(CareDb db) =>
        db.Read(tx => tx.State.FindById(LeaderLease.EpochKey)) is { } e ? (e.Value, e.Text ?? "") : null;

    /// <summary>The live process that took the lead after <paramref name="epochAfter"/> (its pid is in its node id).</summary>
    internal static async Task<WorkerProcess> LeaderAsync(CareDb db, List<WorkerProcess> processes, long epochAfter, CancellationToken ct = default)
    {
        WorkerProcess? found = null;
        var ok = await Until(
            () =>
            {
                if (Epoch(db) is not { } e || e.Value <= epochAfter)
                {
                    return false;
                }

                found = processes.FirstOrDefault(p => !p.HasExited && e.Node.Contains("-" + p.Id.ToString(CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal));
                return found is not null;
            },
            TimeSpan.FromSeconds(60),
            ct).ConfigureAwait(false);
        return ok ? found! : throw new TimeoutException("no live leader after epoch " + epochAfter.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<bool> Until(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return true;
    }
}

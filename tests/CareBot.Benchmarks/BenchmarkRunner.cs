using CareBot.Storage.LiteDb;
using System.Diagnostics;
using System.Globalization;
using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Benchmarks;

/// <summary>Runs the scenarios and returns the figures (the console program and the smoke test both call this).</summary>
public static class BenchmarkRunner
{
    public static async Task<BenchmarkFigures> RunAsync(BenchmarkOptions options, TextWriter log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var f = new BenchmarkFigures();
        f.Set("children", options.Children);
        f.Set("months", options.Months);
        log.WriteLine($"CareBot benchmarks: {options.Scenario}, {options.Provider}, {options.Children:N0} children, {options.Months} months, {Environment.ProcessorCount} cores, {Environment.Version}");
        if (options.Provider == BenchmarkOptions.Postgres)
        {
            await PgBenchmark.RunAsync(options, f, log, ct).ConfigureAwait(false);
            return f;
        }


        if (options.Runs("compose") || options.Runs("ingest") || options.Runs("plan-latency") || options.Runs("backup-latency"))
        {
            var sw = Stopwatch.StartNew();
            var cached = County.Cached(options.TempRoot, options.Children, options.Months, log);
            f.Set("seed_s", sw.Elapsed.TotalSeconds);
            if (options.Runs("compose"))
            {
                Compose(options, cached, f, log, "");
                if (options.HistoryCompare && options.Months != 1)
                {
                    var oneMonth = County.Cached(options.TempRoot, options.Children, 1, log);
                    Compose(options, oneMonth, f, log, "_1m");
                }
            }

            if (options.Runs("ingest"))
            {
                IngestBenchmark.Run(options, cached, f, log);
            }

            if (options.Runs("plan-latency"))
            {
                PlanLatencyBenchmark.Run(options, cached, f, log);
            }

            if (options.Runs("backup-latency"))
            {
                BackupLatencyBenchmark.Run(options, cached, f, log);
            }
        }

        if (options.Runs("dispatch"))
        {
            await DispatchAsync(options, f, log, ct).ConfigureAwait(false);
        }

        if (options.Runs("startup") && options.Startup)
        {
            await StartupAsync(options, f, log, ct).ConfigureAwait(false);
        }

        return f;
    }

    // ---------------------------------------------------------------- compose

    private static void Compose(BenchmarkOptions options, string cached, BenchmarkFigures f, TextWriter log, string suffix)
    {
        var work = County.WorkCopy(cached, $"compose-{options.Children}{suffix}.db");
        using var db = new LiteCareDb(work);
        var date = County.Today;

        RawPass(db, date); // warm the OS file cache and LiteDB's page cache, same for both

        // Warm the planner's code (JIT of the planner and of LiteDB's insert path) on a small county in memory,
        // as the raw pass above is warm: otherwise about 2 s of one-off JIT would count against the planner.
        using (var warm = LiteCareDb.InMemory())
        {
            County.Seed(warm, 300, 1);
            new WeeklyUpdatePlanner(warm, new OutboxStore(warm, TimeProvider.System)).Plan(date);
        }
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        using var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var before = proc.WorkingSet64;
        var managedBefore = GC.GetTotalMemory(false);

        var planner = new WeeklyUpdatePlanner(db, new OutboxStore(db, TimeProvider.System));
        using var sampler = new MemorySampler();
        var sw = Stopwatch.StartNew();
        var result = planner.Plan(date);
        var planS = sw.Elapsed.TotalSeconds;
        var (peakWs, peakManaged) = sampler.Stop();

        sw.Restart();
        var raw = RawPass(db, date);
        var rawS = sw.Elapsed.TotalSeconds;

        // Where Plan's time goes: the outbox inserts alone (same rows, fresh keys) into the same file.
        sw.Restart();
        var rows = db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.WeeklyUpdate).Take(result.Added).ToList());
        var readBackS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        foreach (var chunk in rows.Chunk(500))
        {
            db.Write(tx =>
            {
                foreach (var r in chunk)
                {
                    r.Id = 0;
                    r.Key = "bench:" + r.Key;
                    tx.Outbox.Insert(r);
                }
            });
        }

        var insertS = sw.Elapsed.TotalSeconds;

        // The same rows again through OutboxStore.Enqueue (the planner's path: key Exists check, then Insert).
        var store = new OutboxStore(db, TimeProvider.System);
        sw.Restart();
        foreach (var chunk in rows.Chunk(500))
        {
            db.Write(tx =>
            {
                foreach (var r in chunk)
                {
                    r.Id = 0;
                    r.Key = "enq:" + r.Key;
                    store.Enqueue(tx, r);
                }
            });
        }

        var enqueueS = sw.Elapsed.TotalSeconds;
        var (readPeopleS, readRecordsS, weeks) = PlannerReads(db, date);
        log.WriteLine($"compose{suffix} breakdown: planner's reads: people+children+pairings {readPeopleS:F2} s, records week by week ({weeks} weeks) {readRecordsS:F2} s; Enqueue path {enqueueS:F2} s");
        f.Set("compose_reads_people_s" + suffix, readPeopleS);
        f.Set("compose_reads_records_s" + suffix, readRecordsS);
        f.Set("compose_enqueue_s" + suffix, enqueueS);

        log.WriteLine($"compose{suffix}: Plan {result.Week}: {result.Planned:N0} planned, {result.Added:N0} new in {planS:F2} s; raw pass ({raw:N0} docs) {rawS:F2} s; " +
                      $"outbox inserts alone {insertS:F2} s (read back {readBackS:F2} s); working set before {before / 1048576.0:F0} MB, peak {peakWs / 1048576.0:F0} MB, managed peak {peakManaged / 1048576.0:F0} MB (before {managedBefore / 1048576.0:F0} MB)");
        f.Set("compose_s" + suffix, planS);
        f.Set("compose_raw_s" + suffix, rawS);
        f.Set("compose_ratio" + suffix, planS / rawS);
        f.Set("compose_insert_only_s" + suffix, insertS);
        f.Set("compose_planned" + suffix, result.Planned);
        f.Set("compose_peak_mb" + suffix, peakWs / 1048576.0);
        f.Set("compose_managed_peak_mb" + suffix, peakManaged / 1048576.0);
        f.Set("compose_ws_before_mb" + suffix, before / 1048576.0);
    }

    /// <summary>The storage limit: the same reads as the planner (people, children, pairings, the week and the check-in window by the LocalDate index), no logic.</summary>
    private static long RawPass(CareDb db, DateOnly date)
    {
        long n = 0;
        foreach (var p in db.Read(tx => tx.People.FindAll().ToList()))
        {
            n += p.Id > 0 ? 1 : 0;
        }

        foreach (var c in db.Read(tx => tx.Children.FindAll().ToList()))
        {
            n += c.Parents.Count > 0 ? 1 : 0;
        }

        foreach (var p in db.Read(tx => tx.Pairings.FindAll().ToList()))
        {
            n += p.CarerId > 0 ? 1 : 0;
        }

        var weekStart = CareClock.WeekStart(date);
        var lo = weekStart.AddDays(-56);
        var hi = weekStart.AddDays(6);
        foreach (var r in db.Read(tx => tx.Records.Find(r => r.LocalDate >= lo && r.LocalDate <= hi).ToList()))
        {
            n += r.Id > 0 ? 1 : 0;
        }

        return n;
    }

    /// <summary>The planner's reads alone, in its order and ranges (no logic, no writes), timed.</summary>
    private static (double People, double Records, int Weeks) PlannerReads(CareDb db, DateOnly date)
    {
        var sw = Stopwatch.StartNew();
        var parents = new HashSet<int>();
        foreach (var p in db.Read(tx => tx.People.FindAll().ToList()))
        {
            if (p.Has(Roles.Parent))
            {
                parents.Add(p.Id);
            }
        }

        var wanted = db.Read(tx => tx.Children.FindAll().Where(c => c.Parents.Exists(l => parents.Contains(l.PersonId))).Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
        _ = db.Read(tx => tx.Pairings.FindAll().Where(p => wanted.Contains(p.ChildId)).ToLookup(p => p.ChildId, StringComparer.Ordinal));
        var people = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var weekStart = CareClock.WeekStart(date);
        var checks = new Dictionary<string, int>(StringComparer.Ordinal);
        var complete = 0;
        var to = weekStart.AddDays(6);
        var from = weekStart;
        var limit = weekStart.AddDays(-56);
        var weeks = 0;
        while (to >= limit && complete < wanted.Count)
        {
            weeks++;
            var (lo, hi) = (from < limit ? limit : from, to);
            foreach (var r in db.Read(tx => tx.Records.Find(r => r.LocalDate >= lo && r.LocalDate <= hi).ToList()))
            {
                if (r.Kind == CareKind.Check && wanted.Contains(r.ChildId))
                {
                    var c = checks[r.ChildId] = checks.GetValueOrDefault(r.ChildId) + 1;
                    complete += c == 2 ? 1 : 0;
                }
            }

            to = from.AddDays(-1);
            from = from.AddDays(-7);
        }

        return (people, sw.Elapsed.TotalSeconds, weeks);
    }

    private sealed class MemorySampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peakWs;
        private long _peakManaged;

        public MemorySampler()
        {
            _thread = new Thread(() =>
            {
                using var p = Process.GetCurrentProcess();
                do
                {
                    Sample(p);
                    Thread.Sleep(10);
                }
                while (!_stop);
            }) { IsBackground = true };
            _thread.Start();
        }

        /// <summary>The peaks, with one last sample: a short run may end before the thread's first one.</summary>
        public (long Ws, long Managed) Stop()
        {
            _stop = true;
            _thread.Join();
            using var p = Process.GetCurrentProcess();
            Sample(p);
            return (_peakWs, _peakManaged);
        }

        private void Sample(Process p)
        {
            p.Refresh();
            _peakWs = Math.Max(_peakWs, p.WorkingSet64);
            _peakManaged = Math.Max(_peakManaged, GC.GetTotalMemory(false));
        }

        public void Dispose() => _stop = true;
    }

    internal static double Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // ---------------------------------------------------------------- dispatch

    private sealed class TimedSender(IChatSender inner) : IChatSender
    {
        public long Ticks;
        public int Calls;

        public string Channel => inner.Channel;

        public async Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken)
        {
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                return await inner.SendAsync(chat, text, buttons, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Ticks += Stopwatch.GetTimestamp() - t0;
                Calls++;
            }
        }
    }

    private static async Task DispatchAsync(BenchmarkOptions options, BenchmarkFigures f, TextWriter log, CancellationToken ct)
    {
        var rate = options.Rate;
        var n = options.DispatchMessages;
        Directory.CreateDirectory(options.TempRoot);
        var path = Path.Combine(options.TempRoot, $"dispatch-{n}.db");
        File.Delete(path);
        File.Delete(Path.ChangeExtension(path, null) + "-log.db");

        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions
        {
            GlobalPerSecond = rate,
            PerChatInterval = TimeSpan.FromSeconds(1),
            MinimumLogLevel = LogLevel.Error,
        }, ct).ConfigureAwait(false);

        using var db = new LiteCareDb(path);
        var time = TimeProvider.System;
        var outbox = new OutboxStore(db, time);
        var people = new List<Person>(n);
        for (var i = 1; i <= n; i++)
        {
            var chat = County.ParentChatBase + i;
            server.AddUser(chat, $"家长{i}");
            people.Add(new Person { Id = i, Name = $"家长{i}", Phone = $"15{i:D9}", Roles = Roles.Parent, Chat = TelegramChat.Address(chat), Status = Reachability.Reachable });
        }

        db.Write(tx => tx.People.InsertBulk(people));
        var text = "小明的一周（11月16日–11月22日）\n家访：\n· 11月18日 周三 老师1：今天到家里看了看，孩子作业完成得不错，奶奶身体还好，下周再来。\n谈心：\n· 11月20日 周五 老师1：聊了聊学习\n最近一次情况（11月19日）：学习 4↑ 生活 3= 心情 4↑ 安全 5= 健康 4=\n结对老师：老师1\n回复这条消息可以给老师留言。";
        // This week's updates: an update of a week whose catch-up window has closed expires unsent (OutboxExpiry).
        var today = time.GetUtcNow().UtcDateTime;
        var week = string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(today)}-W{ISOWeek.GetWeekOfYear(today):D2}");
        db.Write(tx =>
        {
            foreach (var p in people)
            {
                outbox.Enqueue(tx, new OutboxMessage { Key = $"bench:{p.Id}", PersonId = p.Id, Chat = p.Chat, Text = text, Kind = OutboxKind.WeeklyUpdate, Priority = OutboxPriority.Bulk, ChildId = "S0000001", Week = week });
            }
        });

        using var http = new HttpClient();
        var bot = new TelegramBotClient(new TelegramBotClientOptions(server.Token, server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 }, http);
        var delivery = Options.Create(new DeliveryOptions { GlobalPerSecond = rate, PerChatIntervalMs = 1000 });
        var sender = new TimedSender(new TelegramChatSender(bot, delivery));
        using var signal = new OutboxSignal();
        using var dispatcher = new OutboxDispatcher(db, outbox, [sender], signal, time, new CareClock(time, "Asia/Shanghai"), delivery,
            Options.Create(new CareOptions { QuietHours = "00:00-00:00" }), NullLogger<OutboxDispatcher>.Instance);

        // Warm the HTTP connection and JIT with one send outside the count (to a chat not in the run).
        server.AddUser(County.ParentChatBase - 1, "warm");
        await bot.SendMessage(County.ParentChatBase - 1, "warm-up", cancellationToken: ct).ConfigureAwait(false);
        var statsBefore = server.Stats;

        var sw = Stopwatch.StartNew();
        var rounds = 0;
        var deadline = TimeSpan.FromSeconds(Math.Max(60, 5.0 * n / rate));
        while (sw.Elapsed < deadline)
        {
            rounds++;
            var wait = await dispatcher.DrainOnceAsync(ct).ConfigureAwait(false);
            if (wait > TimeSpan.Zero)
            {
                if (outbox.PendingCount() == 0)
                {
                    break;
                }

                await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
            }
        }

        var elapsed = sw.Elapsed.TotalSeconds;
        var stats = server.Stats;
        var sent = db.Read(tx => tx.Outbox.Count(o => o.Status == OutboxStatus.Sent));
        var accepted = stats.SendMessageAccepted - statsBefore.SendMessageAccepted;
        var sendS = (double)sender.Ticks / Stopwatch.Frequency;
        var achieved = sent / elapsed;
        log.WriteLine($"dispatch: {sent:N0}/{n:N0} sent in {elapsed:F2} s = {achieved:F1}/s against R = {rate}/s ({rounds} rounds); server accepted {accepted:N0}, 429 answers {stats.TooManyRequestsAnswers - statsBefore.TooManyRequestsAnswers}; " +
                      $"time inside SendAsync {sendS:F2} s ({1000 * sendS / Math.Max(1, sender.Calls):F2} ms/call), outside (limiter waits + LiteDB updates) {elapsed - sendS:F2} s");
        f.Set("dispatch_messages", n);
        f.Set("dispatch_sent", sent);
        f.Set("dispatch_s", elapsed);
        f.Set("dispatch_rate", achieved);
        f.Set("dispatch_rate_target", rate);
        f.Set("dispatch_rate_ratio", achieved / rate);
        f.Set("dispatch_429", stats.TooManyRequestsAnswers - statsBefore.TooManyRequestsAnswers);
        f.Set("dispatch_send_ms_per_call", 1000 * sendS / Math.Max(1, sender.Calls));
    }

    // ---------------------------------------------------------------- startup

    private static async Task StartupAsync(BenchmarkOptions options, BenchmarkFigures f, TextWriter log, CancellationToken ct)
    {
        var dll = WorkerDll();
        var cached = County.Cached(options.TempRoot, options.StartupChildren, options.StartupMonths, log);
        var work = County.WorkCopy(cached, $"startup-{options.StartupChildren}.db");

        // How much of start-up is opening this file (CareDb: open, EnsureIndex x13) and reading the poll offset.
        var probePath = County.WorkCopy(cached, $"startup-probe-{options.StartupChildren}.db");
        var open = Stopwatch.StartNew();
        using (var probe = new LiteCareDb(probePath))
        {
            _ = probe.Read(tx => tx.State.FindById(CareBot.Worker.Telegram.TelegramPoller.Channel.OffsetKey));
        }

        var openS = open.Elapsed.TotalSeconds;
        log.WriteLine($"startup: opening the {options.StartupChildren:N0}-child file in-process (CareDb + offset read) took {openS:F2} s (warm OS cache)");
        f.Set("startup_db_open_s", openS);
        // The first start of a worker on a database also syncs CareBot:Admins over everyone (once per change of the
        // admin list); later starts skip it. Both are measured: the first, then the steady state.
        var settings = new Dictionary<string, string> { ["Storage__DatabasePath"] = work };
        var first = await MeasureStartAsync("first start", dll, settings, options.StartupChildren, options, log, ct).ConfigureAwait(false);
        var again = await MeasureStartAsync("next start", dll, settings, options.StartupChildren, options, log, ct).ConfigureAwait(false);
        f.Set("startup_first_s", first ?? double.NaN);
        f.Set("startup_children", options.StartupChildren);
        f.Set("startup_s", again ?? double.NaN);
    }

    /// <summary>The worker program beside the benchmark.</summary>
    internal static string WorkerDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "carebot.dll");
        if (!File.Exists(dll) || !File.Exists(Path.Combine(AppContext.BaseDirectory, "carebot.runtimeconfig.json")))
        {
            throw new FileNotFoundException("carebot.dll with its runtimeconfig is not beside the benchmark", dll);
        }

        return dll;
    }

    /// <summary>Starts the worker with <paramref name="storage"/> (environment variables) and returns the seconds until its first getUpdates long poll.</summary>
    internal static async Task<double?> MeasureStartAsync(string label, string dll, IReadOnlyDictionary<string, string> storage, int children, BenchmarkOptions options, TextWriter log, CancellationToken ct)
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { MinimumLogLevel = LogLevel.Error }, ct).ConfigureAwait(false);

        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("run");
        foreach (var (key, value) in server.WorkerSettings(pollTimeoutSeconds: 25))
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in storage)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";

        var lines = new List<string>();
        var sw = Stopwatch.StartNew();
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start carebot");
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add($"{sw.Elapsed.TotalSeconds,6:F2}s {e.Data}");
                }
            }
        }

        child.OutputDataReceived += OnLine;
        child.ErrorDataReceived += OnLine;
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        double? firstPoll = null;
        while (sw.Elapsed < TimeSpan.FromSeconds(180) && !child.HasExited)
        {
            if (server.Telegram.LongPollsWaiting > 0)
            {
                firstPoll = sw.Elapsed.TotalSeconds;
                break;
            }

            await Task.Delay(5, ct).ConfigureAwait(false);
        }

        await Task.Delay(options.StartupLinger, ct).ConfigureAwait(false);
        if (!child.HasExited)
        {
            child.Kill(entireProcessTree: true);
        }

        await child.WaitForExitAsync(ct).ConfigureAwait(false);
        log.WriteLine($"startup, {label} ({children:N0} children): first getUpdates long poll after {(firstPoll is { } s ? $"{s:F2} s" : "never (process exited or timed out)")}; child output:");
        lock (lines)
        {
            foreach (var line in lines.Take(25))
            {
                log.WriteLine("    " + line);
            }
        }

        return firstPoll;
    }
}

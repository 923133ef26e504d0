using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>The heartbeat file the worker keeps beside its database, and <c>carebot status</c> reading it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusTests : IDisposable
{
    private static readonly DateTimeOffset Monday0800 = new(2026, 11, 23, 8, 0, 0, TimeSpan.FromHours(8));
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string[] Out, string Err) Status(string database, TimeProvider time, string language = "en")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = StatusCommand.Report(database, language, time, stdout, stderr);
        return (code, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.ToString().Trim());
    }

    /// <summary>A heartbeat service on a fake clock over an in-memory database; the file goes beside <c>c.db</c>.</summary>
    private (HeartbeatService Service, WorkerActivity Activity, CareDb Db, string Database) Heartbeat(FakeTimeProvider time)
    {
        var database = Path.Combine(_dir, "c.db");
        File.WriteAllText(database, "");
        var db = LiteCareDb.InMemory();
        var activity = new WorkerActivity(time);
        var service = new HeartbeatService(
            new OutboxStore(db, time), activity, new CareClock(time, "Asia/Shanghai"), time,
            Options.Create(new StorageOptions { DatabasePath = database }), new ServiceCollection().BuildServiceProvider(), NullLogger<HeartbeatService>.Instance);
        return (service, activity, db, database);
    }

    private static async Task Until(Func<bool> condition, string what) =>
        await Reliability.CrashTests.WaitAsync(condition, TimeSpan.FromSeconds(20), what);

    [Fact]
    public async Task The_worker_beats_every_15_seconds_in_an_owner_only_file_and_removes_it_on_stop()
    {
        var time = new FakeTimeProvider(Monday0800);
        var (service, _, db, database) = Heartbeat(time);
        using var _ = db;
        var file = WorkerStatus.PathFor(database);

        await service.StartAsync(CancellationToken.None);
        await Until(() => File.Exists(file), "the first heartbeat");
        Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(file));
        var first = File.ReadAllText(file);
        Assert.Contains("\"Heartbeat\": \"2026-11-23T08:00:00+08:00\"", first, StringComparison.Ordinal);

        time.Advance(HeartbeatService.Interval);
        await Until(() => File.ReadAllText(file).Contains("2026-11-23T08:00:15+08:00", StringComparison.Ordinal), "the second heartbeat");

        await service.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(file));
        Assert.Equal([database], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_big_outbox_is_counted_only_up_to_the_cap_and_shown_as_more()
    {
        var time = new FakeTimeProvider(Monday0800);
        var (service, _, db, database) = Heartbeat(time);
        using var _ = db;
        db.Write(tx => tx.Outbox.InsertBulk(Enumerable.Range(0, OutboxStore.StatusCountCap + 5).Select(i => new OutboxMessage
        {
            Key = $"sent:{i}", PersonId = 1, Chat = TelegramChats.At(1), Text = "x", Status = OutboxStatus.Sent, CreatedUtc = Monday0800.UtcDateTime,
        })));
        db.Write(tx => tx.Outbox.Insert(new OutboxMessage { Key = "p", PersonId = 1, Chat = TelegramChats.At(1), Text = "y", Status = OutboxStatus.Pending }));
        await service.BeatAsync(CancellationToken.None);

        var (code, lines, err) = Status(database, time);

        Assert.True(code == 0, err);
        Assert.Contains("outbox: 1 pending, 0 sending, 1000+ sent, 0 failed, 0 unreachable, 0 held, 0 expired", lines);
    }

    [Fact]
    public async Task Status_is_healthy_within_a_minute_of_the_heartbeat_and_says_what_the_worker_did()
    {
        var time = new FakeTimeProvider(Monday0800);
        var (service, activity, db, database) = Heartbeat(time);
        using var _ = db;
        var store = new OutboxStore(db, time);
        store.Enqueue(new OutboxMessage { Key = "a", PersonId = 1, Chat = TelegramChats.At(1), Text = "x" });
        store.Enqueue(new OutboxMessage { Key = "b", PersonId = 1, Chat = TelegramChats.At(1), Text = "y" });
        store.MarkSent(db.Read(tx => tx.Outbox.FindOne(o => o.Key == "b")), 7);
        store.Enqueue(new OutboxMessage { Key = "c", PersonId = 1, Chat = TelegramChats.At(1), Text = "z", Kind = OutboxKind.Reminder });
        store.MarkExpired(db.Read(tx => tx.Outbox.FindOne(o => o.Key == "c")), "expired");
        time.Advance(TimeSpan.FromSeconds(5));
        activity.Polled();
        activity.RemindersRan(new ReminderPlanResult(4, 1));
        time.Advance(TimeSpan.FromSeconds(3));
        activity.ApiAnswered(); // a send got an answer after the poll
        await service.BeatAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(56));
        var (code, lines, err) = Status(database, time);

        Assert.True(code == 0, err);
        Assert.Equal(
            [
                "last poll: 2026-11-23 08:00:05 (59 s ago)",
                "Bot API last answered: 2026-11-23 08:00:08 (56 s ago)",
                "outbox: 1 pending, 0 sending, 1 sent, 0 failed, 0 unreachable, 0 held, 1 expired",
                "visit reminders: last run 2026-11-23 08:00:05 (4 reminders, 1 escalations); next not scheduled",
                "weekly updates: not run since the worker started at 2026-11-23 08:00:00; next not scheduled",
            ],
            lines);

        var zh = Status(database, time, "zh");
        Assert.Equal(0, zh.Code);
        Assert.Equal("上次轮询：2026-11-23 08:00:05（59 秒前）", zh.Out[0]);
    }

    [Fact]
    public async Task A_heartbeat_a_minute_old_is_unhealthy_with_the_reason()
    {
        var time = new FakeTimeProvider(Monday0800);
        var (service, _, db, database) = Heartbeat(time);
        using var _ = db;
        await service.BeatAsync(CancellationToken.None);

        time.Advance(StatusCommand.MaxAge);
        var (code, lines, err) = Status(database, time);

        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.Empty(lines);
        Assert.Equal($"carebot: the worker on {database} last reported 60 s ago (at 2026-11-23 08:00:00): it is not running, or it is stuck.", err);
    }

    [Fact]
    public void No_heartbeat_file_or_a_file_others_may_read_is_unhealthy()
    {
        var time = new FakeTimeProvider(Monday0800);
        var database = Path.Combine(_dir, "c.db");
        File.WriteAllText(database, "");

        var (code, _, err) = Status(database, time);
        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.StartsWith("carebot: no worker is running on", err, StringComparison.Ordinal);

        var file = WorkerStatus.PathFor(database);
        File.WriteAllText(file, "{}");
        File.SetUnixFileMode(file, PrivateFiles.OwnerOnly | UnixFileMode.OtherRead);
        (code, _, err) = Status(database, time);
        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.Contains("0604", err, StringComparison.Ordinal);

        File.Delete(database);
        (code, _, err) = Status(database, time);
        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.Contains("Storage:DatabasePath", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_reads_only_the_storage_settings_and_never_exits_2_which_docker_reserves()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var database = Path.Combine(_dir, "none.db");

        // A bad edit of another section (the running worker keeps its last good settings) does not make it unhealthy.
        var code = StatusCommand.Run(new Dictionary<string, string?> { ["Storage:DatabasePath"] = database, ["CareBot:TimeZone"] = "Mars/Olympus" }, "en", TimeProvider.System, stdout, stderr);

        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.Equal($"carebot: there is no database at {database} (Storage:DatabasePath), so no worker runs on it.", stderr.ToString().Trim());
    }

    [Fact]
    public async Task The_running_worker_reports_its_poll_and_its_catch_up_run()
    {
        await using var kit = await E2eKit.StartAsync(Monday0800.AddMinutes(5));
        kit.Seed(2);
        await kit.StartWorkerAsync();
        var file = WorkerStatus.PathFor(kit.DatabasePath);
        var activity = kit.Host!.Services.GetRequiredService<WorkerActivity>();
        await Until(() => activity.Snapshot().LastPoll is not null && activity.Snapshot().Reminders is not null, "the first poll and the catch-up");
        await kit.Host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<HeartbeatService>().Single().BeatAsync(CancellationToken.None);

        var (code, lines, err) = Status(kit.DatabasePath, kit.Time);

        Assert.True(code == 0, err);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("last poll: 2026-11-23 08:0", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Bot API last answered: 2026-11-23 08:0", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("visit reminders: last run 2026-11-23 08:0", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("next 2026-11-24 08:00:00", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("next 2026-11-29 19:00:00", lines[4], StringComparison.Ordinal);

        await kit.StopWorkerAsync();
        Assert.False(File.Exists(file));
        Assert.Equal(StatusCommand.Unhealthy, Status(kit.DatabasePath, kit.Time).Code);
    }
}

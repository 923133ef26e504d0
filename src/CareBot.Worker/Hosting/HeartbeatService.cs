using System.Text.Json;
using CareBot.Core;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Hosting;

/// <summary>
/// Writes the worker's <see cref="WorkerStatus"/> beside the database at start and every <see cref="Interval"/>:
/// to a new owner-only temp file, then renamed over the last one (a reader sees the old or the new file, never half
/// of one). Counting the outbox takes a turn on the database, so a worker whose database is wedged stops beating.
/// The file is removed on a graceful stop: no worker, no heartbeat.
/// </summary>
internal sealed class HeartbeatService(
    OutboxStore outbox,
    WorkerActivity activity,
    CareClock clock,
    TimeProvider time,
    IOptions<StorageOptions> storage,
    IServiceProvider services,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private string StatusPath => WorkerStatus.PathFor(storage.Value.DatabasePath);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await BeatAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
        finally
        {
            Remove(StatusPath);
        }
    }

    /// <summary>Writes one heartbeat. A failure is logged and the next beat tries again (a stale file then says why).</summary>
    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await CollectAsync(cancellationToken).ConfigureAwait(false);
            var temp = WorkerStatus.TempPathFor(storage.Value.DatabasePath);
            if (storage.Value.IsPostgreSQL)
            {
                // No database file makes the folder: the heartbeat's own (data/ beside appsettings.json by default).
                Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            }

            Remove(temp); // left by a crash mid-write
            PrivateFiles.WriteNew(temp, JsonSerializer.Serialize(status, Json));
            File.Move(temp, StatusPath, overwrite: true); // rename(2): atomic, and replaces a link rather than following it
        }
        // A scheduler in the database (the cluster's Quartz store) answers with SchedulerException while the server
        // is out of reach: the beat waits for the next round like the outbox count does.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageFaultException or StorageBusyException or SchedulerException)
        {
            logger.LogWarning(ex, "Could not write the heartbeat file");
        }
    }

    private async Task<WorkerStatus> CollectAsync(CancellationToken cancellationToken)
    {
        var (lastPoll, reminders, weekly) = activity.Snapshot();
        DateTimeOffset? nextReminders = null, nextWeekly = null;
        if (services.GetService<ISchedulerFactory>() is { } schedulers)
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            nextReminders = (await scheduler.GetTrigger(CareJobs.VisitRemindersTrigger, cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc;
            nextWeekly = (await scheduler.GetTrigger(CareJobs.WeeklyUpdatesTrigger, cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc;
        }

        return new WorkerStatus
        {
            Heartbeat = Local(time.GetUtcNow()),
            Started = Local(activity.Started),
            LastPoll = Local(lastPoll),
            LastApiAnswer = Local(activity.LastApiAnswer),
            Outbox = outbox.CountByStatus(),
            LastReminders = reminders is { } r ? new ReminderRun(Local(r.At), r.Result.Reminders, r.Result.Escalations) : null,
            NextReminders = Local(nextReminders),
            LastWeeklyUpdates = weekly is { } w ? new WeeklyRun(Local(w.At), w.Result.Week, w.Result.Planned, w.Result.Added) : null,
            NextWeeklyUpdates = Local(nextWeekly),
            NodeId = services.GetService<Cluster.WorkerNode>()?.Id,
        };
    }

    private DateTimeOffset Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, clock.Zone);

    private DateTimeOffset? Local(DateTimeOffset? utc) => utc is { } u ? Local(u) : null;

    private void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not remove a heartbeat file");
        }
    }
}

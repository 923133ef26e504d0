using CareBot.Core;
using CareBot.Core.Time;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>
/// Hot reload of the schedules: when appsettings.json changes <c>CareBot:Schedules:*</c> or <c>CareBot:TimeZone</c>
/// while the worker runs, the triggers are rescheduled. Only valid settings ever arrive here: an invalid edit is
/// logged by <see cref="Hosting.LastGoodOptionsMonitor{T}"/> and the triggers keep their last good schedule.
/// </summary>
public sealed class ScheduleReloader(
    ISchedulerFactory schedulers,
    IOptionsMonitor<ScheduleOptions> schedules,
    IOptionsMonitor<CareOptions> care,
    CareClock clock,
    TimeProvider time,
    ILogger<ScheduleReloader> logger)
    : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<IDisposable> _subscriptions = [];

    /// <summary>The latest reschedule started by a change (for tests and orderly shutdown).</summary>
    internal Task LastApply { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in new[] { schedules.OnChange((_, _) => LastApply = ApplyAsync(CancellationToken.None)), care.OnChange((_, _) => LastApply = ApplyAsync(CancellationToken.None)) })
        {
            if (subscription is not null)
            {
                _subscriptions.Add(subscription);
            }
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Unsubscribe();
        await LastApply.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings both triggers in line with the current settings. Never throws: it runs from a change callback.</summary>
    internal async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = schedules.CurrentValue;
            var zone = clock.Zone;
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            await ApplyOneAsync(scheduler, CareJobs.VisitRemindersTrigger, VisitReminderJob.Key, CareJobs.VisitRemindersSetting, current.VisitRemindersCron!, zone, cancellationToken).ConfigureAwait(false);
            await ApplyOneAsync(scheduler, CareJobs.WeeklyUpdatesTrigger, WeeklyUpdateJob.Key, CareJobs.WeeklyUpdatesSetting, current.WeeklyUpdatesCron!, zone, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A boundary: this runs from a configuration change callback, nobody awaits it.
            logger.LogError(ex, "Rescheduling after a configuration change failed; the old schedules stay");
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyOneAsync(IScheduler scheduler, TriggerKey key, JobKey job, string setting, CronExpression wanted, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is not ICronTrigger existing)
        {
            logger.LogWarning("Trigger {TriggerKey} not found; {Setting} not applied", key, setting);
            return;
        }

        if (wanted.CronExpressionString == existing.CronExpressionString && zone.Id == existing.TimeZone.Id)
        {
            return;
        }

        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(key)
            .ForJob(job)
            .WithSchedule(CareJobs.Schedule(wanted, zone))
            .Build();
        var next = await scheduler.RescheduleJob(key, trigger, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "{Setting} changed from '{Old}' ({OldZone}) to '{Cron}' ({Zone}); next fire {Next}",
            setting, existing.CronExpressionString, existing.TimeZone.Id, wanted.CronExpressionString, zone.Id, next);
    }

    private void Unsubscribe()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
    }

    public void Dispose()
    {
        Unsubscribe();
        _gate.Dispose();
    }
}

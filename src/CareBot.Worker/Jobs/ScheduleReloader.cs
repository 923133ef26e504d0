using CareBot.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>
/// Hot reload of the schedules: when appsettings.json changes <c>CareBot:Schedules:*</c> while the worker runs, the
/// triggers are rescheduled (same time zone; a time zone change needs a restart). An invalid new cron is logged and
/// the old schedule kept.
/// </summary>
public sealed class ScheduleReloader(
    ISchedulerFactory schedulers,
    IOptionsMonitor<CareOptions> options,
    TimeProvider time,
    ILogger<ScheduleReloader> logger)
    : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDisposable? _subscription;

    /// <summary>The latest reschedule started by a change (for tests and orderly shutdown).</summary>
    internal Task LastApply { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = options.OnChange(changed => LastApply = ApplyAsync(changed, CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        _subscription = null;
        await LastApply.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings both triggers in line with <paramref name="current"/>. Never throws: it runs from a change callback.</summary>
    internal async Task ApplyAsync(CareOptions current, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            await ApplyOneAsync(scheduler, CareJobs.VisitRemindersTrigger, VisitReminderJob.Key, CareJobs.VisitRemindersSetting, current.Schedules.VisitReminders, cancellationToken).ConfigureAwait(false);
            await ApplyOneAsync(scheduler, CareJobs.WeeklyUpdatesTrigger, WeeklyUpdateJob.Key, CareJobs.WeeklyUpdatesSetting, current.Schedules.WeeklyUpdates, cancellationToken).ConfigureAwait(false);
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

    private async Task ApplyOneAsync(IScheduler scheduler, TriggerKey key, JobKey job, string setting, string? cron, CancellationToken cancellationToken)
    {
        if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is not ICronTrigger existing)
        {
            logger.LogWarning("Trigger {TriggerKey} not found; {Setting} not applied", key, setting);
            return;
        }

        var wanted = cron?.Trim() ?? "";
        if (wanted == existing.CronExpressionString)
        {
            return;
        }

        if (!CronExpression.TryParse(wanted, out _))
        {
            logger.LogError("{Setting}: '{Cron}' is not a valid Quartz cron expression; keeping '{Old}'", setting, wanted, existing.CronExpressionString);
            return;
        }

        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(key)
            .ForJob(job)
            .WithSchedule(CareJobs.Schedule(wanted, existing.TimeZone))
            .Build();
        var next = await scheduler.RescheduleJob(key, trigger, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Setting} changed from '{Old}' to '{Cron}'; next fire {Next}", setting, existing.CronExpressionString, wanted, next);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _gate.Dispose();
    }
}

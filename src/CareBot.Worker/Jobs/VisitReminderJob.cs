using Microsoft.Extensions.Logging;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Daily (CareBot:Schedules:VisitReminders): reminders, escalations and, the day before the weekly update, nudges.</summary>
[DisallowConcurrentExecution]
public sealed class VisitReminderJob(CarePlanRunner runner, ILogger<VisitReminderJob> logger) : IJob
{
    public static readonly JobKey Key = new("visit-reminders", CareJobs.Group);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Run(context.ScheduledFireTimeUtc, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>The job body: catches and logs (no personal data); safe to run twice.</summary>
    internal void Run() => Run(null, CancellationToken.None);

    /// <summary>
    /// The run of the scheduled fire time <paramref name="scheduledUtc"/>: in a cluster, once across the nodes (another
    /// node may have done it). Honours <paramref name="cancellationToken"/> until the planners start.
    /// </summary>
    internal void Run(DateTimeOffset? scheduledUtc, CancellationToken cancellationToken)
    {
        try
        {
            var result = scheduledUtc is { } slot ? runner.RunReminders(slot, cancellationToken) : runner.RunReminders();
            if (result is null)
            {
                logger.LogInformation("Job {JobKey} for {Slot} was done by another node", Key, scheduledUtc);
                return;
            }

            logger.LogInformation("Job {JobKey} done: {Reminders} reminders, {Escalations} escalations", Key, result.Reminders, result.Escalations);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Job {JobKey} cancelled", Key);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobKey} failed", Key);
        }
    }
}

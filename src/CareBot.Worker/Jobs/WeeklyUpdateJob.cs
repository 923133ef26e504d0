using Microsoft.Extensions.Logging;
using CareBot.Core.Time;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Weekly (CareBot:Schedules:WeeklyUpdates): the parents' weekly updates for the week of the scheduled fire time.</summary>
[DisallowConcurrentExecution]
public sealed class WeeklyUpdateJob(CarePlanRunner runner, CareClock clock, ILogger<WeeklyUpdateJob> logger) : IJob
{
    public static readonly JobKey Key = new("weekly-updates", CareJobs.Group);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Run(context.ScheduledFireTimeUtc, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The job body: plans the week of the scheduled fire time (so a Sunday 23:59 fire that runs after midnight still
    /// plans Sunday's week), or of now. Catches and logs (no personal data); safe to run twice.
    /// </summary>
    internal void Run(DateTimeOffset? scheduledUtc, CancellationToken cancellationToken = default)
    {
        try
        {
            // In a cluster the fire time is a slot done once across the nodes (another node may have done it).
            var result = scheduledUtc is { } s ? runner.RunWeeklyUpdates(s, cancellationToken) : runner.RunWeeklyUpdates(clock.Today);
            if (result is null)
            {
                logger.LogInformation("Job {JobKey} for {Slot} was done by another node", Key, scheduledUtc);
                return;
            }

            logger.LogInformation("Job {JobKey} done for {Week}: {Planned} planned, {Added} new", Key, result.Week, result.Planned, result.Added);
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

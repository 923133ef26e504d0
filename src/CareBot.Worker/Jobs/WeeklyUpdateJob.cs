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
        Run(context.ScheduledFireTimeUtc);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The job body: plans the week of the scheduled fire time (so a Sunday 23:59 fire that runs after midnight still
    /// plans Sunday's week), or of now. Catches and logs (no personal data); safe to run twice.
    /// </summary>
    internal void Run(DateTimeOffset? scheduledUtc)
    {
        try
        {
            var date = scheduledUtc is { } s ? clock.ToLocalDate(s.UtcDateTime) : clock.Today;
            var result = runner.RunWeeklyUpdates(date);
            logger.LogInformation("Job {JobKey} done for {Week}: {Planned} planned, {Added} new", Key, result.Week, result.Planned, result.Added);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobKey} failed", Key);
        }
    }
}

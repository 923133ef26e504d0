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
        Run();
        return ValueTask.CompletedTask;
    }

    /// <summary>The job body: catches and logs (no personal data); safe to run twice.</summary>
    internal void Run()
    {
        try
        {
            var result = runner.RunReminders();
            logger.LogInformation("Job {JobKey} done: {Reminders} reminders, {Escalations} escalations", Key, result.Reminders, result.Escalations);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobKey} failed", Key);
        }
    }
}

using Microsoft.Extensions.Logging;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Runs once each time the scheduler starts (RunAtStartup): see <see cref="CarePlanRunner.CatchUp"/>.</summary>
[DisallowConcurrentExecution]
public sealed class CatchUpJob(CarePlanRunner runner, ILogger<CatchUpJob> logger) : IJob
{
    public static readonly JobKey Key = new("start-up-catch-up", CareJobs.Group);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Run();
        return ValueTask.CompletedTask;
    }

    internal void Run()
    {
        try
        {
            var result = runner.CatchUp();
            logger.LogInformation(
                "Job {JobKey} done: reminders {Reminders}, weekly updates {Week} ({Added} new)",
                Key, result.Reminders is null ? "not due yet" : "planned", result.WeeklyUpdates?.Week ?? "none", result.WeeklyUpdates?.Added ?? 0);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobKey} failed", Key);
        }
    }
}

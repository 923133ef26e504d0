using Microsoft.Extensions.Logging;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>
/// Every <see cref="Interval"/>: a concern nobody acknowledged within <c>CareBot:Safeguarding:AcknowledgeWithinMinutes</c>
/// is alerted again to every admin in scope, and again each hour (<see cref="Core.Safeguarding.AlertPlanner"/>).
/// </summary>
[DisallowConcurrentExecution]
public sealed class SafeguardingJob(CarePlanRunner runner, ILogger<SafeguardingJob> logger) : IJob
{
    public static readonly JobKey Key = new("safeguarding-alerts", CareJobs.Group);

    /// <summary>How often unacknowledged concerns are looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(2);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.CompletedTask; // shutting down: the next round (on this node or another) alerts
        }

        Run();
        return ValueTask.CompletedTask;
    }

    /// <summary>The job body: catches and logs (ids only); safe to run twice.</summary>
    internal void Run()
    {
        try
        {
            var repeated = runner.RunSafeguarding();
            logger.LogDebug("Job {JobKey} done: {Repeated} concern(s) alerted again", Key, repeated);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobKey} failed", Key);
        }
    }
}

using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Runs once each time the scheduler starts (RunAtStartup): see <see cref="CarePlanRunner.CatchUp"/>.</summary>
[DisallowConcurrentExecution]
public sealed class CatchUpJob(CarePlanRunner runner, IServiceProvider services, ILogger<CatchUpJob> logger) : IJob
{
    public static readonly JobKey Key = new("start-up-catch-up", CareJobs.Group);

    /// <summary>The catch-up waits at most this long for the bot's first poll, so a chat is answered first.</summary>
    public static readonly TimeSpan FirstPollWait = TimeSpan.FromSeconds(5);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // On a county-sized database the catch-up planners take seconds of CPU and storage: let the poller start
        // answering people first.
        if (services.GetService(typeof(TelegramPoller)) is TelegramPoller poller)
        {
            try
            {
                await poller.FirstPoll.Task.WaitAsync(FirstPollWait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The bot server may be down; catch up anyway.
            }
        }

        Run(cancellationToken);
    }

    internal void Run(CancellationToken cancellationToken = default)
    {
        try
        {
            var result = runner.CatchUp(cancellationToken);
            logger.LogInformation(
                "Job {JobKey} done: reminders {Reminders}, weekly updates {Week} ({Added} new)",
                Key, result.Reminders is null ? "not due yet" : "planned", result.WeeklyUpdates?.Week ?? "none", result.WeeklyUpdates?.Added ?? 0);
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

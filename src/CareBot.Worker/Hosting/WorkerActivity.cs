using CareBot.Core.Planning;

namespace CareBot.Worker.Hosting;

/// <summary>What the worker has done lately, for its heartbeat (<c>carebot status</c>). Times are UTC, from the TimeProvider.</summary>
public sealed class WorkerActivity(TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastPoll;
    private DateTimeOffset? _lastAnswer;
    private (DateTimeOffset At, ReminderPlanResult Result)? _reminders;
    private (DateTimeOffset At, WeeklyPlanResult Result)? _weekly;

    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>A getUpdates round came back.</summary>
    public void Polled()
    {
        lock (_gate)
        {
            _lastPoll = time.GetUtcNow();
            _lastAnswer = _lastPoll;
        }
    }

    /// <summary>
    /// The Bot API answered a call (a result, or an error of its own such as 400, 403 or 429): it is reachable. Time-outs,
    /// refused connections and 5xx are not answers.
    /// </summary>
    public void ApiAnswered()
    {
        lock (_gate)
        {
            _lastAnswer = time.GetUtcNow();
        }
    }

    /// <summary>When the Bot API last answered; null before its first answer.</summary>
    public DateTimeOffset? LastApiAnswer
    {
        get
        {
            lock (_gate)
            {
                return _lastAnswer;
            }
        }
    }

    public void RemindersRan(ReminderPlanResult result)
    {
        lock (_gate)
        {
            _reminders = (time.GetUtcNow(), result);
        }
    }

    public void WeeklyUpdatesRan(WeeklyPlanResult result)
    {
        lock (_gate)
        {
            _weekly = (time.GetUtcNow(), result);
        }
    }

    public (DateTimeOffset? LastPoll, (DateTimeOffset At, ReminderPlanResult Result)? Reminders, (DateTimeOffset At, WeeklyPlanResult Result)? Weekly) Snapshot()
    {
        lock (_gate)
        {
            return (_lastPoll, _reminders, _weekly);
        }
    }
}

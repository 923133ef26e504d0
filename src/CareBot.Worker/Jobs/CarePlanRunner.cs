using CareBot.Core;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>What the start-up catch-up did: null where it had nothing to catch up.</summary>
public sealed record CatchUpResult(ReminderPlanResult? Reminders, WeeklyPlanResult? WeeklyUpdates);

/// <summary>
/// Runs the Core planners with the current settings, one run at a time (the jobs and the start-up catch-up share
/// it, so they never insert the same keys concurrently). Every planner is idempotent by outbox key.
/// </summary>
public sealed class CarePlanRunner(
    CareDb db,
    OutboxStore outbox,
    CareClock clock,
    IOptionsMonitor<CareOptions> options,
    IOptionsMonitor<ScheduleOptions> schedules,
    WorkerActivity activity,
    ILoggerFactory loggers,
    IPlanSlots? slots = null)
{
    private readonly Lock _gate = new();

    /// <summary>The reminder run of the fire time <paramref name="slot"/>: once across a cluster (null when another node did it), else always.</summary>
    public ReminderPlanResult? RunReminders(DateTimeOffset slot, CancellationToken cancellationToken) =>
        Once<ReminderPlanResult>("reminders", slot, RunReminders, cancellationToken);

    /// <summary>The weekly updates of the fire time <paramref name="slot"/> (its week): once across a cluster (null when another node did it), else always.</summary>
    public WeeklyPlanResult? RunWeeklyUpdates(DateTimeOffset slot, CancellationToken cancellationToken) =>
        Once("weekly", slot, () => RunWeeklyUpdates(clock.ToLocalDate(slot.UtcDateTime)), cancellationToken);

    private T? Once<T>(string job, DateTimeOffset slot, Func<T> run, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        return slots is null ? run() : slots.RunOnce(job, slot, run, cancellationToken);
    }

    /// <summary>
    /// Today's reminders and escalations, the activity-room duty reminders (<see cref="DutyPlanner"/>), and the
    /// pre-update nudge when the next weekly update (from the WeeklyUpdates cron) is tomorrow.
    /// </summary>
    public ReminderPlanResult RunReminders()
    {
        lock (_gate)
        {
            var current = options.CurrentValue;
            var planner = new ReminderPlanner(db, outbox, clock, current, loggers.CreateLogger<ReminderPlanner>());
            var result = planner.Plan();
            // Parents who said they will come to tomorrow's meeting are reminded (bulk: after their quiet hours).
            Core.Meetings.MeetingPlanner.PlanReminders(db, outbox, clock);
            new DutyPlanner(db, outbox, clock, current, loggers.CreateLogger<DutyPlanner>()).Plan();
            if (InZone(schedules.CurrentValue.WeeklyUpdatesCron).GetNextValidTimeAfter(clock.Time.GetUtcNow()) is { } nextWeekly)
            {
                planner.PlanNudges(clock.ToLocalDate(nextWeekly.UtcDateTime));
            }

            // Daily house-keeping: finished messages older than OutboxKeepDays go (keys the planners could still
            // ask about are days old, never weeks).
            outbox.PruneFinished(clock.UtcNow.AddDays(-current.OutboxKeepDays));
            activity.RemindersRan(result);
            return result;
        }
    }

    /// <summary>
    /// Unacknowledged concerns alerted again (<see cref="Core.Safeguarding.AlertPlanner"/>). Not behind the planners' gate:
    /// a county's reminder run must not hold up an alert; its keys are its own.
    /// </summary>
    public int RunSafeguarding() =>
        new Core.Safeguarding.AlertPlanner(db, options.CurrentValue, clock.Time, loggers.CreateLogger<Core.Safeguarding.AlertPlanner>()).Plan();

    /// <summary>The weekly updates of the ISO week holding <paramref name="anyDateInWeek"/>.</summary>
    public WeeklyPlanResult RunWeeklyUpdates(DateOnly anyDateInWeek)
    {
        lock (_gate)
        {
            // The planner takes its own short turns on the database, slice by slice, so chat goes on meanwhile.
            var result = new WeeklyUpdatePlanner(db, outbox, loggers.CreateLogger<WeeklyUpdatePlanner>()).Plan(anyDateInWeek);
            activity.WeeklyUpdatesRan(result);
            return result;
        }
    }

    /// <summary>
    /// At start-up: the reminders, if today's reminder time has passed (a restart after 08:00 re-plans, idempotently;
    /// one before 08:00 leaves it to the trigger, so nobody is reminded at 03:00); and the weekly updates of the most
    /// recent WeeklyUpdates fire time if it lies within CatchUpDays days before now (the week of that fire time), so a
    /// Sunday 19:00 run missed while the worker was down is caught up on Monday, once.
    /// </summary>
    public CatchUpResult CatchUp(CancellationToken cancellationToken = default)
    {
        var current = options.CurrentValue;
        var schedule = schedules.CurrentValue;
        var now = clock.Time.GetUtcNow();

        ReminderPlanResult? reminders = null;
        if (LastFire(schedule.VisitRemindersCron, now, TimeSpan.FromDays(1)) is { } lastReminder
            && clock.ToLocalDate(lastReminder.UtcDateTime) == clock.Today)
        {
            reminders = RunReminders(lastReminder, cancellationToken);
        }

        WeeklyPlanResult? weekly = null;
        if (current.CatchUpDays > 0
            && LastFire(schedule.WeeklyUpdatesCron, now, TimeSpan.FromDays(current.CatchUpDays)) is { } lastWeekly)
        {
            weekly = RunWeeklyUpdates(lastWeekly, cancellationToken);
        }

        return new CatchUpResult(reminders, weekly);
    }

    /// <summary>The latest fire time of <paramref name="cron"/> in [now - window, now], or null.</summary>
    internal DateTimeOffset? LastFire(CronExpression? cron, DateTimeOffset now, TimeSpan window) =>
        InZone(cron).GetPreviousValidTimeBefore(now.AddTicks(1)) is { } last && last >= now - window ? last : null;

    /// <summary>A parsed schedule (validated at start and at every edit) resolved in the school's time zone.</summary>
    private CronExpression InZone(CronExpression? cron) => cron!.WithTimeZone(clock.Zone);
}

using System.ComponentModel.DataAnnotations;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>
/// The <c>CareBot:Schedules</c> section: the Quartz cron expressions of the two jobs, in <c>CareBot:TimeZone</c>. Each
/// is parsed here, once, when bound; the triggers, the catch-up and the reminder job's nudge read the parsed
/// expression. A parsed value is null only when its text is invalid, which validation refuses.
/// </summary>
public sealed class ScheduleOptions
{
    public const string Section = "CareBot:Schedules";

    public const string DefaultVisitReminders = "0 0 8 * * ?";
    public const string DefaultWeeklyUpdates = "0 0 19 ? * SUN";

    private string _visitReminders = "";
    private string _weeklyUpdates = "";

    public ScheduleOptions()
    {
        VisitReminders = DefaultVisitReminders;
        WeeklyUpdates = DefaultWeeklyUpdates;
    }

    /// <summary>Daily reminders, escalations and nudges (default 08:00).</summary>
    [Required]
    public string VisitReminders
    {
        get => _visitReminders;
        set
        {
            _visitReminders = value;
            VisitRemindersCron = Parse(value);
        }
    }

    /// <summary><see cref="VisitReminders"/>, parsed (no time zone: combine with the clock's).</summary>
    public CronExpression? VisitRemindersCron { get; private set; }

    /// <summary>The parents' weekly updates (default Sundays at 19:00).</summary>
    [Required]
    public string WeeklyUpdates
    {
        get => _weeklyUpdates;
        set
        {
            _weeklyUpdates = value;
            WeeklyUpdatesCron = Parse(value);
        }
    }

    /// <summary><see cref="WeeklyUpdates"/>, parsed (no time zone: combine with the clock's).</summary>
    public CronExpression? WeeklyUpdatesCron { get; private set; }

    private static CronExpression? Parse(string? text) =>
        CronExpression.TryParse(text?.Trim(), out var cron) ? cron : null;
}

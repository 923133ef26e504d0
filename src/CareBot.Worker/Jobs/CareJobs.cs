using CareBot.Core;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Wires the scheduled jobs: Quartz with cron triggers in the school's time zone, start-up catch-up, hot reload.</summary>
public static class CareJobs
{
    public const string Group = "carebot";

    public const string VisitRemindersSetting = ScheduleOptions.Section + ":" + nameof(ScheduleOptions.VisitReminders);
    public const string WeeklyUpdatesSetting = ScheduleOptions.Section + ":" + nameof(ScheduleOptions.WeeklyUpdates);

    public static readonly TriggerKey VisitRemindersTrigger = new("visit-reminders", Group);
    public static readonly TriggerKey WeeklyUpdatesTrigger = new("weekly-updates", Group);
    public static readonly TriggerKey SafeguardingTrigger = new("safeguarding-alerts", Group);

    /// <summary>
    /// Registers <see cref="VisitReminderJob"/> and <see cref="WeeklyUpdateJob"/> on the parsed cron expressions of
    /// <see cref="ScheduleOptions"/> in the clock's zone (<c>CareBot:TimeZone</c>), the start-up <see cref="CatchUpJob"/>,
    /// the Quartz hosted service (waits for running jobs on shutdown) and the <see cref="ScheduleReloader"/>. Quartz
    /// uses the container's <see cref="TimeProvider"/>. Expects the settings (<c>AddCareSettings</c>), CareDb,
    /// TimeProvider, CareClock and OutboxStore in the container; a bad cron or time zone has stopped start-up before.
    /// </summary>
    public static IServiceCollection AddCareJobs(this IServiceCollection services)
    {
        services.TryAddSingleton<WorkerActivity>();
        services.AddSingleton<CarePlanRunner>();
        services.AddScoped<VisitReminderJob>();
        services.AddScoped<WeeklyUpdateJob>();
        services.AddScoped<CatchUpJob>();
        services.AddScoped<SafeguardingJob>();

        services.AddQuartz(q =>
        {
            q.AddJob<VisitReminderJob>(j => j.WithIdentity(VisitReminderJob.Key).StoreDurably());
            q.AddTrigger((sp, t) => t.ForJob(VisitReminderJob.Key).WithIdentity(VisitRemindersTrigger).WithSchedule(Schedule(sp, s => s.VisitRemindersCron)));
            q.AddJob<WeeklyUpdateJob>(j => j.WithIdentity(WeeklyUpdateJob.Key).StoreDurably());
            q.AddTrigger((sp, t) => t.ForJob(WeeklyUpdateJob.Key).WithIdentity(WeeklyUpdatesTrigger).WithSchedule(Schedule(sp, s => s.WeeklyUpdatesCron)));
            q.AddJob<CatchUpJob>(j => j.WithIdentity(CatchUpJob.Key).StoreDurably());
            q.RunAtStartup(CatchUpJob.Key);
            // Unacknowledged concerns are alerted again: every few minutes, from start-up (a repeat missed while the
            // worker was down goes out at once, one round, not one per missed run).
            q.AddJob<SafeguardingJob>(j => j.WithIdentity(SafeguardingJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(SafeguardingJob.Key).WithIdentity(SafeguardingTrigger).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(SafeguardingJob.Interval).RepeatForever()));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        services.AddSingleton<ScheduleReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleReloader>());
        return services;
    }

    /// <summary>A cron schedule resolved in <paramref name="zone"/>.</summary>
    internal static CronScheduleBuilder Schedule(CronExpression cron, TimeZoneInfo zone) => CronScheduleBuilder.Create(cron.WithTimeZone(zone));

    private static CronScheduleBuilder Schedule(IServiceProvider services, Func<ScheduleOptions, CronExpression?> cron) =>
        Schedule(
            cron(services.GetRequiredService<IOptionsMonitor<ScheduleOptions>>().CurrentValue)!, // validated at start
            services.GetRequiredService<CareClock>().Zone);
}

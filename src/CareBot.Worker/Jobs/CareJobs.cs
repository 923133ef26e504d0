using CareBot.Worker.Hosting;
using CareBot.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CareBot.Worker.Jobs;

/// <summary>Wires the scheduled jobs: Quartz with cron triggers in the school's time zone, start-up catch-up, hot reload.</summary>
public static class CareJobs
{
    public const string Group = "carebot";

    public const string VisitRemindersSetting = "CareBot:Schedules:VisitReminders";
    public const string WeeklyUpdatesSetting = "CareBot:Schedules:WeeklyUpdates";
    public const string TimeZoneSetting = "CareBot:TimeZone";

    public static readonly TriggerKey VisitRemindersTrigger = new("visit-reminders", Group);
    public static readonly TriggerKey WeeklyUpdatesTrigger = new("weekly-updates", Group);

    /// <summary>
    /// Registers <see cref="VisitReminderJob"/> and <see cref="WeeklyUpdateJob"/> on the cron schedules of
    /// <c>CareBot:Schedules:*</c> in the <c>CareBot:TimeZone</c> zone, the start-up <see cref="CatchUpJob"/>, the Quartz
    /// hosted service (waits for running jobs on shutdown) and the <see cref="ScheduleReloader"/>. Quartz uses the
    /// container's <see cref="TimeProvider"/>. Expects CareDb, TimeProvider, CareClock, OutboxStore and
    /// IOptionsMonitor&lt;CareOptions&gt; in the container. A bad cron or time zone throws
    /// <see cref="ConfigurationErrorException"/> naming the setting (exit code 2).
    /// </summary>
    public static IServiceCollection AddCareJobs(this IServiceCollection services, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new ScheduleOptions();
        var reminders = Setting(config, VisitRemindersSetting, defaults.VisitReminders);
        var weekly = Setting(config, WeeklyUpdatesSetting, defaults.WeeklyUpdates);
        var zone = Zone(config[TimeZoneSetting] ?? new CareOptions().TimeZone);

        services.AddSingleton<CarePlanRunner>();
        services.AddScoped<VisitReminderJob>();
        services.AddScoped<WeeklyUpdateJob>();
        services.AddScoped<CatchUpJob>();

        services.AddQuartz(q =>
        {
            q.AddJob<VisitReminderJob>(j => j.WithIdentity(VisitReminderJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(VisitReminderJob.Key).WithIdentity(VisitRemindersTrigger).WithSchedule(Schedule(reminders, zone)));
            q.AddJob<WeeklyUpdateJob>(j => j.WithIdentity(WeeklyUpdateJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(WeeklyUpdateJob.Key).WithIdentity(WeeklyUpdatesTrigger).WithSchedule(Schedule(weekly, zone)));
            q.AddJob<CatchUpJob>(j => j.WithIdentity(CatchUpJob.Key).StoreDurably());
            q.RunAtStartup(CatchUpJob.Key);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        services.AddSingleton<ScheduleReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleReloader>());
        return services;
    }

    internal static CronScheduleBuilder Schedule(string cron, TimeZoneInfo zone) => CronScheduleBuilder.Create(cron).InTimeZone(zone);

    private static string Setting(IConfiguration config, string key, string fallback)
    {
        var value = config[key];
        var cron = string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
        if (!CronExpression.TryParse(cron, out _))
        {
            throw new ConfigurationErrorException($"{key}: '{cron}' is not a valid Quartz cron expression (e.g. \"{fallback}\").");
        }

        return cron;
    }

    private static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ConfigurationErrorException($"{TimeZoneSetting}: '{id}' is not a known time zone (use an IANA id such as Asia/Shanghai).", ex);
        }
    }
}

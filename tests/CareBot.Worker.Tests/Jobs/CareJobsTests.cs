using CareBot.Core.Model;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace CareBot.Worker.Tests.Jobs;

public class CareJobsTests
{
    [Fact]
    public async Task Jobs_are_registered_with_their_cron_and_the_school_time_zone()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 25, 10), new() { ["CareBot:Schedules:WeeklyUpdates"] = "0 30 18 ? * SAT" });
        var scheduler = await w.Scheduler();

        var reminders = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(CareJobs.VisitRemindersTrigger));
        Assert.Equal("0 0 8 * * ?", reminders.CronExpressionString);
        Assert.Equal("Asia/Shanghai", reminders.TimeZone.Id);
        Assert.Equal(VisitReminderJob.Key, reminders.JobKey);

        var weekly = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(CareJobs.WeeklyUpdatesTrigger));
        Assert.Equal("0 30 18 ? * SAT", weekly.CronExpressionString);
        Assert.Equal("Asia/Shanghai", weekly.TimeZone.Id);
        Assert.Equal(WeeklyUpdateJob.Key, weekly.JobKey);
        var next = weekly.GetFireTimeAfter(JobsWorld.Local(2026, 11, 25, 10))!.Value.ToOffset(JobsWorld.Shanghai);
        Assert.Equal(JobsWorld.Local(2026, 11, 28, 18, 30), next);

        Assert.NotNull(await scheduler.GetJobDetail(CatchUpJob.Key));
        using var scope = w.Provider.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<VisitReminderJob>());
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<WeeklyUpdateJob>());
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<CatchUpJob>());
        Assert.Contains(w.Provider.GetServices<IHostedService>(), s => s is ScheduleReloader);
        Assert.Contains(w.Provider.GetServices<IHostedService>(), s => s is QuartzHostedService);
    }

    [Fact]
    public async Task Running_a_job_twice_adds_no_second_row()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 29, 19));
        w.School();
        using var scope = w.Provider.CreateScope();

        var weekly = scope.ServiceProvider.GetRequiredService<WeeklyUpdateJob>();
        weekly.Run(w.Time.GetUtcNow());
        weekly.Run(w.Time.GetUtcNow());
        var reminders = scope.ServiceProvider.GetRequiredService<VisitReminderJob>();
        reminders.Run();
        reminders.Run();

        Assert.Equal("weekly:2:S1:2026-W48", Assert.Single(w.Rows(OutboxKind.WeeklyUpdate)).Key);
        Assert.Equal("remind:1:2026-11-29", Assert.Single(w.Rows(OutboxKind.Reminder)).Key);
    }

    [Fact]
    public async Task Weekly_job_plans_the_week_of_its_scheduled_fire_time_even_when_it_runs_after_midnight()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 30, 0, 10)); // Monday 00:10, fire was Sunday 23:59
        w.School();
        using var scope = w.Provider.CreateScope();

        scope.ServiceProvider.GetRequiredService<WeeklyUpdateJob>().Run(JobsWorld.Local(2026, 11, 29, 23, 59));

        Assert.Equal("2026-W48", Assert.Single(w.Rows(OutboxKind.WeeklyUpdate)).Week);
    }

    [Fact]
    public async Task Reminder_job_nudges_on_the_day_before_the_weekly_update()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 27, 8)); // Friday: no nudge
        w.School();
        var runner = w.Get<CarePlanRunner>();

        runner.RunReminders();
        Assert.Empty(w.Rows(OutboxKind.Nudge));

        w.Time.SetUtcNow(JobsWorld.Local(2026, 11, 28, 8).ToUniversalTime()); // Saturday, the update is Sunday 19:00
        runner.RunReminders();
        runner.RunReminders();
        Assert.Equal("nudge:1:2026-W48", Assert.Single(w.Rows(OutboxKind.Nudge)).Key);
    }

    [Fact]
    public async Task Start_up_on_Monday_morning_catches_up_the_missed_Sunday_update_once()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 30, 8)); // down since Sunday noon
        w.School();
        var runner = w.Get<CarePlanRunner>();

        var first = runner.CatchUp();
        var second = runner.CatchUp();

        Assert.Equal("2026-W48", first.WeeklyUpdates?.Week);
        Assert.Equal(1, first.WeeklyUpdates?.Added);
        Assert.Equal(0, second.WeeklyUpdates?.Added);
        Assert.Equal("weekly:2:S1:2026-W48", Assert.Single(w.Rows(OutboxKind.WeeklyUpdate)).Key);
        Assert.NotNull(first.Reminders); // 08:00 has come: today's reminder is planned
    }

    [Fact]
    public async Task Start_up_on_Wednesday_is_outside_the_catch_up_window()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 12, 2, 7, 30)); // Sunday 19:00 was 2.5 days ago
        w.School();

        var result = w.Get<CarePlanRunner>().CatchUp();

        Assert.Null(result.WeeklyUpdates);
        Assert.Null(result.Reminders); // before 08:00: left to the trigger
        Assert.Empty(w.Rows(OutboxKind.WeeklyUpdate));
        Assert.Empty(w.Rows(OutboxKind.Reminder));
    }

    [Fact]
    public async Task Catch_up_window_follows_CatchUpDays()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 12, 2, 9), new() { ["CareBot:CatchUpDays"] = "3" });
        w.School();

        var result = w.Get<CarePlanRunner>().CatchUp();

        Assert.Equal("2026-W48", result.WeeklyUpdates?.Week);
    }

    [Fact]
    public async Task Changing_the_cron_in_configuration_reschedules_the_trigger()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 25, 10));
        var scheduler = await w.Scheduler();
        var reloader = w.Get<ScheduleReloader>();
        await reloader.StartAsync(CancellationToken.None);
        var from = JobsWorld.Local(2026, 11, 25, 10);
        var before = (await scheduler.GetTrigger(CareJobs.WeeklyUpdatesTrigger))!.GetFireTimeAfter(from);

        w.Config["CareBot:Schedules:WeeklyUpdates"] = "0 0 18 ? * SAT";
        w.Config.Reload();
        await reloader.LastApply;

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(CareJobs.WeeklyUpdatesTrigger));
        Assert.Equal("0 0 18 ? * SAT", trigger.CronExpressionString);
        Assert.Equal("Asia/Shanghai", trigger.TimeZone.Id);
        Assert.Equal(JobsWorld.Local(2026, 11, 29, 19), before!.Value.ToOffset(JobsWorld.Shanghai));
        Assert.Equal(JobsWorld.Local(2026, 11, 28, 18), trigger.GetFireTimeAfter(from)!.Value.ToOffset(JobsWorld.Shanghai));
        Assert.NotNull(trigger.NextFireTimeUtc);
        Assert.Equal(DayOfWeek.Saturday, trigger.NextFireTimeUtc!.Value.ToOffset(JobsWorld.Shanghai).DayOfWeek);
        Assert.Equal("0 0 8 * * ?", ((ICronTrigger)(await scheduler.GetTrigger(CareJobs.VisitRemindersTrigger))!).CronExpressionString);
        await reloader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_invalid_new_cron_is_logged_and_the_old_one_kept()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 25, 10));
        var scheduler = await w.Scheduler();
        var reloader = w.Get<ScheduleReloader>();
        await reloader.StartAsync(CancellationToken.None);

        w.Config["CareBot:Schedules:VisitReminders"] = "at eight";
        w.Config.Reload();
        await reloader.LastApply;

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(CareJobs.VisitRemindersTrigger));
        Assert.Equal("0 0 8 * * ?", trigger.CronExpressionString);
        await reloader.StopAsync(CancellationToken.None);
    }
}

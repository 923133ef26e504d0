using CareBot.Tests.Shared;
using System.Text.Json;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>
/// Editing the settings file of a running worker: a bad cron or time zone is refused by key and the old schedule stays,
/// the jobs keep running on the last good settings, and a later good edit applies.
/// </summary>
// Alone: a host's log sinks are Serilog's static logger, which a host started by a test beside it would take over.
[Collection(CareBot.Worker.Tests.Reliability.ReliabilityCollection.Name)]
public sealed class HotReloadTests
{
    // Monday 2026-11-23 07:00 in Asia/Shanghai: before the 08:00 reminders, so the start-up catch-up plans none.
    private static readonly DateTimeOffset Monday0700 = new(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// Replaces the file whole (written beside it, then renamed over it), as most editors save: the watcher never reads
    /// a half-written file, which under load made this test see an edit that was never made.
    /// </summary>
    private static void WriteSettings(string path, string timeZone, string reminders, string weekly)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new
        {
            CareBot = new { TimeZone = timeZone, Schedules = new { VisitReminders = reminders, WeeklyUpdates = weekly } },
        }));
        File.Move(temp, path, overwrite: true);
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} did not happen within 20 s (last: {value})");
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_bad_edit_keeps_the_last_good_schedule_and_the_jobs_running_and_a_good_edit_applies()
    {
        await using var kit = await E2eKit.StartAsync(Monday0700);
        var mentors = 0;
        kit.Seed(2, db =>
        {
            foreach (var mentor in db.Read(tx => tx.People.FindAll().Where(p => p.Roles.HasFlag(Roles.Mentor)).ToList()))
            {
                mentor.Chat = TelegramChats.At(70_000 + mentor.Id);
                mentor.Status = Reachability.Reachable;
                db.Write(tx => tx.People.Update(mentor));
                kit.Server.AddUser(mentor.TelegramId!.Value, mentor.Name);
                mentors++;
            }
        });
        var file = Path.Combine(kit.Folder, "settings.json");
        var log = Path.Combine(kit.Folder, "worker.log");
        WriteSettings(file, "Asia/Shanghai", "0 0 8 * * ?", "0 0 19 ? * SUN");
        await kit.StartWorkerAsync(
            new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Information",
                ["Serilog:WriteTo:9:Name"] = "File",
                ["Serilog:WriteTo:9:Args:path"] = log,
            },
            b => b.Configuration.AddJsonFile(file, optional: false, reloadOnChange: true));
        var services = kit.Host!.Services;
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var care = (LastGoodOptionsMonitor<CareOptions>)services.GetRequiredService<IOptionsMonitor<CareOptions>>();
        var schedules = (LastGoodOptionsMonitor<ScheduleOptions>)services.GetRequiredService<IOptionsMonitor<ScheduleOptions>>();
        async Task<ICronTrigger> Trigger(TriggerKey key) => (ICronTrigger)(await scheduler.GetTrigger(key))!;
        Assert.Equal("0 0 8 * * ?", (await Trigger(CareJobs.VisitRemindersTrigger)).CronExpressionString);

        // A bad cron and a bad time zone in one edit.
        var (careReloads, scheduleReloads) = (care.Reloads, schedules.Reloads);
        WriteSettings(file, "Asia/Atlantis", "every morning at eight", "0 0 19 ? * SUN");
        // Wait for the edit's verdict rather than for any reload.
        await Eventually(
            () => Task.FromResult(care.Reloads > careReloads && schedules.Reloads > scheduleReloads && care.RejectedKeys == "CareBot:TimeZone" && schedules.RejectedKeys == "CareBot:Schedules:VisitReminders"),
            x => x,
            "the edit being looked at and refused");
        var reminders = await Trigger(CareJobs.VisitRemindersTrigger);
        Assert.Equal("0 0 8 * * ?", reminders.CronExpressionString);
        Assert.Equal("Asia/Shanghai", reminders.TimeZone.Id);
        Assert.Equal("Asia/Shanghai", services.GetRequiredService<CareBot.Core.Time.CareClock>().Zone.Id);

        // The jobs still run, on the last good settings: the reminder job plans the mentors' reminders.
        await scheduler.TriggerJob(VisitReminderJob.Key);
        var planned = await Eventually(() => Task.FromResult(Reminders(kit)), n => n > 0, "reminders after the bad edit");
        Assert.Equal(mentors, planned);
        Assert.Equal(2, mentors);

        // A later good edit applies: new cron and new zone.
        WriteSettings(file, "Asia/Urumqi", "0 30 7 * * ?", "0 0 18 ? * SAT");
        await Eventually(() => Trigger(CareJobs.VisitRemindersTrigger), t => t.CronExpressionString == "0 30 7 * * ?" && t.TimeZone.Id == "Asia/Urumqi", "the good edit");
        await Eventually(() => Trigger(CareJobs.WeeklyUpdatesTrigger), t => t.CronExpressionString == "0 0 18 ? * SAT" && t.TimeZone.Id == "Asia/Urumqi", "the weekly schedule");
        Assert.Null(care.RejectedKeys);
        Assert.Null(schedules.RejectedKeys);
        Assert.Equal("Asia/Urumqi", services.GetRequiredService<CareBot.Core.Time.CareClock>().Zone.Id);

        await kit.StopWorkerAsync();
        // The file sink may hand its last lines to the disk a moment after the host is gone.
        var logged = await Eventually(() => File.ReadAllTextAsync(log), t => t.Contains("CareBot:TimeZone", StringComparison.Ordinal), "the refused setting in the log");
        Assert.Contains("CareBot:TimeZone", logged, StringComparison.Ordinal);
        Assert.Contains("CareBot:Schedules:VisitReminders", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("Asia/Atlantis", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("every morning", logged, StringComparison.Ordinal);
    }

    private static int Reminders(E2eKit kit)
    {
        var count = 0;
        kit.WithDb(db => count = db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.Reminder)));
        return count;
    }
}

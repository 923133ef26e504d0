using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace CareBot.Worker.Tests.Jobs;

/// <summary>The daily reminder job (08:00) also reminds the teacher on activity-room duty that day, once.</summary>
public sealed class DutyJobTests
{
    [Fact]
    public async Task The_daily_reminder_job_reminds_the_teacher_on_duty_once_a_day()
    {
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 23, 8)); // Monday
        w.School();
        w.Db.Write(tx => tx.DutyTurns.Insert(new DutyTurn { SchoolId = "default", Weekday = DayOfWeek.Monday, Slot = DutySlot.AfterSchool, TeacherId = 1 }));
        using var scope = w.Provider.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<VisitReminderJob>();

        job.Run();
        job.Run();
        w.Time.Advance(TimeSpan.FromDays(1)); // Tuesday: nobody on duty
        job.Run();

        var row = Assert.Single(w.Rows(OutboxKind.Duty));
        Assert.Equal(("duty:1:2026-11-23", 101L), (row.Key, row.TelegramId));
        Assert.Equal("🧹 今天（11月23日 周一）轮到你在活动室值日：放学后。\n值日表：/duty", row.Text);
    }
}

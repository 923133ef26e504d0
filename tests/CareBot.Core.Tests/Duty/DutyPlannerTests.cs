using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Duty;

/// <summary>The morning duty reminder across a week of a fake clock: who gets it, once a day, with swaps applied.</summary>
public sealed class DutyPlannerTests
{
    private static DutyPlanner Planner(DutyKit kit) => new(kit.Chat.Db, kit.Chat.Outbox, kit.Chat.Clock, kit.Chat.Options);

    private static void At(DutyKit kit, DateOnly date, int hour = 9) =>
        kit.Chat.Time.SetUtcNow(new DateTimeOffset(date.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.FromHours(8)));

    private static List<OutboxMessage> DutyRows(DutyKit kit) =>
        kit.Chat.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Duty).OrderBy(o => o.Id).ToList());

    /// <summary>Runs the planner each morning (09:00, when the kit's clock starts) of the week of <see cref="DutyKit.Monday"/> (plus <paramref name="extraDays"/>) and returns, per day, who got a reminder.</summary>
    private static Dictionary<DateOnly, List<(long Chat, string Text)>> RunWeek(DutyKit kit, int extraDays = 0)
    {
        var byDay = new Dictionary<DateOnly, List<(long, string)>>();
        for (var day = DutyKit.Monday; day < DutyKit.Monday.AddDays(7 + extraDays); day = day.AddDays(1))
        {
            At(kit, day);
            var before = DutyRows(kit).Count;
            Planner(kit).Plan();
            byDay[day] = DutyRows(kit).Skip(before).Select(o => (o.TelegramId, o.Text)).ToList();
        }

        return byDay;
    }

    [Fact]
    public void Each_morning_the_teachers_on_duty_that_day_are_reminded_and_nobody_else()
    {
        using var kit = new DutyKit();
        kit.Rota(
            (DayOfWeek.Monday, DutySlot.Noon, kit.Wang),
            (DayOfWeek.Monday, DutySlot.AfterSchool, kit.Li),
            (DayOfWeek.Wednesday, DutySlot.Noon, kit.Zhao),
            (DayOfWeek.Wednesday, DutySlot.AfterSchool, kit.Zhao),
            (DayOfWeek.Friday, DutySlot.AfterSchool, kit.Wang));

        var week = RunWeek(kit);

        Assert.Equal(
            [(DutyKit.WangChat, "🧹 今天（11月23日 周一）轮到你在活动室值日：中午。\n值日表：/duty"), (DutyKit.LiChat, "🧹 今天（11月23日 周一）轮到你在活动室值日：放学后。\n值日表：/duty")],
            week[DutyKit.Monday]);
        Assert.Empty(week[DutyKit.Monday.AddDays(1)]);
        Assert.Equal([(DutyKit.ZhaoChat, "🧹 今天（11月25日 周三）轮到你在活动室值日：中午、放学后。\n值日表：/duty")], week[DutyKit.Monday.AddDays(2)]);
        Assert.Empty(week[DutyKit.Monday.AddDays(3)]);
        Assert.Equal([(DutyKit.WangChat, "🧹 今天（11月27日 周五）轮到你在活动室值日：放学后。\n值日表：/duty")], week[DutyKit.Monday.AddDays(4)]);
        Assert.Empty(week[DutyKit.Monday.AddDays(5)]);
        Assert.Empty(week[DutyKit.Monday.AddDays(6)]);

        var monday = DutyRows(kit)[0];
        Assert.Equal(($"duty:{kit.Wang.Id}:2026-11-23", kit.Wang.Id, OutboxPriority.Bulk, OutboxStatus.Pending), (monday.Key, monday.PersonId, monday.Priority, monday.Status));
    }

    [Fact]
    public void Running_again_the_same_day_adds_nothing()
    {
        using var kit = new DutyKit();
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Wang), (DayOfWeek.Monday, DutySlot.AfterSchool, kit.Wang));
        At(kit, DutyKit.Monday);
        Assert.Equal(1, Planner(kit).Plan());

        At(kit, DutyKit.Monday, hour: 13);
        Planner(kit).Plan(); // a restart at noon re-plans
        Planner(kit).Plan();

        var row = Assert.Single(DutyRows(kit));
        Assert.Equal($"duty:{kit.Wang.Id}:2026-11-23", row.Key);
        Assert.Contains("中午、放学后", row.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_accepted_swap_changes_the_reminder_on_its_two_dates_only()
    {
        using var kit = new DutyKit();
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Wang), (DayOfWeek.Thursday, DutySlot.AfterSchool, kit.Li));
        Swap(kit, kit.Wang, DutyKit.Monday, DutySlot.Noon, kit.Li, DutyKit.Monday.AddDays(3), DutySlot.AfterSchool, DutySwapStatus.Accepted);
        Swap(kit, kit.Wang, DutyKit.Monday.AddDays(7), DutySlot.Noon, kit.Li, DutyKit.Monday.AddDays(10), DutySlot.AfterSchool, DutySwapStatus.Declined);

        var days = RunWeek(kit, extraDays: 7);

        Assert.Equal([DutyKit.LiChat], days[DutyKit.Monday].Select(d => d.Chat));
        Assert.Contains("中午", days[DutyKit.Monday][0].Text, StringComparison.Ordinal);
        Assert.Equal([DutyKit.WangChat], days[DutyKit.Monday.AddDays(3)].Select(d => d.Chat));
        Assert.Contains("放学后", days[DutyKit.Monday.AddDays(3)][0].Text, StringComparison.Ordinal);
        // The next week (with only a declined swap) is the rota as imported.
        Assert.Equal([DutyKit.WangChat], days[DutyKit.Monday.AddDays(7)].Select(d => d.Chat));
        Assert.Equal([DutyKit.LiChat], days[DutyKit.Monday.AddDays(10)].Select(d => d.Chat));
        Assert.Equal(4, DutyRows(kit).Count);
    }

    [Fact]
    public void A_swap_whose_turn_a_new_rota_gives_to_someone_else_is_undone_on_both_dates()
    {
        using var kit = new DutyKit();
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Wang), (DayOfWeek.Thursday, DutySlot.AfterSchool, kit.Li));
        Swap(kit, kit.Wang, DutyKit.Monday, DutySlot.Noon, kit.Li, DutyKit.Monday.AddDays(3), DutySlot.AfterSchool, DutySwapStatus.Accepted);
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Zhao), (DayOfWeek.Thursday, DutySlot.AfterSchool, kit.Li));

        var days = RunWeek(kit);

        Assert.Equal([DutyKit.ZhaoChat], days[DutyKit.Monday].Select(d => d.Chat));
        Assert.Equal([DutyKit.LiChat], days[DutyKit.Monday.AddDays(3)].Select(d => d.Chat));
    }

    [Fact]
    public void A_teacher_who_cannot_be_reached_gets_nothing_and_the_school_is_named_where_there_are_several()
    {
        using var kit = new DutyKit(lang: "en", twoSchools: true);
        var unlinked = kit.Chat.AddPerson("钱老师", "13800000009", Roles.Mentor, null);
        kit.Chat.AddSchoolChild("a", "109", "小芳", unlinked);
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Wang), (DayOfWeek.Monday, DutySlot.AfterSchool, unlinked));
        kit.RotaOf("b", (DayOfWeek.Monday, DutySlot.AfterSchool, kit.Ma));
        At(kit, DutyKit.Monday);

        Assert.Equal(2, Planner(kit).Plan());

        Assert.Equal(
            [
                (DutyKit.WangChat, "🧹 You are on activity-room duty today (Mon 11/23): noon.\nSchool: A小学\nRota: /duty"),
                (DutyKit.MaChat, "🧹 You are on activity-room duty today (Mon 11/23): after school.\nSchool: B小学\nRota: /duty"),
            ],
            DutyRows(kit).Select(o => (o.TelegramId, o.Text)));
    }

    internal static DutySwap Swap(DutyKit kit, Person proposer, DateOnly proposerDate, DutySlot proposerSlot, Person other, DateOnly otherDate, DutySlot otherSlot, DutySwapStatus status)
    {
        var swap = new DutySwap
        {
            SchoolId = kit.School,
            ProposerId = proposer.Id,
            ProposerDate = proposerDate,
            ProposerSlot = proposerSlot,
            OtherId = other.Id,
            OtherDate = otherDate,
            OtherSlot = otherSlot,
            Status = status,
            ProposedUtc = kit.Chat.Clock.UtcNow,
            AnsweredUtc = kit.Chat.Clock.UtcNow,
        };
        kit.Chat.Db.Write(tx => tx.DutySwaps.Insert(swap));
        return swap;
    }
}

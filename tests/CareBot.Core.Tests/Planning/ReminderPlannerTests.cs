using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Planning;

public class ReminderPlannerTests
{
    /// <summary>The provider this suite runs on; <see cref="ReminderPlannerTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    [Fact]
    public void One_reminder_per_carer_per_day_even_if_planned_three_times()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23, 8), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        w.Pair(mentor, w.Child("S1", "小明"), new DateOnly(2026, 11, 23));

        var planner = w.Reminders();
        planner.Plan();
        w.SetLocal(PlanningWorld.Local(2026, 11, 23, 12));
        planner.Plan();
        planner.Plan();

        var rows = w.Rows(OutboxKind.Reminder);
        var row = Assert.Single(rows);
        Assert.Equal("remind:1:2026-11-23", row.Key);
        Assert.Equal(OutboxPriority.Bulk, row.Priority);
        Assert.Contains("小明", row.Text);
        Assert.Contains("还没有家访过", row.Text);

        // The next morning nothing is new and nothing is due for repeating (CareBot:Care:RemindEveryDays): no message.
        w.SetLocal(PlanningWorld.Local(2026, 11, 24, 8));
        planner.Plan();
        Assert.Single(w.Rows(OutboxKind.Reminder));
    }

    [Fact]
    public void Reminder_lists_every_due_child_with_a_visited_button_each_and_a_snooze()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var a = w.Child("S1", "小明");
        var b = w.Child("S2", "小红");
        var c = w.Child("S3", "小刚");
        w.Pair(mentor, a, new DateOnly(2026, 10, 1));
        w.Pair(mentor, b, new DateOnly(2026, 10, 1));
        w.Pair(mentor, c, new DateOnly(2026, 10, 1));
        w.Record(a, mentor, CareKind.Visit, new DateOnly(2026, 11, 1)); // visit overdue by 8
        w.Record(a, mentor, CareKind.Talk, new DateOnly(2026, 11, 22)); // talk fine
        w.Record(b, mentor, CareKind.Visit, new DateOnly(2026, 11, 20)); // visit fine
        w.Record(b, mentor, CareKind.Talk, new DateOnly(2026, 11, 17)); // talk due on the 24th
        w.Record(c, mentor, CareKind.Visit, new DateOnly(2026, 11, 20));
        w.Record(c, mentor, CareKind.Talk, new DateOnly(2026, 11, 22)); // nothing due
        foreach (var child in new[] { a, b, c })
        {
            w.Record(child, mentor, CareKind.Call, new DateOnly(2026, 11, 22)); // paired 10-01: a call would be due too
        }

        w.Reminders().Plan();

        var row = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Contains("小明", row.Text);
        Assert.Contains("家访已逾期 8 天", row.Text);
        Assert.Contains("小红", row.Text);
        Assert.Contains("谈心应在 11月24日 前完成", row.Text);
        Assert.DoesNotContain("小刚", row.Text);
        Assert.Null(row.ChildId);
        Assert.Null(row.ReplyAs);
        Assert.Equal(["visited:S1", "snooze:2026-11-23"], row.Buttons.Select(x => x.Data));
        Assert.Equal("✅ 小明 今天已家访", row.Buttons[0].Text);
    }

    [Fact]
    public void Reminder_for_one_child_carries_the_child_and_what_a_reply_logs()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var mentor = w.Person("Ms Wang", Roles.Volunteer, lang: "en");
        var a = w.Child("S1", "Ming");
        w.Pair(mentor, a, new DateOnly(2026, 10, 1), PairingRole.Volunteer);
        w.Record(a, mentor, CareKind.Visit, new DateOnly(2026, 11, 20));
        w.Record(a, mentor, CareKind.Talk, new DateOnly(2026, 11, 10));

        w.Reminders().Plan();

        var row = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Equal("S1", row.ChildId);
        Assert.Equal(CareKind.Talk, row.ReplyAs);
        Assert.Contains("talk overdue by 6 days", row.Text);
        Assert.Equal(["snooze:2026-11-23"], row.Buttons.Select(x => x.Data));
        Assert.Equal("⏰ Remind me tomorrow", row.Buttons[0].Text);
    }

    [Fact]
    public void Unlinked_or_blocked_carers_get_no_reminder()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var unlinked = w.Person("甲", Roles.Mentor, linked: false);
        var blocked = w.Person("乙", Roles.Mentor, status: Reachability.Blocked);
        w.Pair(unlinked, w.Child("S1", "小明"), new DateOnly(2026, 11, 1));
        w.Pair(blocked, w.Child("S2", "小红"), new DateOnly(2026, 11, 1));

        w.Reminders().Plan();

        Assert.Empty(w.Rows(OutboxKind.Reminder));
    }

    [Fact]
    public void Escalation_after_EscalateAfterDays_goes_to_each_admin_once_per_week_per_child()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store); // Monday, W48
        var admin = w.Person("校长", Roles.Admin);
        var admin2 = w.Person("Office", Roles.Admin, lang: "en");
        w.Person("未链接的管理员", Roles.Admin, linked: false);
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 11, 23));
        var planner = w.Reminders();

        // Day 7 overdue: not yet (more than EscalateAfterDays = 7 is needed).
        w.SetLocal(PlanningWorld.Local(2026, 11, 30));
        planner.Plan();
        Assert.Empty(w.Rows(OutboxKind.Escalation));

        w.SetLocal(PlanningWorld.Local(2026, 12, 1)); // overdue 8 days, W49
        planner.Plan();
        w.SetLocal(PlanningWorld.Local(2026, 12, 2));
        planner.Plan();
        w.SetLocal(PlanningWorld.Local(2026, 12, 6)); // Sunday, still W49
        planner.Plan();

        var rows = w.Rows(OutboxKind.Escalation);
        Assert.Equal(2, rows.Count);
        Assert.Equal($"escalate:S1:2026-W49:{admin.Id}", rows[0].Key);
        Assert.Contains("小明", rows[0].Text);
        Assert.Contains("王老师", rows[0].Text);
        Assert.Contains("家访已逾期 8 天", rows[0].Text);
        Assert.Equal($"escalate:S1:2026-W49:{admin2.Id}", rows[1].Key);
        Assert.Contains("home visit overdue by 8 days", rows[1].Text);

        w.SetLocal(PlanningWorld.Local(2026, 12, 7)); // Monday, W50: told again
        planner.Plan();
        Assert.Equal(4, w.Rows(OutboxKind.Escalation).Count);
    }

    [Fact]
    public void Nudge_on_the_day_before_the_weekly_update_lists_children_with_nothing_this_week()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 27), Store); // Friday
        var mentor = w.Person("王老师", Roles.Mentor);
        var quiet = w.Child("S1", "小明");
        var busy = w.Child("S2", "小红");
        w.Pair(mentor, quiet, new DateOnly(2026, 10, 1));
        w.Pair(mentor, busy, new DateOnly(2026, 10, 1));
        w.Record(busy, mentor, CareKind.Diary, new DateOnly(2026, 11, 24), "日记");
        w.Record(quiet, mentor, CareKind.Visit, new DateOnly(2026, 11, 22), "上周日家访"); // last week
        var weeklyDate = new DateOnly(2026, 11, 29); // Sunday
        var planner = w.Reminders();

        Assert.Equal(0, planner.PlanNudges(weeklyDate)); // Friday: not the day before

        w.SetLocal(PlanningWorld.Local(2026, 11, 28, 8)); // Saturday
        Assert.Equal(1, planner.PlanNudges(weeklyDate));
        w.SetLocal(PlanningWorld.Local(2026, 11, 28, 20));
        planner.PlanNudges(weeklyDate);

        var row = Assert.Single(w.Rows(OutboxKind.Nudge));
        Assert.Equal($"nudge:{mentor.Id}:2026-W48", row.Key);
        Assert.Contains("小明", row.Text);
        Assert.DoesNotContain("小红", row.Text);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class ReminderPlannerTestsOnPostgres : ReminderPlannerTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

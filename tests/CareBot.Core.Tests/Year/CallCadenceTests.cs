using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Tests.Planning;

namespace CareBot.Core.Tests.Year;

/// <summary>CareBot:Care:CallParentsEveryDays: a due or overdue phone talk is a line of the mentor's daily reminder.</summary>
public sealed class CallCadenceTests
{
    private static (PlanningWorld World, Person Mentor, Child Child) World(int callEveryDays = 30)
    {
        var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 1));
        w.Options.Care.VisitEveryDays = 365;
        w.Options.Care.TalkEveryDays = 365;
        w.Options.Care.CallParentsEveryDays = callEveryDays;
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 11, 1));
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 1));
        w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 1));
        return (w, mentor, child);
    }

    [Fact]
    public void A_child_never_called_is_due_the_cadence_after_pairing_and_the_line_is_planned_once_a_day()
    {
        var (w, _, _) = World();
        using var _w = w;

        w.SetLocal(PlanningWorld.Local(2026, 11, 28));
        w.Reminders().Plan();
        Assert.Empty(w.Rows(OutboxKind.Reminder)); // due on 12-01: three days ahead is not yet due

        w.SetLocal(PlanningWorld.Local(2026, 11, 29));
        w.Reminders().Plan();
        w.Reminders().Plan();
        var row = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Contains("小明", row.Text);
        Assert.Contains("还没有电话访问记录", row.Text);
        Assert.Equal(CareKind.Call, row.ReplyAs);
    }

    [Fact]
    public void An_overdue_call_says_by_how_many_days_and_a_recorded_call_clears_it()
    {
        var (w, mentor, child) = World(callEveryDays: 10);
        using var _w = w;
        w.Record(child, mentor, CareKind.Call, new DateOnly(2026, 11, 2));

        w.SetLocal(PlanningWorld.Local(2026, 11, 15));
        w.Reminders().Plan();
        var row = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Contains("电话访问已逾期 3 天", row.Text);

        w.Record(child, mentor, CareKind.Call, new DateOnly(2026, 11, 15));
        w.SetLocal(PlanningWorld.Local(2026, 11, 16));
        w.Reminders().Plan();
        Assert.Single(w.Rows(OutboxKind.Reminder)); // nothing new on the 16th
    }

    [Fact]
    public void Calls_are_not_escalated_to_admins()
    {
        var (w, _, _) = World(callEveryDays: 1);
        using var _w = w;
        w.Person("刘校长", Roles.Admin);
        w.SetLocal(PlanningWorld.Local(2026, 11, 30));
        var result = w.Reminders().Plan();
        Assert.Equal(1, result.Reminders);
        Assert.Equal(0, result.Escalations);
    }

    [Fact]
    public void The_setting_is_validated_within_1_to_365()
    {
        var care = new CadenceOptions();
        Assert.Equal(30, care.CallParentsEveryDays);
        var property = typeof(CadenceOptions).GetProperty(nameof(CadenceOptions.CallParentsEveryDays))!;
        var range = (System.ComponentModel.DataAnnotations.RangeAttribute)Attribute.GetCustomAttribute(property, typeof(System.ComponentModel.DataAnnotations.RangeAttribute))!;
        Assert.Equal(1, range.Minimum);
        Assert.Equal(365, range.Maximum);
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Planning;

public class CareStatusCalculatorTests
{
    /// <summary>The provider this suite runs on; <see cref="CareStatusCalculatorTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    [Fact]
    public void Never_visited_child_is_due_at_once_and_overdue_counts_from_the_pairing()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 11, 23));
        var calc = new CareStatusCalculator(w.Db, w.Clock, w.Options);

        var s = calc.ForChildren(w.Clock.Today, ["S1"])["S1"];
        Assert.Null(s.LastVisit);
        Assert.Equal(new DateOnly(2026, 11, 23), s.NextVisitDue);
        Assert.True(s.VisitDue);
        Assert.Equal(0, s.DaysOverdue);

        w.SetLocal(PlanningWorld.Local(2026, 11, 30));
        s = calc.ForChildren(w.Clock.Today, ["S1"])["S1"];
        Assert.Equal(7, s.VisitOverdueDays);
    }

    [Fact]
    public void Visit_and_talk_become_due_two_days_ahead_and_overdue_after_the_cadence()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 2), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 10, 1));
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 2), "家访");
        w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 2), "谈心");
        w.Record(child, mentor, CareKind.Call, new DateOnly(2026, 11, 2), "电话"); // paired 10-01: a call is due too otherwise
        var calc = new CareStatusCalculator(w.Db, w.Clock, w.Options);

        var pairings = w.Db.Read(tx => tx.Pairings.FindAll().ToList());
        var s = calc.ForAllPaired(w.Clock.Today, pairings)["S1"];
        Assert.False(s.AnythingDue);
        Assert.Equal(new DateOnly(2026, 11, 16), s.NextVisitDue);
        Assert.Equal(new DateOnly(2026, 11, 9), s.NextTalkDue);

        w.SetLocal(PlanningWorld.Local(2026, 11, 7)); // talk due on the 9th: within 2 days
        s = calc.ForAllPaired(w.Clock.Today, pairings)["S1"];
        Assert.True(s.TalkDue);
        Assert.False(s.VisitDue);
        Assert.False(s.Overdue);

        w.SetLocal(PlanningWorld.Local(2026, 11, 20));
        s = calc.ForAllPaired(w.Clock.Today, pairings)["S1"];
        Assert.Equal(4, s.VisitOverdueDays);
        Assert.Equal(11, s.TalkOverdueDays);
        Assert.Equal(11, s.DaysOverdue);
    }

    [Fact]
    public void A_visit_long_ago_is_found_outside_the_recent_window()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 1, 1));
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 6, 1));
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 9, 1));
        w.Record(child, mentor, CareKind.Diary, new DateOnly(2026, 11, 20));

        var s = new CareStatusCalculator(w.Db, w.Clock, w.Options).ForAllPaired(w.Clock.Today, w.Db.Read(tx => tx.Pairings.FindAll().ToList()))["S1"];
        Assert.Equal(new DateOnly(2026, 9, 1), s.LastVisit);
        Assert.Null(s.LastTalk);
        Assert.Equal(new DateOnly(2026, 11, 23).DayNumber - new DateOnly(2026, 9, 15).DayNumber, s.VisitOverdueDays);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class CareStatusCalculatorTestsOnPostgres : CareStatusCalculatorTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

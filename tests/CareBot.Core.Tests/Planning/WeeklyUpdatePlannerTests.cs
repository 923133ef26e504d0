using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Time;

namespace CareBot.Core.Tests.Planning;

public class WeeklyUpdatePlannerTests
{
    /// <summary>The provider this suite runs on; <see cref="WeeklyUpdatePlannerTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private (PlanningWorld World, Person Mentor, Person Father, Person Mother, Child Child) School(DateTimeOffset localNow)
    {
        var w = new PlanningWorld(localNow, Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var father = w.Person("李爸爸", Roles.Parent);
        var mother = w.Person("Mum", Roles.Parent, lang: "en");
        var child = w.Child("S1", "小明", father, mother);
        w.Pair(mentor, child, new DateOnly(2026, 9, 1));
        return (w, mentor, father, mother, child);
    }

    [Fact]
    public void Weekly_update_is_planned_once_per_parent_per_child_per_week()
    {
        var (w, _, father, mother, _) = School(PlanningWorld.Local(2026, 11, 29, 19));
        using var _w = w;

        var first = w.Weekly().Plan(w.Clock.Today);
        var second = w.Weekly().Plan(w.Clock.Today);

        Assert.Equal(new WeeklyPlanResult("2026-W48", 2, 2), first);
        Assert.Equal(new WeeklyPlanResult("2026-W48", 2, 0), second);
        var rows = w.Rows(OutboxKind.WeeklyUpdate);
        Assert.Equal([$"weekly:{father.Id}:S1:2026-W48", $"weekly:{mother.Id}:S1:2026-W48"], rows.Select(r => r.Key));
        Assert.All(rows, r =>
        {
            Assert.Equal("S1", r.ChildId);
            Assert.Equal("2026-W48", r.Week);
            Assert.Equal(OutboxPriority.Bulk, r.Priority);
        });
    }

    [Fact]
    public void A_run_cut_short_or_rows_from_before_the_weeks_marker_are_completed_without_doubles()
    {
        var (w, _, father, _, _) = School(PlanningWorld.Local(2026, 11, 29, 19));
        using var _w = w;
        w.Weekly().Plan(w.Clock.Today);

        // A run cut short: the marker stays, a row is missing.
        w.Db.Write(tx => tx.Outbox.DeleteMany(o => o.PersonId == father.Id));
        Assert.Equal(new WeeklyPlanResult("2026-W48", 2, 1), w.Weekly().Plan(w.Clock.Today));

        // Rows without the marker (a database from before markers): the fast path meets an existing key, falls
        // back to checking every key, and adds only what is missing.
        w.Db.Write(tx => tx.State.Delete("weekly.planned:2026-W48"));
        w.Db.Write(tx => tx.Outbox.DeleteMany(o => o.PersonId == father.Id));
        Assert.Equal(new WeeklyPlanResult("2026-W48", 2, 1), w.Weekly().Plan(w.Clock.Today));
        Assert.Equal(2, w.Rows(OutboxKind.WeeklyUpdate).Count);
    }

    [Fact]
    public void Content_has_the_weeks_visit_note_diary_checkin_change_mentor_and_how_to_reply()
    {
        var (w, mentor, _, _, child) = School(PlanningWorld.Local(2026, 11, 29, 19));
        using var _w = w;
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 16), "上上周的家访");
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 24), "奶奶身体好多了，作业按时完成");
        w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 26), "聊了想妈妈的事");
        w.Record(child, mentor, CareKind.Diary, new DateOnly(2026, 11, 27), "运动会跑了第二名");
        w.Record(child, mentor, CareKind.Check, new DateOnly(2026, 11, 10), ratings: new Ratings { Study = 3, Life = 3, Mood = 2, Safety = 5, Health = 4 });
        w.Record(child, mentor, CareKind.Check, new DateOnly(2026, 11, 27), ratings: new Ratings { Study = 4, Life = 3, Mood = 3, Safety = 4, Health = 4 });
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 30), "下周的家访");

        w.Weekly().Plan(w.Clock.Today);

        var rows = w.Rows(OutboxKind.WeeklyUpdate);
        var zh = rows[0].Text;
        Assert.Contains("小明 本周情况（11月23日–11月29日）", zh);
        Assert.Contains("11月24日周二 王老师：奶奶身体好多了，作业按时完成", zh);
        Assert.Contains("聊了想妈妈的事", zh);
        Assert.Contains("运动会跑了第二名", zh);
        Assert.Contains("学习 4↑ · 生活 3= · 心理 3↑ · 安全 4↓ · 健康 4=", zh);
        Assert.Contains("结对老师：王老师", zh);
        Assert.Contains("直接回复这条消息即可给老师留言", zh);
        Assert.DoesNotContain("上上周", zh);
        Assert.DoesNotContain("下周的家访", zh);

        var en = rows[1].Text;
        Assert.Contains("study 4↑ · daily life 3= · mood 3↑ · safety 4↓ · health 4=", en);
        Assert.Contains("reply to this message to write to the teacher", en, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Mentor: 王老师", en);
    }

    [Fact]
    public void A_week_with_nothing_recorded_says_so()
    {
        var (w, _, _, _, _) = School(PlanningWorld.Local(2026, 11, 29, 19));
        using var _w = w;

        w.Weekly().Plan(w.Clock.Today);

        var rows = w.Rows(OutboxKind.WeeklyUpdate);
        Assert.Contains("本周没有新的记录", rows[0].Text);
        Assert.Contains("Nothing was recorded this week", rows[1].Text);
    }

    [Fact]
    public void Paused_blocked_and_unlinked_parents_get_nothing()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 29, 19), Store);
        var paused = w.Person("停", Roles.Parent, paused: true);
        var blocked = w.Person("封", Roles.Parent, status: Reachability.Blocked);
        var unlinked = w.Person("未", Roles.Parent, linked: false);
        var ok = w.Person("好", Roles.Parent);
        w.Child("S1", "小明", paused, blocked);
        w.Child("S2", "小红", unlinked, ok);

        var result = w.Weekly().Plan(w.Clock.Today);

        Assert.Equal(1, result.Planned);
        var row = Assert.Single(w.Rows(OutboxKind.WeeklyUpdate));
        Assert.Equal(ok.Id, row.PersonId);
        Assert.Equal("S2", row.ChildId);
    }

    [Fact]
    public void Catch_up_on_Monday_adds_last_weeks_update_once()
    {
        var (w, mentor, _, _, child) = School(PlanningWorld.Local(2026, 11, 30, 8)); // Monday after a missed Sunday
        using var _w = w;
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 25), "周三家访");
        var lastWeek = w.Clock.Today.AddDays(-1);

        var first = w.Weekly().Plan(lastWeek);
        var again = w.Weekly().Plan(lastWeek);

        Assert.Equal(2, first.Added);
        Assert.Equal(0, again.Added);
        Assert.All(w.Rows(OutboxKind.WeeklyUpdate), r => Assert.EndsWith(":2026-W48", r.Key, StringComparison.Ordinal));
        Assert.Contains("周三家访", w.Rows(OutboxKind.WeeklyUpdate)[0].Text);
    }

    [Fact]
    public void Week_53_gets_its_own_key()
    {
        var (w, _, father, _, _) = School(PlanningWorld.Local(2026, 12, 31, 19));
        using var _w = w;

        var result = w.Weekly().Plan(w.Clock.Today);

        Assert.Equal("2026-W53", result.Week);
        Assert.Contains(w.Rows(OutboxKind.WeeklyUpdate), r => r.Key == $"weekly:{father.Id}:S1:2026-W53");
        Assert.Equal("2026-W53", CareClock.IsoWeek(new DateOnly(2027, 1, 3)));
        Assert.Equal("2027-W01", CareClock.IsoWeek(new DateOnly(2027, 1, 4)));
    }

    [Fact]
    public void Shanghai_week_boundary_follows_local_time_not_utc()
    {
        var (w, _, father, _, _) = School(PlanningWorld.Local(2026, 11, 29, 23, 30)); // Sunday 23:30 local
        using var _w = w;

        w.Weekly().Plan(w.Clock.Today);
        Assert.Equal("2026-W48", w.Rows(OutboxKind.WeeklyUpdate)[0].Week);

        w.SetLocal(PlanningWorld.Local(2026, 11, 30, 0, 30)); // Monday 00:30 local = Sunday 16:30 UTC
        Assert.Equal(DayOfWeek.Sunday, w.Time.GetUtcNow().DayOfWeek);
        w.Weekly().Plan(w.Clock.Today);

        Assert.Contains(w.Rows(OutboxKind.WeeklyUpdate), r => r.Key == $"weekly:{father.Id}:S1:2026-W49");
    }

    [Fact]
    public void Check_ins_older_than_the_look_back_are_not_shown()
    {
        var (w, mentor, _, _, child) = School(PlanningWorld.Local(2026, 11, 29, 19));
        using var _w = w;
        w.Record(child, mentor, CareKind.Check, new DateOnly(2026, 9, 1), ratings: new Ratings { Study = 1, Life = 1, Mood = 1, Safety = 1, Health = 1 });
        w.Record(child, mentor, CareKind.Check, new DateOnly(2026, 11, 2), ratings: new Ratings { Study = 2, Life = 3, Mood = 4, Safety = 5, Health = 2 });

        w.Weekly().Plan(w.Clock.Today);

        var zh = w.Rows(OutboxKind.WeeklyUpdate)[0].Text;
        Assert.Contains("最近一次情况评估（11月2日）", zh);
        Assert.Contains("学习 2 · 生活 3 · 心理 4 · 安全 5 · 健康 2", zh);
        Assert.Contains("没有可比较的上次评估", zh);
    }

    [Fact]
    public void Inserts_in_batches_and_plans_many_children()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 29, 19), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        for (var i = 0; i < 1200; i++)
        {
            var parent = w.Person($"家长{i}", Roles.Parent);
            var child = w.Child($"C{i}", $"孩子{i}", parent);
            w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 25), "谈心");
        }

        var result = new WeeklyUpdatePlanner(w.Db, w.Outbox) { BatchSize = 100 }.Plan(w.Clock.Today);

        Assert.Equal(1200, result.Added);
        Assert.Equal(1200, w.Db.Read(tx => tx.Outbox.Count()));
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class WeeklyUpdatePlannerTestsOnPostgres : WeeklyUpdatePlannerTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Summary;
using CareBot.Core.Tests.Planning;

namespace CareBot.Core.Tests.Cadence;

/// <summary>
/// Parents who cannot be reached: /call CHILD 未接通 (unanswered) records a call that did not get through; the next try
/// is due 3 days later; 3 in a row tell the admins of the child's school, once per run of failures.
/// </summary>
public sealed class UnansweredCallTests
{
    private const long CountyChat = 703;

    private static ChatTestKit County()
    {
        var kit = AccessWorld.Create();
        kit.Options.Admins.Add(new AdminEntry { Name = "县教育局", Phone = "13600000009" });
        kit.AddPerson("县教育局", "13600000009", Roles.Admin, CountyChat, "zh");
        return kit;
    }

    private static List<string> Unanswered(ChatTestKit kit, string note = "")
    {
        kit.Time.Advance(TimeSpan.FromDays(1));
        return kit.Send(kit.Text(AccessWorld.MentorChat, ("/call Xiaohong unanswered " + note).Trim()));
    }

    private static List<OutboxMessage> Alerts(ChatTestKit kit) => kit.Db.Read(tx => tx.Outbox.Find(o => o.Key.StartsWith("unreached:")).OrderBy(o => o.Id).ToList());

    [Fact]
    public void An_unanswered_call_is_no_phone_talk_and_the_next_try_is_due_in_3_days()
    {
        using var kit = County();
        kit.Send(kit.Text(AccessWorld.MentorChat, "/call Xiaohong talked with grandma"));
        var answeredOn = kit.Clock.Today;

        var reply = Assert.Single(Unanswered(kit, "grandma did not pick up"));

        Assert.Equal($"📵 Saved: the call to Xiaohong's family did not get through ({kit.Clock.Today.ToString("MMM d", System.Globalization.CultureInfo.InvariantCulture)}). You will be reminded to try again in 3 days.", reply);
        var record = kit.Db.Read(tx => tx.Records.FindOne(r => r.Kind == CareKind.UnansweredCall));
        Assert.Equal(("grandma did not pick up", "a/101"), (record.Text, record.ChildId));
        foreach (var status in new[]
        {
            new CareStatusCalculator(kit.Db, kit.Clock, kit.Options).ForChildren(kit.Clock.Today, ["a/101"])["a/101"],
            new CareStatusCalculator(kit.Db, kit.Clock, kit.Options).ForAllPaired(kit.Clock.Today, kit.Db.Read(tx => tx.Pairings.FindAll().ToList()))["a/101"],
        })
        {
            Assert.Equal(answeredOn, status.LastCall);
            Assert.Equal(kit.Clock.Today.AddDays(3), status.NextCallDue);
            Assert.True(status.CallRetry);
        }

        // A call that gets through: the usual cadence again.
        kit.Send(kit.Text(AccessWorld.MentorChat, "/call Xiaohong 通了"));
        var after = new CareStatusCalculator(kit.Db, kit.Clock, kit.Options).ForChildren(kit.Clock.Today, ["a/101"])["a/101"];
        Assert.Equal(kit.Clock.Today.AddDays(kit.Options.Care.CallParentsEveryDays), after.NextCallDue);
        Assert.False(after.CallRetry);
    }

    [Fact]
    public void The_retry_is_a_line_of_the_reminder_when_it_is_due()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 20));
        w.Options.Care.VisitEveryDays = 365;
        w.Options.Care.TalkEveryDays = 365;
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 11, 1));
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 19));
        w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 19));
        w.Record(child, mentor, CareKind.Call, new DateOnly(2026, 11, 19));
        w.Reminders().Plan();
        Assert.Empty(w.Rows(OutboxKind.Reminder)); // a call on the 19th: the next is a month away

        w.Record(child, mentor, CareKind.UnansweredCall, new DateOnly(2026, 11, 20));
        w.Reminders().Plan();
        Assert.Empty(w.Rows(OutboxKind.Reminder)); // the retry is due on the 23rd: not yet within two days

        w.SetLocal(PlanningWorld.Local(2026, 11, 21));
        w.Reminders().Plan();
        var row = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Contains("上次电话（11月20日）没有打通，请再打一次", row.Text, StringComparison.Ordinal);
        Assert.Equal(CareKind.Call, row.ReplyAs);
    }

    [Fact]
    public void Three_in_a_row_tell_the_schools_and_the_county_admins_once_and_a_call_that_got_through_starts_again()
    {
        using var kit = County();

        Unanswered(kit);
        Unanswered(kit);
        Assert.Empty(Alerts(kit));
        var third = Unanswered(kit);

        Assert.Contains("3 calls in a row did not get through: the school's admins have been told.", Assert.Single(third), StringComparison.Ordinal);
        var alerts = Alerts(kit);
        Assert.Equal([AccessWorld.AdminChat, CountyChat], alerts.Select(a => a.TelegramId));  // not Head Ma of school b
        Assert.Equal("📵 Cannot reach the parents: 3 calls in a row to the family of Xiaohong (child id A小学 101) did not get through. Paired with: Mentor Wang", alerts[0].Text.Split('\n')[0]);
        Assert.StartsWith("📵 联系不上父母：Xiaohong（学号 A小学 101）的家长已连续 3 次电话没有打通。", alerts[1].Text, StringComparison.Ordinal);
        Assert.All(alerts, a => Assert.Equal(("a/101", OutboxKind.Escalation), (a.ChildId, a.Kind)));
        Assert.Single(kit.Db.Read(tx => tx.Audit.Find(a => a.Action == "call.unreached_told").ToList()));

        // A fourth and fifth failure tell nobody again.
        Assert.DoesNotContain("admins", Assert.Single(Unanswered(kit)), StringComparison.Ordinal);
        Unanswered(kit);
        Assert.Equal(2, Alerts(kit).Count);

        // A call that gets through ends the run; three more failures are a new run, told again.
        kit.Send(kit.Text(AccessWorld.MentorChat, "/call Xiaohong reached the father at last"));
        Unanswered(kit);
        Unanswered(kit);
        Assert.Equal(2, Alerts(kit).Count);
        Unanswered(kit);
        Assert.Equal([AccessWorld.AdminChat, CountyChat, AccessWorld.AdminChat, CountyChat], Alerts(kit).Select(a => a.TelegramId));
    }

    [Fact]
    public void Another_schools_child_tells_that_schools_admin_only()
    {
        using var kit = County();
        for (var i = 0; i < 3; i++)
        {
            kit.Time.Advance(TimeSpan.FromDays(1));
            kit.Send(kit.Text(AccessWorld.OtherMentorChat, "/call Xiaojun 未接通 没人接"));
        }

        Assert.Equal([AccessWorld.OtherAdminChat, CountyChat], Alerts(kit).Select(a => a.TelegramId));
    }

    [Fact]
    public void The_term_summary_lists_the_families_whose_last_three_or_more_calls_did_not_get_through()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 12, 31));
        var mentor = w.Person("王老师", Roles.Mentor);
        var u = CareKind.UnansweredCall;
        var c = CareKind.Call;
        var calls = new (string Id, string Name, CareKind[] Calls)[]
        {
            ("S1", "小明", [u, u, u, u]),
            ("S2", "小红", [u, u, c, u, u, u]),
            ("S3", "小刚", [u, u, u, c]),
            ("S4", "小华", [u, u]),
        };
        foreach (var (id, name, kinds) in calls)
        {
            var child = w.Child(id, name);
            w.Pair(mentor, child, new DateOnly(2026, 9, 1));
            for (var i = 0; i < kinds.Length; i++)
            {
                w.Record(child, mentor, kinds[i], new DateOnly(2026, 10, 1).AddDays(3 * i));
            }
        }

        var summary = new TermSummaryBuilder(w.Db, w.Clock).Build(new DateOnly(2026, 9, 1), new DateOnly(2026, 12, 31), "zh", 90);

        var section = summary.Sections.Single(s => s.Key == "unreached");
        Assert.Equal("联系不上的家庭", section.Title);
        Assert.Equal(("联系不上父母的孩子", 2m, "50%"), (section.Figures[0].Label, section.Figures[0].Value, section.Figures[0].Detail));
        var table = Assert.Single(section.Tables);
        Assert.Equal(["小明", "小红"], table.Rows.Select(r => (string)r[1]!));
        Assert.Equal([4, 3], table.Rows.Select(r => (int)r[4]!));
        Assert.Equal(new DateOnly(2026, 10, 16), table.Rows[1][5]);

        // A phone talk is counted once; the unanswered calls are not phone talks.
        Assert.Equal(2, summary.Sections.SelectMany(s => s.Figures).Single(f => f.Label == "电话访问（次）").Value);
    }
}

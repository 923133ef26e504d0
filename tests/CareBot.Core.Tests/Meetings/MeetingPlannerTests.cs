using CareBot.Core.Meetings;
using CareBot.Core.Model;
using CareBot.Core.Tests.Planning;

namespace CareBot.Core.Tests.Meetings;

/// <summary>
/// The meeting's part of the daily run, on a fake clock: the reminder the day before to the parents who will come
/// (once), and a "please call me" answer as a phone-talk line on the mentor's reminder until a call is logged.
/// </summary>
public sealed class MeetingPlannerTests : IDisposable
{
    private readonly PlanningWorld _w = new(PlanningWorld.Local(2027, 2, 1, 10));
    private readonly Person _mentor, _coming, _callMe, _notHome, _silent;
    private readonly Child _child, _other;

    public MeetingPlannerTests()
    {
        // Visits and talks are not due in these tests: only the meeting's lines are.
        _w.Options.Care.VisitEveryDays = 365;
        _w.Options.Care.TalkEveryDays = 365;
        _w.Options.Care.CallParentsEveryDays = 365;
        _mentor = _w.Person("王老师", Roles.Mentor);
        _coming = _w.Person("张父", Roles.Parent);
        _callMe = _w.Person("李母", Roles.Parent);
        _notHome = _w.Person("陈父", Roles.Parent);
        _silent = _w.Person("周母", Roles.Parent);
        _child = _w.Child("default/1", "小明", _coming, _callMe);
        _other = _w.Child("default/2", "小军", _notHome, _silent);
        foreach (var c in new[] { _child, _other })
        {
            _w.Pair(_mentor, c, new DateOnly(2027, 1, 1));
            _w.Record(c, _mentor, CareKind.Visit, new DateOnly(2027, 1, 31));
            _w.Record(c, _mentor, CareKind.Talk, new DateOnly(2027, 1, 31));
            _w.Record(c, _mentor, CareKind.Call, new DateOnly(2027, 1, 31));
        }

        var draft = new MeetingDraft(new DateOnly(2027, 2, 13), "09:30", "学校会议室", "寒假家长会", []);
        _w.Db.Write(tx => MeetingService.Announce(tx, draft, "default", "cli", _w.Clock.UtcNow, out _));
        Answer(_coming, MeetingAnswer.Attend);
        Answer(_callMe, MeetingAnswer.CallMe);
        Answer(_notHome, MeetingAnswer.NotHome);
    }

    public void Dispose() => _w.Dispose();

    private void Answer(Person parent, MeetingAnswer answer) => _w.Db.Write(tx =>
        MeetingService.Answer(tx, tx.Meetings.FindById(1), parent, answer, _w.Clock.Today, _w.Clock.UtcNow, $"person:{parent.Id}"));

    private List<OutboxMessage> MeetingRows() => _w.Rows(OutboxKind.Meeting).Where(r => r.Key.StartsWith("meeting-remind:", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Only_the_parents_who_will_come_are_reminded_and_only_the_day_before_and_once()
    {
        for (var day = 2; day <= 15; day++)
        {
            _w.SetLocal(PlanningWorld.Local(2027, 2, day));
            MeetingPlanner.PlanReminders(_w.Db, _w.Outbox, _w.Clock);
            MeetingPlanner.PlanReminders(_w.Db, _w.Outbox, _w.Clock); // a second run the same day adds nothing
            var rows = MeetingRows();
            if (day < 12)
            {
                Assert.Empty(rows);
            }
            else
            {
                var row = Assert.Single(rows);
                Assert.Equal(_coming.Id, row.PersonId);
                Assert.Equal(OutboxPriority.Bulk, row.Priority);
                Assert.Contains("明天开家长会：寒假家长会", row.Text);
                Assert.Contains("2月13日（周六）09:30", row.Text);
                Assert.Equal(_w.Clock.StartOfDayUtc(new DateOnly(2027, 2, 12)).AddHours(8), row.CreatedUtc);
            }
        }
    }

    [Fact]
    public void A_parent_who_changes_to_coming_the_day_before_is_reminded_in_the_next_run_of_that_day()
    {
        _w.SetLocal(PlanningWorld.Local(2027, 2, 12));
        MeetingPlanner.PlanReminders(_w.Db, _w.Outbox, _w.Clock);
        Answer(_silent, MeetingAnswer.Attend);
        MeetingPlanner.PlanReminders(_w.Db, _w.Outbox, _w.Clock);
        Assert.Equal([_coming.Id, _silent.Id], MeetingRows().Select(r => r.PersonId).Order());
    }

    [Fact]
    public void Call_me_is_a_line_on_the_mentors_next_reminder_until_a_call_is_logged()
    {
        _w.SetLocal(PlanningWorld.Local(2027, 2, 2));
        _w.Reminders().Plan();
        var row = Assert.Single(_w.Rows(OutboxKind.Reminder));
        Assert.Equal(_mentor.Id, row.PersonId);
        Assert.Contains("小明", row.Text);
        Assert.Contains("母亲 李母 不能来「寒假家长会」", row.Text);
        Assert.Contains(_callMe.Phone, row.Text);
        Assert.DoesNotContain("小军", row.Text); // "not home" and no answer are no call task
        Assert.Equal(CareKind.Call, row.ReplyAs); // a plain reply to it logs the call
        Assert.Equal(_child.Id, row.ChildId);

        // The mentor phones on the 2nd: from the 3rd on, no line.
        var call = _w.Record(_child, _mentor, CareKind.Call, new DateOnly(2027, 2, 2));
        Assert.True(call.AtUtc > _w.Db.Read(tx => tx.Meetings.FindById(1)).Replies.Single(r => r.ParentId == _callMe.Id).AtUtc);
        _w.SetLocal(PlanningWorld.Local(2027, 2, 3));
        _w.Reminders().Plan();
        Assert.Single(_w.Rows(OutboxKind.Reminder));
    }

    [Fact]
    public void A_call_logged_before_the_answer_does_not_close_it_and_an_old_request_expires()
    {
        // The call of 01-31 was before the answer of 02-01: still open on 02-05.
        _w.SetLocal(PlanningWorld.Local(2027, 2, 5));
        Assert.Single(_w.Db.Read(tx => MeetingPlanner.CallRequests(tx, _w.Clock.Today))[_child.Id]);

        var expiry = new DateOnly(2027, 2, 13).AddDays(MeetingPlanner.CallRequestDays + 1);
        Assert.Empty(_w.Db.Read(tx => MeetingPlanner.CallRequests(tx, expiry)));
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Meetings;
using CareBot.Core.Model;
using CareBot.Core.Protection;

namespace CareBot.Core.Tests.Meetings;

/// <summary>
/// Parents' meetings in chat: an admin announces, each linked parent of the children concerned gets one invitation
/// with three buttons, parents answer (the last press counts), mentors see their children's answers and mark who came.
/// </summary>
public sealed class MeetingChatTests : IDisposable
{
    private const long AdminChat = 700, MentorChat = 500, OtherMentorChat = 501, FatherChat = 600, MotherChat = 601, OtherParentChat = 602;

    private const string Announce = "/meeting --date 2026-11-28 --time 9:30 --place 学校会议室 --title 寒假家长会";

    private readonly ChatTestKit _kit = new();
    private readonly Person _father, _mother, _otherParent, _unlinked;

    public MeetingChatTests()
    {
        _kit.Options.Admins = [new AdminEntry { Name = "刘校长", Phone = "13600000001" }];
        _kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        var mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        var other = _kit.AddPerson("赵老师", "13800000002", Roles.Mentor, OtherMentorChat);
        _father = _kit.AddPerson("张大山", "13700000001", Roles.Parent, FatherChat);
        _mother = _kit.AddPerson("李小花", "13700000002", Roles.Parent, MotherChat);
        _otherParent = _kit.AddPerson("陈父", "13700000003", Roles.Parent, OtherParentChat);
        _unlinked = _kit.AddPerson("周母", "13700000004", Roles.Parent, null);
        _kit.AddChild("default/101", "小明", mentor, _father, _mother);
        _kit.AddChild("default/102", "小红", mentor, _father);
        var third = _kit.AddChild("default/201", "小军", other, _otherParent, _unlinked);
        third.Class = "四年级一班";
        _kit.Db.Write(tx => tx.Children.Update(third));
    }

    public void Dispose() => _kit.Dispose();

    private List<OutboxMessage> Invitations() => _kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Meeting).OrderBy(o => o.PersonId).ToList());

    private Meeting Meeting(int id = 1) => _kit.Db.Read(tx => tx.Meetings.FindById(id));

    [Fact]
    public void An_admin_announces_and_each_linked_parent_gets_one_invitation_with_the_three_answers()
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(AdminChat, Announce)));
        Assert.Contains("#1", reply);
        Assert.Contains("3 位家长会收到邀请", reply);
        Assert.Contains("1 位家长还没绑定", reply);

        var invitations = Invitations();
        Assert.Equal([_father.Id, _mother.Id, _otherParent.Id], invitations.Select(i => i.PersonId));
        Assert.All(invitations, i => Assert.Equal(OutboxPriority.Bulk, i.Priority));
        var father = invitations[0];
        Assert.Contains("寒假家长会", father.Text);
        Assert.Contains("11月28日（周六）09:30", father.Text);
        Assert.Contains("小明、小红", father.Text); // a parent of two children gets one invitation naming both
        Assert.Equal(["参加", "不能来，请老师打电话", "今年不回家"], father.Buttons.Select(b => b.Text));
        Assert.Equal(["rsvp:1:a", "rsvp:1:c", "rsvp:1:n"], father.Buttons.Select(b => b.Data));

        var meeting = Meeting();
        Assert.Equal(["default/101", "default/102", "default/201"], meeting.ChildIds);
        Assert.Equal(1, _kit.Db.Read(tx => tx.Audit.Count(a => a.Action == "meeting.announced")));
    }

    [Fact]
    public void Chinese_field_names_and_a_class_invite_only_that_class()
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/meeting 日期=2026-11-28 时间=14:00 地点=“四年级 教室” 标题=开学家长会 班级=四年级一班")));
        Assert.Contains("1 位家长会收到邀请", reply);
        var only = Assert.Single(Invitations());
        Assert.Equal(_otherParent.Id, only.PersonId);
        Assert.Contains("四年级 教室", only.Text);
        Assert.Equal(["四年级一班"], Meeting().Classes);
    }

    [Theory]
    [InlineData("/meeting --date 2026-13-01 --time 09:30 --place 会议室 --title 家长会", "日期不对")]
    [InlineData("/meeting --date 2026-11-20 --time 09:30 --place 会议室 --title 家长会", "今天或以后")]
    [InlineData("/meeting --date 2026-11-28 --time 9点半 --place 会议室 --title 家长会", "时间不对")]
    [InlineData("/meeting --date 2026-11-28 --time 09:30 --title 家长会", "地点")]
    [InlineData("/meeting --date 2026-11-28 --time 09:30 --place 会议室 --title 家长会 --class 九年级", "没有“九年级”")]
    [InlineData("/meeting --date 2026-11-28 --time 09:30 会议室", "看不懂“会议室”")]
    [InlineData("/meeting --date 2026-11-28 --date 2026-11-29 --time 09:30 --place 会议室 --title 家长会", "看不懂")]
    public void Bad_fields_get_a_short_answer_and_nothing_is_saved_or_sent(string text, string expected)
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(AdminChat, text)));
        Assert.Contains(expected, reply);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Meetings.Count()));
        Assert.Empty(Invitations());
    }

    [Fact]
    public void A_mentor_cannot_announce_and_a_parent_has_no_meeting_command()
    {
        Assert.Contains("由管理员通知", Assert.Single(_kit.Send(_kit.Text(MentorChat, Announce))));
        Assert.DoesNotContain(_kit.Send(_kit.Text(FatherChat, Announce)), t => t.Contains("已保存", StringComparison.Ordinal));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Meetings.Count()));
    }

    [Fact]
    public void A_parent_answers_with_a_button_and_the_last_press_counts()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));

        var replies = _kit.Send(_kit.Button(FatherChat, "rsvp:1:a"));
        Assert.Contains("您会参加「寒假家长会」", Assert.Single(replies));
        Assert.Equal(MeetingAnswer.Attend, Meeting().AnswerOf(_father.Id));

        _kit.Send(_kit.Button(FatherChat, "rsvp:1:c"));
        Assert.Equal(MeetingAnswer.CallMe, Meeting().AnswerOf(_father.Id));
        Assert.Single(Meeting().Replies);
        Assert.Equal(2, _kit.Db.Read(tx => tx.Audit.Count(a => a.Action == "meeting.answered")));
    }

    [Fact]
    public void Nobody_else_can_answer_for_a_parent_and_an_answer_after_the_meeting_is_refused()
    {
        _kit.Send(_kit.Text(AdminChat, "/meeting --date 2026-11-28 --time 09:30 --place 会议室 --title 家长会 --class 三年级二班"));

        _kit.Send(_kit.Button(OtherParentChat, "rsvp:1:a")); // not invited: this class is not their child's
        _kit.Send(_kit.Button(MentorChat, "rsvp:1:a"));
        _kit.Send(_kit.Button(FatherChat, "rsvp:1:x"));
        _kit.Send(_kit.Button(FatherChat, "rsvp:99:a"));
        Assert.Empty(Meeting().Replies);

        _kit.Time.Advance(TimeSpan.FromDays(6)); // 2026-11-29: the day after
        _kit.Send(_kit.Button(MotherChat, "rsvp:1:n"));
        Assert.Empty(Meeting().Replies);
    }

    [Fact]
    public void A_mentor_sees_only_their_own_childrens_answers()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        _kit.Send(_kit.Button(FatherChat, "rsvp:1:a"));
        _kit.Send(_kit.Button(OtherParentChat, "rsvp:1:n"));

        var list = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/meeting")));
        Assert.Contains("小明", list);
        Assert.Contains("父亲 张大山：参加", list);
        Assert.Contains("母亲 李小花：未回复", list);
        Assert.DoesNotContain("小军", list);
        Assert.DoesNotContain("陈父", list);

        var admin = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/meeting 1")));
        Assert.Contains("小军", admin);
        Assert.Contains("父亲 陈父：今年不回家", admin);
        Assert.Contains("周母：未绑定", admin);
        Assert.Contains("参加 1 · 请打电话 0 · 不回家 1 · 未回复 1 · 未绑定或屏蔽 1", admin);

        // A meeting of a class without any of their children is not theirs to read.
        _kit.Send(_kit.Text(AdminChat, Announce + " --class 三年级二班"));
        Assert.Contains("没有找到家长会 #2", Assert.Single(_kit.Send(_kit.Text(OtherMentorChat, "/meeting 2"))));
        Assert.Contains("陈父", Assert.Single(_kit.Send(_kit.Text(OtherMentorChat, "/meeting 1"))));
    }

    [Fact]
    public void After_the_meeting_the_mentor_marks_who_came_with_buttons()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        var before = _kit.Db.Read(tx => tx.Outbox.Count());
        _kit.Send(_kit.Text(MentorChat, "/meeting 1"));
        var early = _kit.Db.Read(tx => tx.Outbox.FindAll().Skip(before).Single());
        Assert.Empty(early.Buttons); // nothing to mark before the meeting
        Assert.Contains("还没开", _kit.Processor.Process(_kit.Button(MentorChat, "came:1:default/101"))!.CallbackText);

        _kit.Time.Advance(TimeSpan.FromDays(5)); // 2026-11-28, the meeting's day
        before = _kit.Db.Read(tx => tx.Outbox.Count());
        _kit.Send(_kit.Text(MentorChat, "/meeting 1"));
        var list = _kit.Db.Read(tx => tx.Outbox.FindAll().Skip(before).Single());
        Assert.Equal(["came:1:default/101", "came:1:default/102"], list.Buttons.Select(b => b.Data));

        _kit.Send(_kit.Button(MentorChat, "came:1:default/101"));
        Assert.Equal(["default/101"], Meeting().Attended);
        _kit.Send(_kit.Button(OtherMentorChat, "came:1:default/102")); // not their child
        _kit.Send(_kit.Button(FatherChat, "came:1:default/102"));
        Assert.Equal(["default/101"], Meeting().Attended);

        _kit.Send(_kit.Button(MentorChat, "came:1:default/101")); // pressed again: undone
        Assert.Empty(Meeting().Attended);
        Assert.Equal(1, _kit.Db.Read(tx => tx.Audit.Count(a => a.Action == "meeting.came_undone" && a.ChildId == "default/101")));
    }

    [Fact]
    public void A_parent_who_links_after_the_announcement_gets_the_invitation_then()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        Assert.DoesNotContain(Invitations(), i => i.PersonId == _unlinked.Id);

        var code = _kit.Invites.Issue([_unlinked], 14, "cli").Single().Code;
        _kit.Send(_kit.Text(603, "/start " + code));
        var late = Assert.Single(Invitations(), i => i.PersonId == _unlinked.Id);
        Assert.Equal(603, late.TelegramId);
        Assert.Contains("小军", late.Text);
        Assert.Contains(_unlinked.Id, Meeting().InvitedParentIds);

        _kit.Send(_kit.Button(603, "rsvp:1:c"));
        Assert.Equal(MeetingAnswer.CallMe, Meeting().AnswerOf(_unlinked.Id));
    }

    [Fact]
    public void The_same_meeting_announced_twice_invites_nobody_twice()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        var again = Assert.Single(_kit.Send(_kit.Text(AdminChat, Announce)));
        Assert.Contains("已经通知过了（#1", again);
        Assert.Equal(1, _kit.Db.Read(tx => tx.Meetings.Count()));
        Assert.Equal(3, Invitations().Count);
    }

    [Fact]
    public void A_parent_whose_invitation_was_refused_by_a_block_gets_it_again_on_start()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        var row = Invitations().Single(i => i.PersonId == _father.Id);
        _kit.Outbox.MarkBlocked(row, "403"); // the dispatcher's answer to a 403
        Assert.Equal(OutboxStatus.Unreachable, _kit.Db.Read(tx => tx.Outbox.FindById(row.Id)).Status);

        _kit.Send(_kit.Text(FatherChat, "/start"));

        var again = Invitations().Single(i => i.PersonId == _father.Id);
        Assert.Equal(OutboxStatus.Pending, again.Status);
        Assert.Contains("小明、小红", again.Text);
        _kit.Send(_kit.Button(FatherChat, "rsvp:1:a"));
        Assert.Equal(MeetingAnswer.Attend, Meeting().AnswerOf(_father.Id));
    }

    [Fact]
    public void An_admin_marks_who_came_for_any_child_of_the_school()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        _kit.Time.Advance(TimeSpan.FromDays(5));
        var before = _kit.Db.Read(tx => tx.Outbox.Count());
        _kit.Send(_kit.Text(AdminChat, "/meeting 1"));
        var list = _kit.Db.Read(tx => tx.Outbox.FindAll().Skip(before).Single());
        Assert.Equal(["came:1:default/101", "came:1:default/102", "came:1:default/201"], list.Buttons.Select(b => b.Data));
        _kit.Send(_kit.Button(AdminChat, "came:1:default/201"));
        Assert.Equal(["default/201"], Meeting().Attended);
    }

    [Fact]
    public void Coming_to_a_meeting_tomorrow_promises_no_reminder_and_a_change_of_mind_withdraws_a_planned_one()
    {
        _kit.Send(_kit.Text(AdminChat, Announce)); // Saturday 11-28
        _kit.Time.Advance(TimeSpan.FromDays(4)); // Friday 11-27 09:00
        Assert.DoesNotContain("前一天会再提醒您", Assert.Single(_kit.Send(_kit.Button(FatherChat, "rsvp:1:a"))));
        MeetingPlanner.PlanReminders(_kit.Db, _kit.Outbox, _kit.Clock);
        Assert.Single(_kit.Db.Read(tx => tx.Outbox.Find(o => o.Key == MeetingService.ReminderKey(1, _father.Id)).ToList()));

        _kit.Send(_kit.Button(FatherChat, "rsvp:1:n"));
        Assert.Empty(_kit.Db.Read(tx => tx.Outbox.Find(o => o.Key == MeetingService.ReminderKey(1, _father.Id)).ToList()));
    }

    [Fact]
    public void Forgetting_a_child_withdraws_pending_messages_that_name_it_and_invites_again_for_the_other_child()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        var mentorReminder = new OutboxMessage { Key = "remind:test", PersonId = _kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorChat))).Id, Chat = TelegramChats.At(MentorChat), Text = "小红 …", Kind = OutboxKind.Reminder, Priority = OutboxPriority.Bulk };
        _kit.Db.Write(tx => _kit.Outbox.Enqueue(tx, mentorReminder));

        new ForgetService(_kit.Db, _kit.Time).Forget("default/102", "cli");

        var father = Invitations().Single(i => i.PersonId == _father.Id);
        Assert.Contains("小明", father.Text);
        Assert.DoesNotContain("小红", father.Text);
        Assert.Empty(_kit.Db.Read(tx => tx.Outbox.Find(o => o.Key == "remind:test").ToList()));
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.Text.Contains("小红", StringComparison.Ordinal));
    }

    [Fact]
    public void Forgetting_a_child_takes_them_and_their_erased_parents_answers_out_of_the_meeting()
    {
        _kit.Send(_kit.Text(AdminChat, Announce));
        _kit.Send(_kit.Button(OtherParentChat, "rsvp:1:a"));
        _kit.Send(_kit.Button(FatherChat, "rsvp:1:a"));

        new ForgetService(_kit.Db, _kit.Time).Forget("default/201", "cli");

        var meeting = Meeting();
        Assert.DoesNotContain("default/201", meeting.ChildIds);
        Assert.DoesNotContain(meeting.Replies, r => r.ParentId == _otherParent.Id);
        Assert.Contains(meeting.Replies, r => r.ParentId == _father.Id);
        Assert.Equal(0, _kit.Db.Read(tx => MeetingView.Tally(tx, meeting).NotReachable));
    }
}

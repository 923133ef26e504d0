using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Chat;

public class ChatHandlerTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="ChatHandlerTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private const long MentorChat = 501, ParentChat = 601, OtherMentorChat = 502, AdminChat = 701, StrangerChat = 999;
    private readonly ChatTestKit _kit;
    private readonly Person _mentor, _otherMentor, _father, _mother, _admin;
    private readonly Child _xiaohong, _xiaoming, _other;

    public ChatHandlerTests()
    {
        _kit = new ChatTestKit(Store);
        _mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        _otherMentor = _kit.AddPerson("赵老师", "13800000002", Roles.Mentor, OtherMentorChat, "en");
        _father = _kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        _mother = _kit.AddPerson("李小花", "13700000002", Roles.Parent, null);
        _admin = _kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        _xiaohong = _kit.AddChild("S001", "张小红", _mentor, _father, _mother);
        _xiaoming = _kit.AddChild("S002", "陈小明", _mentor);
        _other = _kit.AddChild("S003", "孙小军", _otherMentor);
    }

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    private List<CareRecord> Records(string childId) => _kit.Db.Read(tx => tx.Records.Find(r => r.ChildId == childId).ToList());

    [Fact]
    public void Visit_by_name_is_saved_for_that_child_with_author_date_and_audit()
    {
        var replies = _kit.Send(_kit.Text(MentorChat, "/visit 张小红 和奶奶聊了学习"));

        var record = Assert.Single(Records("S001"));
        Assert.Equal(CareKind.Visit, record.Kind);
        Assert.Equal(_mentor.Id, record.AuthorId);
        Assert.Equal("和奶奶聊了学习", record.Text);
        Assert.Equal(new DateOnly(2026, 11, 23), record.LocalDate);
        Assert.Contains("已记录 张小红 的家访", Assert.Single(replies));
        Assert.Contains(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "record.visit" && a.ChildId == "S001" && a.Actor == $"person:{_mentor.Id}");
    }

    [Fact]
    public void Child_can_be_named_by_the_number_mine_shows()
    {
        var mine = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/mine")));
        Assert.Contains("1. 张小红", mine);
        Assert.Contains("2. 陈小明", mine);
        Assert.DoesNotContain("孙小军", mine);

        _kit.Send(_kit.Text(MentorChat, "/talk 2 聊了想妈妈的事"));

        Assert.Equal(CareKind.Talk, Assert.Single(Records("S002")).Kind);
        Assert.Empty(Records("S001"));
    }

    [Fact]
    public void Unknown_child_gets_the_list_and_nothing_is_saved()
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/visit 小刚 去了")));
        Assert.Contains("没有“小刚”", reply);
        Assert.Contains("1. 张小红", reply);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Ambiguous_name_gets_the_list_to_choose_from()
    {
        _kit.AddChild("S004", "张小红", _mentor);
        var reply = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/diary 张小红 今天很开心")));
        Assert.Contains("多个孩子", reply);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Mentor_cannot_write_to_or_read_the_card_of_a_child_not_paired_with_them()
    {
        var visit = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/visit 孙小军 去了")));
        var card = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/card 孙小军")));

        Assert.Contains("没有“孙小军”", visit);
        Assert.DoesNotContain("13800000002", card);
        Assert.Empty(Records("S003"));
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "card.read");
    }

    [Fact]
    public void Card_shows_contacts_and_is_audited()
    {
        var card = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/card 1")));
        Assert.Contains("张小红", card);
        Assert.Contains("13700000001", card);
        Assert.Contains("李奶奶", card);
        Assert.Contains(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "card.read" && a.ChildId == "S001");
    }

    [Theory]
    [InlineData("/check 1 学习=4 生活=3 心理=2 安全=5 健康=4 最近有点想家", 4, 2)]
    [InlineData("/check 1 study=1 life=5 mood=3 safety=5 health=2", 1, 3)]
    public void Check_in_saves_five_ratings(string text, int study, int mood)
    {
        _kit.Send(_kit.Text(MentorChat, text));
        var record = Assert.Single(Records("S001"));
        Assert.Equal(CareKind.Check, record.Kind);
        Assert.Equal(study, record.Ratings!.Study);
        Assert.Equal(mood, record.Ratings.Mood);
    }

    [Theory]
    [InlineData("/check 1 学习=6 生活=3 心理=2 安全=5 健康=4")]
    [InlineData("/check 1 学习=0 生活=3 心理=2 安全=5 健康=4")]
    [InlineData("/check 1 学习=4 生活=3")]
    [InlineData("/check 1 学习=x 生活=3 心理=2 安全=5 健康=4")]
    public void Check_in_with_ratings_outside_1_to_5_or_missing_is_refused(string text)
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(MentorChat, text)));
        Assert.Contains("1–5", reply);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Theory]
    [InlineData("/visit", "用法")]
    [InlineData("/diary 1", "用法")]
    [InlineData("/card", "用法")]
    [InlineData("/frobnicate", "没有 /frobnicate")]
    public void Missing_arguments_and_unknown_commands_get_help(string text, string expected)
    {
        var replies = _kit.Send(_kit.Text(MentorChat, text));
        Assert.Contains(replies, r => r.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void English_speaker_gets_english_replies()
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(OtherMentorChat, "/visit 1 met grandpa")));
        Assert.Contains("Home visit to 孙小军 saved", reply);
        var refused = Assert.Single(_kit.Send(_kit.Text(OtherMentorChat, "/check 1 study=9")));
        Assert.Contains("each 1–5", refused);
    }

    [Fact]
    public void Lang_switches_the_language_of_later_replies()
    {
        Assert.Contains("English", Assert.Single(_kit.Send(_kit.Text(MentorChat, "/lang en"))));
        Assert.Contains("saved", Assert.Single(_kit.Send(_kit.Text(MentorChat, "/visit 1 ok"))));
        Assert.Contains("用法", Assert.Single(_kit.Send(_kit.Text(MentorChat, "/lang xx"))).Replace("Usage", "用法", StringComparison.Ordinal));
    }

    [Fact]
    public void Bot_name_suffix_on_commands_is_understood()
    {
        _kit.Send(_kit.Text(MentorChat, "/visit@CareSchoolBot 1 去了"));
        Assert.Single(Records("S001"));
    }

    [Fact]
    public void Group_chats_get_nothing_and_nothing_is_saved()
    {
        var replies = _kit.Send(_kit.Text(MentorChat, "/visit 1 去了", kind: ChatKind.Group));
        Assert.Empty(replies);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Unlinked_chat_learns_how_to_get_an_invite_and_nothing_more()
    {
        var reply = Assert.Single(_kit.Send(_kit.Text(StrangerChat, "/card 1")));
        Assert.Contains("邀请", reply);
        Assert.DoesNotContain("张小红", reply);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Stickers_and_overlong_messages_get_a_short_answer_and_save_nothing()
    {
        var sticker = new IncomingMessage(77, TelegramChats.At(MentorChat), ChatKind.Private, IncomingKind.Other, null);
        Assert.Contains("文字", Assert.Single(_kit.Send(sticker)));
        var huge = _kit.Text(MentorChat, "/visit 1 " + new string('很', 10_000));
        Assert.Contains("太长", Assert.Single(_kit.Send(huge)));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Edited_messages_are_not_applied_again()
    {
        var edited = new IncomingMessage(78, TelegramChats.At(MentorChat), ChatKind.Private, IncomingKind.Edited, "/visit 1 改了");
        _kit.Send(edited);
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }

    [Fact]
    public void Plain_reply_to_a_single_child_reminder_logs_that_kind_without_naming_the_child()
    {
        _kit.Outbox.Enqueue(new OutboxMessage { Key = "remind:x", PersonId = _mentor.Id, Chat = TelegramChats.At(MentorChat), Text = "该家访了", Kind = OutboxKind.Reminder, ChildId = "S002", ReplyAs = CareKind.Visit });
        _kit.MarkLastSent(MentorChat, 4242);

        _kit.Send(_kit.Text(MentorChat, "今天去了，奶奶身体不错", replyTo: 4242));

        var record = Assert.Single(Records("S002"));
        Assert.Equal(CareKind.Visit, record.Kind);
        Assert.Equal("今天去了，奶奶身体不错", record.Text);
    }

    [Fact]
    public void Visited_button_logs_a_visit_and_a_stale_button_saves_nothing()
    {
        var outcome = _kit.Processor.Process(_kit.Button(MentorChat, "visited:S001"));
        Assert.NotNull(outcome!.CallbackId);
        Assert.Equal(CareKind.Visit, Assert.Single(Records("S001")).Kind);

        _kit.Processor.Process(_kit.Button(MentorChat, "visited:S003"));
        Assert.Empty(Records("S003"));

        var snooze = _kit.Processor.Process(_kit.Button(MentorChat, "snooze:2026-11-23", messageId: 9));
        Assert.Equal(9, snooze!.RemoveButtonsFromMessageId);
    }

    [Fact]
    public void Parent_text_is_saved_and_relayed_to_the_mentor_whose_reply_goes_back_to_that_parent()
    {
        var parentReplies = _kit.Send(_kit.Text(ParentChat, "孩子最近学习怎么样？"));
        Assert.Contains("已转给老师", Assert.Single(parentReplies));
        var relay = _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Chat == TelegramChats.At(MentorChat) && o.Kind == OutboxKind.Relay));
        Assert.Contains("张小红的父亲张大山", relay.Text);
        Assert.Contains("孩子最近学习怎么样？", relay.Text);
        Assert.Equal(CareKind.ParentMessage, Assert.Single(Records("S001")).Kind);

        _kit.Outbox.MarkSent(relay, 5151);
        _kit.Send(_kit.Text(MentorChat, "挺好的，数学进步了", replyTo: 5151));

        var back = _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Chat == TelegramChats.At(ParentChat) && o.Kind == OutboxKind.Relay));
        Assert.Contains("挺好的，数学进步了", back.Text);
        Assert.Contains("王老师", back.Text);
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.TelegramId == OtherMentorChat);
    }

    [Fact]
    public void Parent_stop_pauses_and_start_resumes_weekly_updates()
    {
        Assert.Contains("暂停", Assert.Single(_kit.Send(_kit.Text(ParentChat, "/stop"))));
        Assert.True(_kit.Db.Read(tx => tx.People.FindById(_father.Id).UpdatesPaused));
        Assert.Contains("恢复", Assert.Single(_kit.Send(_kit.Text(ParentChat, "/start"))));
        Assert.False(_kit.Db.Read(tx => tx.People.FindById(_father.Id).UpdatesPaused));
    }

    [Fact]
    public void Parent_cannot_use_mentor_or_admin_commands()
    {
        var replies = _kit.Send(_kit.Text(ParentChat, "/card 张小红"));
        Assert.Contains(replies, r => r.Contains("没有 /card", StringComparison.Ordinal));
        replies = _kit.Send(_kit.Text(ParentChat, "/notice 明天开会"));
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.Kind == OutboxKind.Notice);
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "card.read");
    }

    [Fact]
    public void Admin_stats_overdue_and_notice()
    {
        _kit.Send(_kit.Text(MentorChat, "/visit 1 去了"));
        var stats = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/stats")));
        Assert.Contains("孩子：3 人", stats);
        Assert.Contains("本周家访：1 次", stats);

        var overdue = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/overdue")));
        Assert.Contains("目前没有逾期", overdue); // never-visited children are due today, not yet overdue
        _kit.Time.Advance(TimeSpan.FromDays(3));
        overdue = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/overdue")));
        Assert.Contains("陈小明", overdue);
        Assert.Contains("王老师", overdue);

        var notice = Assert.Single(_kit.Send(_kit.Text(AdminChat, "/notice 春节前家长会 2月5日")));
        Assert.Contains("1 位家长", notice);
        var sent = _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Kind == OutboxKind.Notice));
        Assert.Equal(ParentChat, sent.TelegramId);
        Assert.Equal(OutboxPriority.Bulk, sent.Priority);
    }

    [Fact]
    public void Mentor_cannot_use_admin_commands()
    {
        var replies = _kit.Send(_kit.Text(MentorChat, "/notice hi"));
        Assert.Contains(replies, r => r.Contains("没有 /notice", StringComparison.Ordinal));
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.Kind == OutboxKind.Notice);
    }

    [Fact]
    public void Same_update_processed_twice_is_applied_once()
    {
        var message = _kit.Text(MentorChat, "/visit 1 去了");
        _kit.Processor.Process(message);
        Assert.Null(_kit.Processor.Process(message));
        Assert.Single(Records("S001"));
        Assert.Equal(message.UpdateId + 1, _kit.Processor.Offset);
    }

    [Fact]
    public void A_mentor_who_is_also_a_parent_can_answer_their_own_childs_teacher()
    {
        const long TeacherParentChat = 801;
        var teacherParent = _kit.AddPerson("钱老师", "13800000077", Roles.Mentor | Roles.Parent, TeacherParentChat);
        _kit.AddChild("S010", "孙小军的同学", _mentor, teacherParent); // 王老师 mentors 钱老师's own child

        _kit.Send(_kit.Text(TeacherParentChat, "孩子最近作业多吗？"));
        var relay = _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Chat == TelegramChats.At(MentorChat) && o.Kind == OutboxKind.Relay && o.ChildId == "S010"));
        _kit.Outbox.MarkSent(relay, 6001);
        _kit.Send(_kit.Text(MentorChat, "不多，每天半小时", replyTo: 6001));
        var answer = _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Chat == TelegramChats.At(TeacherParentChat) && o.Kind == OutboxKind.Relay));
        _kit.Outbox.MarkSent(answer, 6002);

        var replies = _kit.Send(_kit.Text(TeacherParentChat, "好的，谢谢王老师", replyTo: 6002));

        Assert.Contains(replies, r => r.Contains("已转给老师", StringComparison.Ordinal));
        Assert.Contains(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.TelegramId == MentorChat && o.Text.Contains("好的，谢谢王老师", StringComparison.Ordinal));
        Assert.DoesNotContain(replies, r => r.Contains("不在您的结对名单", StringComparison.Ordinal));
    }

    [Fact]
    public void A_parent_reply_about_a_child_no_longer_theirs_still_reaches_their_childrens_teachers()
    {
        _kit.Outbox.Enqueue(new OutboxMessage { Key = "weekly:old", PersonId = _father.Id, Chat = TelegramChats.At(ParentChat), Text = "周报", Kind = OutboxKind.WeeklyUpdate, ChildId = "S999" });
        _kit.MarkLastSent(ParentChat, 7001);

        var replies = _kit.Send(_kit.Text(ParentChat, "收到，谢谢", replyTo: 7001));

        Assert.Contains(replies, r => r.Contains("已转给老师", StringComparison.Ordinal));
        Assert.Single(Records("S001"), r => r.Kind == CareKind.ParentMessage);
    }

    [Fact]
    public void A_blocked_person_who_sends_start_is_reachable_again()
    {
        var father = _kit.Db.Read(tx => tx.People.FindById(_father.Id));
        father.Status = Reachability.Blocked;
        _kit.Db.Write(tx => tx.People.Update(father));

        var reply = Assert.Single(_kit.Send(_kit.Text(ParentChat, "/start")));

        Assert.Contains("张大山", reply, StringComparison.Ordinal);
        Assert.Equal(Reachability.Reachable, _kit.Db.Read(tx => tx.People.FindById(_father.Id).Status));
        Assert.Contains(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.resumed");
    }

    [Fact]
    public void Blocking_the_bot_marks_the_person_blocked_without_a_reply()
    {
        var replies = _kit.Send(new IncomingMessage(4242, TelegramChats.At(ParentChat), ChatKind.Private, IncomingKind.BlockedBot, null));

        Assert.Empty(replies);
        Assert.Equal(Reachability.Blocked, _kit.Db.Read(tx => tx.People.FindById(_father.Id).Status));
        Assert.Contains(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.blocked");
    }

    [Fact]
    public void A_teacher_parent_replying_to_a_reminder_about_a_child_no_longer_theirs_is_refused_not_filed_under_their_own_child()
    {
        const long TeacherParentChat = 802;
        var teacherParent = _kit.AddPerson("李老师", "13800000088", Roles.Mentor | Roles.Parent, TeacherParentChat);
        _kit.AddChild("S020", "李小宝", _mentor, teacherParent);
        _kit.Outbox.Enqueue(new OutboxMessage { Key = "remind:old", PersonId = teacherParent.Id, Chat = TelegramChats.At(TeacherParentChat), Text = "该家访了", Kind = OutboxKind.Reminder, ChildId = "S002", ReplyAs = CareKind.Visit });
        _kit.MarkLastSent(TeacherParentChat, 9001);

        var replies = _kit.Send(_kit.Text(TeacherParentChat, "今天去了陈小明家，奶奶生病住院了", replyTo: 9001));

        Assert.Contains(replies, r => r.Contains("不在您的结对名单", StringComparison.Ordinal));
        Assert.Empty(Records("S020"));
        Assert.Empty(Records("S002"));
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.TelegramId == MentorChat && o.Text.Contains("奶奶生病", StringComparison.Ordinal));
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class ChatHandlerTestsOnPostgres : ChatHandlerTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

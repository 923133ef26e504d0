using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Text;

namespace CareBot.Core.Tests.Activities;

/// <summary><c>/activity TITLE: CHILD, CHILD…</c> (issue 14): what is saved, what is refused, and where it shows.</summary>
public sealed class ActivityChatTests
{
    private const long MentorChat = 501, OtherMentorChat = 502, AdminChat = 701, FatherChat = 601, MumChat = 602, OtherParentChat = 603;

    private sealed record School(ChatTestKit Kit, Person Mentor, Person Admin, Child Hong, Child Ming, Child Gang) : IDisposable
    {
        public void Dispose() => Kit.Dispose();

        public List<CareRecord> Activities() => Kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Activity).OrderBy(r => r.Id).ToList());
    }

    /// <summary>王老师 mentors 小红 (学号 101) and 小明 (102); 李老师 mentors 小刚 (201). 刘校长 is the admin.</summary>
    private static School Make(string mentorLang = "zh")
    {
        var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat, mentorLang);
        var other = kit.AddPerson("李老师", "13800000002", Roles.Mentor, OtherMentorChat);
        var father = kit.AddPerson("张爸爸", "13700000001", Roles.Parent, FatherChat);
        var mum = kit.AddPerson("Mum Zhang", "13700000002", Roles.Parent, MumChat, "en");
        var otherParent = kit.AddPerson("刘爸爸", "13700000003", Roles.Parent, OtherParentChat);
        var admin = kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        var hong = kit.AddSchoolChild("default", "101", "小红", mentor, father, mum);
        var ming = kit.AddSchoolChild("default", "102", "小明", mentor, otherParent);
        var gang = kit.AddSchoolChild("default", "201", "小刚", other);
        return new School(kit, mentor, admin, hong, ming, gang);
    }

    [Fact]
    public void A_mentor_logs_an_activity_one_record_per_child_sharing_a_group_each_audited()
    {
        using var s = Make();

        var reply = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/activity 植树活动：小红、小明")));

        var records = s.Activities();
        Assert.Equal([s.Hong.Id, s.Ming.Id], records.Select(r => r.ChildId));
        Assert.All(records, r =>
        {
            Assert.Equal(("植树活动", s.Mentor.Id, new DateOnly(2026, 11, 23)), (r.Text, r.AuthorId, r.LocalDate));
            Assert.Equal(records[0].Id, r.GroupId);
            Assert.False(r.Guidance);
        });
        var audit = s.Kit.Db.Read(tx => tx.Audit.Find(a => a.Action == "record.activity").ToList());
        Assert.Equal(records.Select(r => (r.ChildId, $"record:{r.Id}", $"person:{s.Mentor.Id}")), audit.Select(a => (a.ChildId!, a.Detail!, a.Actor)));
        Assert.Equal("✅ 已记录活动“植树活动”（11月23日），2 个孩子参加：小红、小明。家长会在本周的情况通报里看到。", reply);
    }

    [Theory]
    [InlineData("/activity 植树：小红，小明")]
    [InlineData("/activity 植树: 小红, 小明")]
    [InlineData("/activity 植树：小红 小明")]
    [InlineData("/activity 植树：1、2")]
    [InlineData("/activity 植树：红、小明、小红")] // part of a name; a child named twice counts once
    [InlineData("/activity@CareBot 植树 ： 小红；\n小明")]
    public void Children_are_separated_by_commas_enumeration_commas_or_spaces(string text)
    {
        using var s = Make();

        s.Kit.Send(s.Kit.Text(MentorChat, text));

        Assert.Equal([s.Hong.Id, s.Ming.Id], s.Activities().Select(r => r.ChildId));
        Assert.All(s.Activities(), r => Assert.Equal("植树", r.Text));
    }

    [Theory]
    [InlineData("/activity 植树：小红、小刚", "小刚")] // another mentor's child
    [InlineData("/activity 植树：小红、小强", "小强")] // nobody
    [InlineData("/activity 植树：小红 小强", "小强")] // space-separated: the word that fails is named
    [InlineData("/activity 植树：小红、9", "9")] // beyond the /mine list
    [InlineData("/activity 植树：小", "小")] // part of two names
    public void One_child_that_cannot_be_named_saves_nothing_and_the_reply_says_which(string text, string who)
    {
        using var s = Make();

        var reply = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, text)));

        Assert.Empty(s.Activities());
        Assert.Empty(s.Kit.Db.Read(tx => tx.Audit.Find(a => a.Action == "record.activity").ToList()));
        Assert.StartsWith("❗ 活动没有保存：", reply, StringComparison.Ordinal);
        Assert.Contains($"“{who}”", reply, StringComparison.Ordinal);
        Assert.Contains("1. 小红", reply, StringComparison.Ordinal); // the mentor's own list, to choose from
        Assert.DoesNotContain("小刚", reply.Replace($"“{who}”", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/activity", "act.usage")]
    [InlineData("/activity 植树 小红", "act.usage")]
    [InlineData("/activity ：小红", "act.usage")]
    [InlineData("/activity 植树：", "act.usage")]
    [InlineData("/activity 植树：、，", "act.usage")]
    public void Missing_title_or_children_shows_the_usage(string text, string key)
    {
        using var s = Make(mentorLang: "en");

        var reply = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, text)));

        Assert.Equal(Texts.Get("en", key), reply);
        Assert.Empty(s.Activities());
    }

    [Theory]
    [InlineData("/activity 10:30 篮球赛：小红、小明", "10:30 篮球赛")]
    [InlineData("/activity Basketball: 10:30 match: 小红", null)]
    public void The_title_ends_at_the_first_full_width_colon_or_else_the_first_colon(string text, string? title)
    {
        using var s = Make();

        s.Kit.Send(s.Kit.Text(MentorChat, text));

        Assert.Equal(title is null ? [] : [title, title], s.Activities().Select(r => r.Text));
    }

    [Fact]
    public void A_title_too_long_is_refused_in_the_users_language()
    {
        using var s = Make(mentorLang: "en");

        var reply = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, $"/activity {new string('树', 81)}: 小红")));

        Assert.Equal("The title is at most 80 characters; nothing was saved.", reply);
        Assert.Empty(s.Activities());
    }

    [Fact]
    public void An_admin_names_any_child_of_the_school_by_number_or_full_name_and_a_shared_name_asks_which()
    {
        using var s = Make();
        var twin = s.Kit.AddSchoolChild("default", "301", "小红", s.Mentor);

        var ambiguous = Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/activity 运动会：小刚、小红")));
        Assert.Empty(s.Activities());
        Assert.Contains("有几个孩子叫“小红”，请改写学号", ambiguous, StringComparison.Ordinal);
        Assert.Contains("· 小红（三年级二班，学号 101）", ambiguous, StringComparison.Ordinal);
        Assert.Contains("· 小红（三年级二班，学号 301）", ambiguous, StringComparison.Ordinal);

        var unknown = Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/activity 运动会：小刚、王五")));
        Assert.Equal("❗ 活动没有保存：\n在您负责的学校里没有找到“王五”（请写学号或孩子的全名）。", unknown);
        Assert.Empty(s.Activities());

        var saved = Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/activity 运动会：小刚、301、102")));
        Assert.StartsWith("✅ 已记录活动“运动会”（11月23日），3 个孩子参加：小刚、小红、小明", saved, StringComparison.Ordinal);
        Assert.Equal([s.Gang.Id, twin.Id, s.Ming.Id], s.Activities().Select(r => r.ChildId));
        Assert.All(s.Activities(), r => Assert.Equal(s.Admin.Id, r.AuthorId));
    }

    [Fact]
    public void An_admin_does_not_reach_children_of_other_schools()
    {
        using var s = Make();
        s.Kit.Options.Schools = [new SchoolEntry { Id = "default", Name = "A小学" }, new SchoolEntry { Id = "b", Name = "B小学" }];
        s.Kit.Options.Admins = [new AdminEntry { Name = "刘校长", Phone = "13600000001", Schools = ["b"] }];

        var reply = Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/activity 运动会：101")));

        Assert.Equal("❗ 活动没有保存：\n在您负责的学校里没有找到“101”（请写学号或孩子的全名）。", reply);
        Assert.Empty(s.Activities());
    }

    [Fact]
    public void A_photo_captioned_activity_is_attached_to_every_childs_record_and_goes_to_their_parents_with_the_update()
    {
        using var s = Make();
        var photo = s.Kit.Media(MentorChat, MediaKind.Photo, "/activity 包饺子：小红、小明");

        var reply = Assert.Single(s.Kit.Send(photo));
        var adminPhoto = s.Kit.Media(AdminChat, MediaKind.Photo, "/activity 升旗仪式：小刚");
        s.Kit.Send(adminPhoto);

        Assert.EndsWith("（已附照片）", reply, StringComparison.Ordinal);
        var records = s.Activities();
        Assert.Equal(3, records.Count);
        Assert.All(records.Take(2), r => Assert.Equal((photo.Media!.FileId, "包饺子"), (r.Media!.FileId, r.Text)));
        Assert.Equal((s.Gang.Id, adminPhoto.Media!.FileId), (records[2].ChildId, records[2].Media!.FileId));

        new WeeklyUpdatePlanner(s.Kit.Db, s.Kit.Outbox).Plan(s.Kit.Clock.Today);

        var media = s.Kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.WeeklyMedia).ToList());
        Assert.Equal([FatherChat, MumChat, OtherParentChat], media.Select(m => m.TelegramId).Order());
        Assert.All(media, m => Assert.Equal(photo.Media!.FileId, m.Media!.FileId));
        Assert.Contains("11月23日 活动照片\n包饺子", media.Single(m => m.TelegramId == FatherChat).Text, StringComparison.Ordinal);
        Assert.Contains("11/23 activity photo\n包饺子", media.Single(m => m.TelegramId == MumChat).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_weekly_update_lists_the_weeks_activities_with_their_dates_in_each_parents_language()
    {
        using var s = Make();
        s.Kit.Send(s.Kit.Text(MentorChat, "/activity 植树活动：小红、小明"));
        s.Kit.Time.Advance(TimeSpan.FromDays(2));
        s.Kit.Send(s.Kit.Text(MentorChat, "/activity Reading club: 小红"));

        new WeeklyUpdatePlanner(s.Kit.Db, s.Kit.Outbox).Plan(s.Kit.Clock.Today);

        var updates = s.Kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.WeeklyUpdate).ToList());
        var father = updates.Single(u => u.TelegramId == FatherChat).Text;
        Assert.Contains("集体活动：\n· 11月23日周一 植树活动\n· 11月25日周三 Reading club", father, StringComparison.Ordinal);
        Assert.DoesNotContain("本周没有新的记录", father, StringComparison.Ordinal);
        var mum = updates.Single(u => u.TelegramId == MumChat).Text;
        Assert.Contains("Group activities:\n· Mon 11/23: 植树活动\n· Wed 11/25: Reading club", mum, StringComparison.Ordinal);
        var ming = updates.Single(u => u.TelegramId == OtherParentChat).Text;
        Assert.Contains("· 11月23日周一 植树活动", ming, StringComparison.Ordinal);
        Assert.DoesNotContain("Reading club", ming, StringComparison.Ordinal);
    }

    [Fact]
    public void An_activity_is_not_a_visit_or_talk_so_due_dates_stay_as_they_were()
    {
        using var s = Make();
        var before = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/mine")));

        s.Kit.Send(s.Kit.Text(MentorChat, "/activity 植树活动：小红、小明"));

        Assert.Equal(before, Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/mine"))));
        var calculator = new CareStatusCalculator(s.Kit.Db, s.Kit.Clock, s.Kit.Options);
        var pairings = s.Kit.Db.Read(tx => tx.Pairings.FindAll().ToList());
        foreach (var status in new[] { calculator.ForChildren(s.Kit.Clock.Today, [s.Hong.Id])[s.Hong.Id], calculator.ForAllPaired(s.Kit.Clock.Today, pairings)[s.Hong.Id] })
        {
            Assert.Equal((null, null, null), (status.LastVisit, status.LastTalk, status.LastCall));
        }
    }

    [Fact]
    public void An_activity_counts_as_something_recorded_for_the_reminder_before_the_weekly_update()
    {
        using var s = Make();
        s.Kit.Send(s.Kit.Text(MentorChat, "/activity 植树活动：小红、小明"));

        var planned = new ReminderPlanner(s.Kit.Db, s.Kit.Outbox, s.Kit.Clock, s.Kit.Options).PlanNudges(s.Kit.Clock.Today.AddDays(1));

        Assert.Equal(1, planned);
        var nudge = Assert.Single(s.Kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Nudge).ToList()));
        Assert.Equal(OtherMentorChat, nudge.TelegramId); // 小刚 has nothing this week; 小红 and 小明 have the activity
        Assert.Contains("小刚", nudge.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_card_shows_how_many_activities_and_the_latest_three()
    {
        using var s = Make();
        Assert.Contains("集体活动：还没有参加记录", Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/card 小红"))), StringComparison.Ordinal);
        foreach (var title in new[] { "植树", "包饺子", "运动会", "读书会" })
        {
            s.Kit.Send(s.Kit.Text(MentorChat, $"/activity {title}：小红"));
            s.Kit.Time.Advance(TimeSpan.FromDays(1));
        }

        var card = Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/card 小红")));

        Assert.Contains("集体活动：参加 4 次，最近：读书会（11月26日）、运动会（11月25日）、包饺子（11月24日）", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_add_this_weeks_calls_activities_and_aid()
    {
        using var s = Make();
        s.Kit.Send(s.Kit.Text(MentorChat, "/call 小红 和奶奶通了电话"));
        s.Kit.Send(s.Kit.Text(MentorChat, "/activity 植树：小红、小明"));
        s.Kit.Send(s.Kit.Text(AdminChat, "/activity 升旗：小刚"));
        s.Kit.Send(s.Kit.Text(AdminChat, "/aid 101 学习用品 120.5"));
        s.Kit.Send(s.Kit.Text(AdminChat, "/aid 102 助学金 500"));
        s.Kit.Send(s.Kit.Text(AdminChat, "/aid 102 助学金 300 2026-10-01"));

        var stats = Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/stats")));

        Assert.Contains("本周电话访问：1 次，集体活动：2 次\n本周资助：2 笔，共 620.5 元", stats, StringComparison.Ordinal);
    }

    [Fact]
    public void Activity_is_in_the_help_of_mentors_and_admins_but_not_parents()
    {
        using var s = Make();

        Assert.Contains("/activity", Assert.Single(s.Kit.Send(s.Kit.Text(MentorChat, "/help"))), StringComparison.Ordinal);
        Assert.Contains("/activity 活动名称：学号", Assert.Single(s.Kit.Send(s.Kit.Text(AdminChat, "/help"))), StringComparison.Ordinal);
        Assert.DoesNotContain("/activity", Assert.Single(s.Kit.Send(s.Kit.Text(FatherChat, "/help"))), StringComparison.Ordinal);
    }
}

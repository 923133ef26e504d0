using CareBot.Tests.Shared;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Year;

/// <summary>/call, #指导 / #guidance notes, /aid and what /card shows of them.</summary>
public sealed class YearChatTests
{
    private const long MentorChat = 501, AdminChat = 701;

    private static (ChatTestKit Kit, Person Mentor, Child Child) School(string mentorLang = "zh")
    {
        var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat, mentorLang);
        var parent = kit.AddPerson("张爸爸", "13700000001", Roles.Parent, 601);
        kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        var child = kit.AddSchoolChild("default", "20230101", "小红", mentor, parent);
        return (kit, mentor, child);
    }

    [Fact]
    public void Call_saves_a_phone_talk_audited_and_answers_in_the_users_language()
    {
        var (kit, mentor, child) = School(mentorLang: "en");
        using var _ = kit;

        var replies = kit.Send(kit.Text(MentorChat, "/call 小红 phoned grandma, all well"));

        var record = Assert.Single(kit.Db.Read(tx => tx.Records.FindAll().ToList()));
        Assert.Equal(CareKind.Call, record.Kind);
        Assert.Equal(child.Id, record.ChildId);
        Assert.Equal(mentor.Id, record.AuthorId);
        Assert.Equal("phoned grandma, all well", record.Text);
        Assert.False(record.Guidance);
        Assert.Contains(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "record.call" && a.ChildId == child.Id);
        Assert.StartsWith("✅ Phone talk about 小红 saved", Assert.Single(replies), StringComparison.Ordinal);
    }

    [Fact]
    public void Call_without_notes_or_child_shows_the_usage()
    {
        var (kit, _, _) = School();
        using var _k = kit;
        Assert.Equal(Text.Texts.Get("zh", "carer.usage_call"), Assert.Single(kit.Send(kit.Text(MentorChat, "/call"))));
        Assert.Empty(kit.Db.Read(tx => tx.Records.FindAll().ToList()));
    }

    [Theory]
    [InlineData("/visit 小红 #指导 教奶奶怎么检查作业", CareKind.Visit, true)]
    [InlineData("/talk 小红 聊了聊 #Guidance on bedtime", CareKind.Talk, true)]
    [InlineData("/visit 小红 一切都好", CareKind.Visit, false)]
    [InlineData("/diary 小红 #指导 日记里的标签不算", CareKind.Diary, false)]
    public void A_tagged_visit_or_talk_is_guidance_and_keeps_its_tag(string text, CareKind kind, bool guidance)
    {
        var (kit, _, _) = School();
        using var _k = kit;
        var replies = kit.Send(kit.Text(MentorChat, text));

        var record = Assert.Single(kit.Db.Read(tx => tx.Records.FindAll().ToList()));
        Assert.Equal(kind, record.Kind);
        Assert.Equal(guidance, record.Guidance);
        Assert.Equal(text[(text.IndexOf("小红", StringComparison.Ordinal) + 3)..], record.Text);
        Assert.Equal(guidance, Assert.Single(replies).Contains("家教指导", StringComparison.Ordinal));
    }

    [Fact]
    public void Card_shows_the_last_call_and_the_count_of_guidance_notes_but_no_aid_to_the_mentor()
    {
        var (kit, _, child) = School();
        using var _k = kit;
        kit.Send(kit.Text(MentorChat, "/card 小红"));
        var before = kit.Send(kit.Text(MentorChat, "/card 小红"));
        Assert.Contains("上次电话访问：从未", Assert.Single(before), StringComparison.Ordinal);

        kit.Send(kit.Text(MentorChat, "/visit 小红 #指导 作业"));
        kit.Send(kit.Text(MentorChat, "/talk 小红 #指导 睡觉"));
        kit.Send(kit.Text(MentorChat, "/call 小红 打了电话"));
        kit.Send(kit.Text(AdminChat, $"/aid {child.StudentNo} 学习用品 200"));
        var card = Assert.Single(kit.Send(kit.Text(MentorChat, "/card 小红")));

        Assert.Contains("上次电话访问：11月23日", card, StringComparison.Ordinal);
        Assert.Contains("家教指导记录：2 条", card, StringComparison.Ordinal);
        Assert.DoesNotContain("资助", card, StringComparison.Ordinal);
        Assert.DoesNotContain("学习用品", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_records_aid_and_sees_it_on_the_card()
    {
        var (kit, _, child) = School();
        using var _k = kit;
        var admin = kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(AdminChat)));

        var saved = Assert.Single(kit.Send(kit.Text(AdminChat, "/aid 20230101 学习用品 200.50 2026-11-01 县妇联 春蕾计划")));
        Assert.Equal("✅ 已登记 小红 的资助：学习用品 200.5 元（2026-11-01）。", saved);
        var aid = Assert.Single(kit.Db.Read(tx => tx.Aid.FindAll().ToList()));
        Assert.Equal((child.Id, "学习用品", 200.50m, new DateOnly(2026, 11, 1), "县妇联 春蕾计划", $"person:{admin.Id}"), (aid.ChildId, aid.Kind, aid.Amount, aid.Date, aid.Source, aid.RecordedBy));
        Assert.Contains(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "aid.added" && a.ChildId == child.Id && a.Detail == $"aid:{aid.Id}");

        kit.Send(kit.Text(AdminChat, "/aid 20230101 助学金 500"));
        var card = Assert.Single(kit.Send(kit.Text(AdminChat, "/card 20230101")));
        Assert.Contains("资助：2 笔，共 700.5 元", card, StringComparison.Ordinal);
        Assert.Contains("2026-11-01 学习用品 200.5 元（来源：县妇联 春蕾计划）", card, StringComparison.Ordinal);
        Assert.Contains("2026-11-23 助学金 500 元（来源：-）", card, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/aid 20230101 学习用品", "year.aid_usage")]
    [InlineData("/aid 20230101 学习用品 -5", "year.aid_bad_amount")]
    [InlineData("/aid 20230101 学习用品 abc", "year.aid_bad_amount")]
    [InlineData("/aid 20230101 学习用品 1.234", "year.aid_bad_amount")]
    [InlineData("/aid 20230101 学习用品 100 2026-13-01", "year.aid_bad_date")]
    [InlineData("/aid 99999 学习用品 100", "year.child_unknown")]
    public void Bad_aid_saves_nothing_and_says_why(string text, string key)
    {
        var (kit, _, _) = School();
        using var _k = kit;
        var reply = Assert.Single(kit.Send(kit.Text(AdminChat, text)));
        Assert.StartsWith(Text.Texts.Get("zh", key, "X", "Y").Split('X')[0].Split('“')[0], reply, StringComparison.Ordinal);
        Assert.Empty(kit.Db.Read(tx => tx.Aid.FindAll().ToList()));
    }

    [Fact]
    public void Call_is_in_the_help_and_aid_in_the_admins_help()
    {
        var (kit, _, _) = School();
        using var _k = kit;
        Assert.Contains("/call", Assert.Single(kit.Send(kit.Text(MentorChat, "/help"))), StringComparison.Ordinal);
        var adminHelp = Assert.Single(kit.Send(kit.Text(AdminChat, "/help")));
        Assert.Contains("/aid", adminHelp, StringComparison.Ordinal);
        Assert.DoesNotContain("/aid", Assert.Single(kit.Send(kit.Text(MentorChat, "/help"))), StringComparison.Ordinal);
    }
}

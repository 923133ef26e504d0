using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Outbox;

namespace CareBot.Core.Tests.Duty;

/// <summary><c>/duty</c> (this week's and next week's rota) and the swap flow: propose, accept, decline, stale buttons, refusals.</summary>
public sealed class DutyChatTests
{
    private static DutyKit School(string lang = "zh")
    {
        var kit = new DutyKit(lang);
        kit.Rota(
            (DayOfWeek.Monday, DutySlot.Noon, kit.Wang),
            (DayOfWeek.Monday, DutySlot.AfterSchool, kit.Li),
            (DayOfWeek.Wednesday, DutySlot.Noon, kit.Zhao),
            (DayOfWeek.Friday, DutySlot.AfterSchool, kit.Wang));
        return kit;
    }

    private static List<DutySwap> Swaps(DutyKit kit) => kit.Chat.Db.Read(tx => tx.DutySwaps.FindAll().ToList());

    private static List<OutboxMessage> RowsTo(DutyKit kit, long chat) => kit.Chat.Db.Read(tx => tx.Outbox.Find(o => o.Chat == TelegramChats.At(chat)).OrderBy(o => o.Id).ToList());

    private static List<string> Audit(DutyKit kit) => kit.Chat.Db.Read(tx => tx.Audit.Find(a => a.Action.StartsWith("duty.")).OrderBy(a => a.Id).Select(a => a.Action).ToList());

    [Fact]
    public void Duty_shows_this_weeks_rota_monday_to_sunday_and_marks_the_senders_turns()
    {
        using var kit = School();

        var reply = Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty")));

        Assert.Equal(
            """
            📋 本周活动室值日（11月23日—11月29日）
            周一 11月23日（今天）：中午 王老师★，放学后 李阿姨
            周二 11月24日：—
            周三 11月25日：中午 赵老师
            周四 11月26日：—
            周五 11月27日：放学后 王老师★
            周六 11月28日：—
            周日 11月29日：—
            ★ 你的值日
            换班：/duty swap 周三中午 周五放学后（先写你的班，再写对方的班；下周的班写 下周五放学后）
            """.ReplaceLineEndings("\n"),
            reply);
    }

    [Fact]
    public void Duty_next_shows_next_week_in_english()
    {
        using var kit = School("en");

        var reply = Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.LiChat, "/duty next")));

        Assert.StartsWith("📋 Activity-room duty next week (11/30–12/6)\nMon 11/30: noon 王老师, after school 李阿姨★\nTue 12/1: —\n", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("(today)", reply, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proposal_asks_the_other_teacher_with_buttons_and_changes_nothing_yet()
    {
        using var kit = School();

        var reply = Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周一中午 周三中午")));

        Assert.Equal("已请赵老师确认换班：\n· 11月23日 周一 中午：你的班，换成赵老师值日\n· 11月25日 周三 中午：赵老师的班，换成你值日\n赵老师同意后才生效，结果会告诉你。", reply);
        var swap = Assert.Single(Swaps(kit));
        Assert.Equal((DutySwapStatus.Proposed, kit.Wang.Id, kit.Zhao.Id, DutyKit.Monday, DutyKit.Monday.AddDays(2)), (swap.Status, swap.ProposerId, swap.OtherId, swap.ProposerDate, swap.OtherDate));
        var request = Assert.Single(RowsTo(kit, DutyKit.ZhaoChat));
        Assert.Equal("🔄 王老师想和你换活动室值日：\n· 11月23日 周一 中午：王老师的班，换成你值日\n· 11月25日 周三 中午：你的班，换成王老师值日\n同意吗？", request.Text);
        Assert.Equal([("同意", $"duty:yes:{swap.Id}"), ("不同意", $"duty:no:{swap.Id}")], request.Buttons.Select(b => (b.Text, b.Data)));
        Assert.Equal((OutboxKind.Duty, kit.Zhao.Id), (request.Kind, request.PersonId));
        Assert.Equal(kit.Wang.Id, kit.On(DutyKit.Monday)[0].Teacher);
        Assert.Equal(["duty.swap_proposed"], Audit(kit));
    }

    [Fact]
    public void Accepting_swaps_the_two_dates_tells_both_and_a_second_press_changes_nothing()
    {
        using var kit = School();
        kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周一中午 周三中午"));
        var id = Assert.Single(Swaps(kit)).Id;
        var wangBefore = RowsTo(kit, DutyKit.WangChat).Count;

        var outcome = kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.ZhaoChat, $"duty:yes:{id}", messageId: 77))!;

        Assert.Equal(("已同意换班", 77), (outcome.CallbackText, outcome.RemoveButtonsFromMessageId));
        Assert.Equal("✅ 已同意换班：11月23日 周一 中午 由你值日，11月25日 周三 中午 由王老师值日。", RowsTo(kit, DutyKit.ZhaoChat).Last().Text);
        Assert.Equal("✅ 赵老师同意了换班：11月23日 周一 中午 由赵老师值日，11月25日 周三 中午 由你值日。", Assert.Single(RowsTo(kit, DutyKit.WangChat).Skip(wangBefore)).Text);
        Assert.Equal(DutySwapStatus.Accepted, Assert.Single(Swaps(kit)).Status);
        Assert.Equal([(DutySlot.Noon, kit.Zhao.Id, true), (DutySlot.AfterSchool, kit.Li.Id, false)], kit.On(DutyKit.Monday));
        Assert.Equal([(DutySlot.Noon, kit.Wang.Id, true)], kit.On(DutyKit.Monday.AddDays(2)));
        Assert.Equal([(DutySlot.Noon, kit.Wang.Id, false), (DutySlot.AfterSchool, kit.Li.Id, false)], kit.On(DutyKit.Monday.AddDays(7))); // next week as imported
        Assert.Contains("周三 11月25日：中午 王老师★⇄", Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty"))), StringComparison.Ordinal);

        // A double tap, or 不同意 afterwards: the first answer stands and nobody is told anything new.
        var outboxBefore = kit.Chat.Db.Read(tx => tx.Outbox.Count());
        foreach (var data in new[] { $"duty:yes:{id}", $"duty:no:{id}" })
        {
            var again = kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.ZhaoChat, data, messageId: 77))!;
            Assert.Equal("这个换班请求已经回复过了。", again.CallbackText);
        }

        Assert.Equal(outboxBefore, kit.Chat.Db.Read(tx => tx.Outbox.Count()));
        Assert.Equal(DutySwapStatus.Accepted, Assert.Single(Swaps(kit)).Status);
        Assert.Equal(["duty.swap_proposed", "duty.swap_accepted"], Audit(kit));
    }

    [Fact]
    public void Declining_changes_nothing_and_tells_the_proposer()
    {
        using var kit = School("en");
        kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap mon noon wed noon"));
        var id = Assert.Single(Swaps(kit)).Id;

        var outcome = kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.ZhaoChat, $"duty:no:{id}"))!;

        Assert.Equal("Declined", outcome.CallbackText);
        Assert.Equal("Declined; the rota stays as it was.", RowsTo(kit, DutyKit.ZhaoChat).Last().Text);
        Assert.Equal("赵老师 declined the swap (Mon 11/23 noon ⇄ Wed 11/25 noon); the rota stays as it was.", RowsTo(kit, DutyKit.WangChat).Last().Text);
        Assert.Equal(DutySwapStatus.Declined, Assert.Single(Swaps(kit)).Status);
        Assert.Equal(kit.Wang.Id, kit.On(DutyKit.Monday)[0].Teacher);
        Assert.Equal(kit.Zhao.Id, kit.On(DutyKit.Monday.AddDays(2))[0].Teacher);

        // Accepting after declining is a stale press.
        Assert.Equal("This swap request has been answered already.", kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.ZhaoChat, $"duty:yes:{id}"))!.CallbackText);
        Assert.Equal(DutySwapStatus.Declined, Assert.Single(Swaps(kit)).Status);
        Assert.Equal(["duty.swap_proposed", "duty.swap_declined"], Audit(kit));
    }

    [Fact]
    public void Only_the_teacher_asked_can_answer_and_a_made_up_button_does_nothing()
    {
        using var kit = School();
        kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周一中午 周三中午"));
        var id = Assert.Single(Swaps(kit)).Id;

        foreach (var (chat, data) in new[] { (DutyKit.LiChat, $"duty:yes:{id}"), (DutyKit.WangChat, $"duty:yes:{id}"), (DutyKit.ZhaoChat, "duty:yes:999"), (DutyKit.ZhaoChat, "duty:maybe:1"), (DutyKit.ZhaoChat, "duty:yes:") })
        {
            Assert.Equal("这个按钮已失效。", kit.Chat.Processor.Process(kit.Chat.Button(chat, data))!.CallbackText);
        }

        Assert.Equal(DutySwapStatus.Proposed, Assert.Single(Swaps(kit)).Status);
        Assert.Equal(kit.Wang.Id, kit.On(DutyKit.Monday)[0].Teacher);
    }

    [Fact]
    public void A_request_accepted_after_the_rota_changed_lapses_and_nothing_changes()
    {
        using var kit = School();
        kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周五放学后 下周一放学后"));
        var swap = Assert.Single(Swaps(kit));
        Assert.Equal((DutyKit.Monday.AddDays(4), DutyKit.Monday.AddDays(7), kit.Li.Id), (swap.ProposerDate, swap.OtherDate, swap.OtherId));
        kit.Rota((DayOfWeek.Monday, DutySlot.AfterSchool, kit.Zhao), (DayOfWeek.Friday, DutySlot.AfterSchool, kit.Wang)); // re-imported meanwhile

        var outcome = kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.LiChat, $"duty:yes:{swap.Id}"))!;

        Assert.Equal("换班没有生效", outcome.CallbackText);
        Assert.Equal(DutySwapStatus.Lapsed, Assert.Single(Swaps(kit)).Status);
        Assert.StartsWith("你和李阿姨的换班（11月27日 周五 放学后 ⇄ 11月30日 周一 放学后）没有生效", RowsTo(kit, DutyKit.WangChat).Last().Text, StringComparison.Ordinal);
        Assert.Equal(kit.Wang.Id, kit.On(DutyKit.Monday.AddDays(4))[0].Teacher);
        Assert.Equal(kit.Zhao.Id, kit.On(DutyKit.Monday.AddDays(7))[0].Teacher);
    }

    [Fact]
    public void A_request_answered_after_its_day_has_passed_lapses()
    {
        using var kit = School();
        kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周一中午 周三中午"));
        var id = Assert.Single(Swaps(kit)).Id;
        kit.Chat.Time.Advance(TimeSpan.FromDays(1)); // Tuesday: Monday's turn is over

        Assert.Equal("换班没有生效", kit.Chat.Processor.Process(kit.Chat.Button(DutyKit.ZhaoChat, $"duty:yes:{id}"))!.CallbackText);
        Assert.Equal(DutySwapStatus.Lapsed, Assert.Single(Swaps(kit)).Status);
        Assert.Equal(kit.Zhao.Id, kit.On(DutyKit.Monday.AddDays(2))[0].Teacher);
    }

    [Theory]
    [InlineData("/duty swap 周三中午 周五放学后", "11月25日 周三 中午 不是你的值日，只能拿自己的班去换。发 /duty 查看值日表。")]
    [InlineData("/duty swap 周一中午 周二中午", "11月24日 周二 中午 没有人值日，没有可换的班。")]
    [InlineData("/duty swap 周一中午 周五放学后", "这两个班都是你的，不用换。")]
    [InlineData("/duty swap 周一中午", "换班的写法：/duty swap 你的班 对方的班，例如 /duty swap 周三中午 周五放学后；下周的班写 下周五放学后。")]
    [InlineData("/duty swap 周一 周三中午", "换班的写法：/duty swap 你的班 对方的班，例如 /duty swap 周三中午 周五放学后；下周的班写 下周五放学后。")]
    [InlineData("/duty swap 周一中午 周三中午 周五放学后", "换班的写法：/duty swap 你的班 对方的班，例如 /duty swap 周三中午 周五放学后；下周的班写 下周五放学后。")]
    [InlineData("/duty swap 周一下午 周三中午", "换班的写法：/duty swap 你的班 对方的班，例如 /duty swap 周三中午 周五放学后；下周的班写 下周五放学后。")]
    [InlineData("/duty whatever", "用法：/duty 本周值日表 · /duty 下周 下周值日表 · /duty swap 周三中午 周五放学后 换班")]
    public void Bad_or_impossible_swaps_are_refused_with_a_short_answer(string text, string answer)
    {
        using var kit = School();

        Assert.Equal(answer, Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, text))));
        Assert.Empty(Swaps(kit));
        Assert.Empty(RowsTo(kit, DutyKit.ZhaoChat));
        Assert.Empty(Audit(kit));
    }

    [Fact]
    public void A_past_turn_or_an_unreachable_teacher_is_refused_and_a_repeated_proposal_is_not_sent_twice()
    {
        using var kit = School();
        kit.Chat.Time.Advance(TimeSpan.FromDays(1)); // Tuesday
        Assert.Equal("11月23日 周一 中午 已经过去了，不能换。下周的班请写“下周”，例如 下周三中午。", Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周一中午 周三中午"))));

        kit.Chat.Db.Write(tx =>
        {
            var zhao = tx.People.FindById(kit.Zhao.Id);
            zhao.Status = Reachability.Blocked;
            tx.People.Update(zhao);
        });
        Assert.Equal("赵老师还没有在 CareBot 上联系得到，换班请求发不出去。请当面商量，或请管理员调整值日表。", Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周五放学后 周三中午"))));
        Assert.Empty(Swaps(kit));

        // The written forms: 换班 glued to the turns, 下周, and 星期.
        Assert.StartsWith("已请李阿姨确认换班", Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty 换班星期五放学后 和 下周一放学后"))), StringComparison.Ordinal);
        Assert.Equal("已经向李阿姨发过这个换班请求了，请等对方回复。", Assert.Single(kit.Chat.Send(kit.Chat.Text(DutyKit.WangChat, "/duty swap 周五放学后 下周一放学后"))));
        Assert.Single(Swaps(kit));
        Assert.Single(RowsTo(kit, DutyKit.LiChat));
    }
}

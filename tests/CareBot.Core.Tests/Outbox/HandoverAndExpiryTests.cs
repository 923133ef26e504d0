using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Outbox;

/// <summary>
/// Issue 19: a chat taken over keeps parents' messages Held for the teacher; a row goes to its person's chat as it is
/// when it is sent; how long each kind of message still matters.
/// </summary>
public sealed class HandoverAndExpiryTests
{
    private const long MentorChat = 501, ParentChat = 601, ColleagueChat = 502, MentorNewChat = 503;

    private static List<OutboxMessage> RelaysTo(ChatTestKit kit, int personId) =>
        kit.Db.Read(tx => tx.Outbox.Find(o => o.PersonId == personId && o.Kind == OutboxKind.Relay).OrderBy(o => o.Id).ToList());

    [Fact]
    public void A_teachers_chat_taken_over_through_another_invite_keeps_the_parents_waiting_messages_held_for_the_teacher()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        var parent = kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        var colleague = kit.AddPerson("赵老师", "13800000002", Roles.Mentor, chatId: null);
        kit.AddChild("S001", "小明", mentor, parent);
        kit.Send(kit.Text(ParentChat, "老师好，孩子最近怎么样"));
        Assert.Equal(OutboxStatus.Pending, Assert.Single(RelaysTo(kit, mentor.Id)).Status);

        // The teacher's phone is passed to a colleague, who links it with their own invite.
        var colleagueCode = kit.Invites.Issue([colleague], 14, "test")[0].Code;
        kit.Send(kit.Text(MentorChat, "/start " + colleagueCode));

        var held = Assert.Single(RelaysTo(kit, mentor.Id));
        Assert.Equal(OutboxStatus.Held, held.Status);
        Assert.StartsWith("🕓", held.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(kit.Outbox.Due(100), r => r.Id == held.Id);

        // The teacher links a new chat: the message goes there, not to the colleague.
        var code = kit.Invites.Issue([kit.Db.Read(tx => tx.People.FindById(mentor.Id))], 14, "test")[0].Code;
        kit.Send(kit.Text(MentorNewChat, "/start " + code));
        var released = Assert.Single(RelaysTo(kit, mentor.Id));
        Assert.Equal((OutboxStatus.Pending, MentorNewChat), (released.Status, released.TelegramId));
        Assert.Contains("孩子最近怎么样", released.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void At_send_time_a_row_goes_to_the_persons_current_chat_and_is_held_when_they_have_none()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        var parent = kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        kit.AddChild("S001", "小明", mentor, parent);
        kit.Send(kit.Text(ParentChat, "老师好"));
        var relay = Assert.Single(RelaysTo(kit, mentor.Id));
        Assert.Equal(MentorChat, relay.TelegramId);

        // Relinked since the row was planned: it goes to the new chat, and the stored row says so.
        kit.Db.Write(tx =>
        {
            var m = tx.People.FindById(mentor.Id);
            m.Chat = TelegramChats.At(MentorNewChat);
            tx.People.Update(m);
        });
        var claim = kit.Outbox.Claim(relay.Id, (_, _) => false, kit.Clock.ToLocalDate);
        Assert.Equal(ClaimResult.Send, claim.Result);
        var claimed = claim.Row!;
        Assert.Equal(MentorNewChat, claimed.TelegramId);
        Assert.Equal((OutboxStatus.Sending, MentorNewChat, 1), kit.Db.Read(tx => tx.Outbox.FindById(relay.Id)) is var s ? (s.Status, s.TelegramId, s.Attempts) : default);

        // Back to pending, and the teacher has no chat now: held, dated, and released when they link again.
        kit.Outbox.Retry(claimed, kit.Clock.UtcNow, "timeout");
        kit.Db.Write(tx =>
        {
            var m = tx.People.FindById(mentor.Id);
            (m.Chat, m.Status) = (null, Reachability.NotLinked);
            tx.People.Update(m);
        });
        Assert.Equal(ClaimResult.Held, kit.Outbox.Claim(relay.Id, (_, _) => false, kit.Clock.ToLocalDate).Result);
        Assert.Equal(OutboxStatus.Held, kit.Db.Read(tx => tx.Outbox.FindById(relay.Id)).Status);

        var code = kit.Invites.Issue([kit.Db.Read(tx => tx.People.FindById(mentor.Id))], 14, "test")[0].Code;
        kit.Send(kit.Text(MentorChat, "/start " + code));
        Assert.Equal((OutboxStatus.Pending, MentorChat), kit.Db.Read(tx => tx.Outbox.FindById(relay.Id)) is var r ? (r.Status, r.TelegramId) : default);
    }

    [Fact]
    public void A_reminder_matters_until_the_end_of_its_day_a_weekly_update_until_its_catch_up_window_closes_a_meeting_invitation_until_the_meeting_and_the_rest_until_sent()
    {
        using var kit = new ChatTestKit(); // Monday 2026-11-23, Asia/Shanghai
        var now = kit.Clock.UtcNow;
        var meeting = new Meeting { Date = new DateOnly(2026, 11, 28), Time = "09:30", Place = "p", Title = "t" };
        kit.Db.Write(tx => tx.Meetings.Insert(meeting));
        OutboxMessage Row(OutboxKind kind, string key, string? week = null) => new() { Key = key, Kind = kind, Week = week, CreatedUtc = now };

        DateTime? Expiry(OutboxMessage row) => kit.Db.Read(tx => OutboxExpiry.Of(tx, row, kit.Clock, catchUpDays: 2));
        DateTime Local(int day, int hour, int minute = 0) => new DateTime(2026, 11, day, hour, minute, 0, DateTimeKind.Utc).AddHours(-8);

        Assert.Equal(Local(24, 0), Expiry(Row(OutboxKind.Reminder, "remind:1:2026-11-23")));
        // Week 48 is Mon 23 .. Sun 29 November; its catch-up window closes two days after the week.
        Assert.Equal(Local(30, 0).AddDays(2), Expiry(Row(OutboxKind.WeeklyUpdate, "weekly:1:S001:2026-W48", "2026-W48")));
        Assert.Equal(Local(30, 0).AddDays(2), Expiry(Row(OutboxKind.WeeklyMedia, "weekly-media:1:S001:2026-W48", "2026-W48")));
        Assert.Equal(Local(28, 9, 30), Expiry(Row(OutboxKind.Meeting, $"meeting:{meeting.Id}:7")));
        Assert.Equal(Local(28, 9, 30), Expiry(Row(OutboxKind.Meeting, $"meeting-remind:{meeting.Id}:7")));
        foreach (var kind in new[] { OutboxKind.Relay, OutboxKind.Escalation, OutboxKind.Waiting, OutboxKind.Reply, OutboxKind.Notice })
        {
            Assert.Null(Expiry(Row(kind, "k:" + kind)));
        }
    }
}

/// <summary>Expired weekly updates are counted in <c>carebot report</c>, never silently dropped.</summary>
public sealed class ExpiredInReportTests
{
    [Fact]
    public void The_report_counts_last_weeks_updates_that_expired_unsent()
    {
        using var kit = new ChatTestKit(); // Monday 2026-11-23: last week is 2026-W47
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 501);
        var father = kit.AddPerson("张大山", "13700000001", Roles.Parent, 601);
        var mother = kit.AddPerson("李秀英", "13700000002", Roles.Parent, 602);
        kit.AddChild("S001", "小明", mentor, father, mother);
        var child = kit.Db.Read(tx => tx.Children.FindAll().Single());
        foreach (var (parent, status) in new[] { (father, OutboxStatus.Expired), (mother, OutboxStatus.Sent) })
        {
            kit.Db.Write(tx => tx.Outbox.Insert(new OutboxMessage
            {
                Key = WeeklyUpdatePlanner.Key(parent.Id, child.Id, "2026-W47"), PersonId = parent.Id, Chat = parent.Chat,
                Kind = OutboxKind.WeeklyUpdate, ChildId = child.Id, Week = "2026-W47", Status = status, Text = "x",
            }));
        }

        var report = new CareReport(kit.Db, kit.Clock, kit.Options).Build();

        Assert.Equal((1, 1, 0, 0), (report.Total.Updates.Sent, report.Total.Updates.Expired, report.Total.Updates.Failed, report.Total.Updates.Unreachable));
        Assert.Contains("1 weekly updates expired unsent", CareReport.RenderText(report, "en"), StringComparison.Ordinal);
        Assert.Contains("1 条每周通报未能发出已过期", CareReport.RenderText(report, "zh"), StringComparison.Ordinal);
    }
}

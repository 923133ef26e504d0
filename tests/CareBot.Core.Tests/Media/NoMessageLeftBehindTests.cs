using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Text;

namespace CareBot.Core.Tests.Media;

/// <summary>Issue 13: a parent's message waits for a teacher who is not reachable, and nothing is saved twice.</summary>
public sealed class NoMessageLeftBehindTests
{
    private const long MentorChat = 501, ParentChat = 601, AdminChat = 701;

    private static List<OutboxMessage> RowsTo(ChatTestKit kit, int personId) =>
        kit.Db.Read(tx => tx.Outbox.Find(o => o.PersonId == personId && o.Kind == OutboxKind.Relay).OrderBy(o => o.Id).ToList());

    [Fact]
    public void Parents_messages_for_a_teacher_not_linked_yet_are_delivered_oldest_first_with_their_date_when_the_teacher_links()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, chatId: null);
        kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        kit.AddChild("S001", "小明", mentor, kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(ParentChat))));

        var first = kit.Send(kit.Text(ParentChat, "第一条"));
        kit.Time.Advance(TimeSpan.FromDays(1));
        kit.Send(kit.Media(ParentChat, MediaKind.Voice));
        Assert.Equal(Texts.Get("zh", "parent.saved_no_carer"), Assert.Single(first));
        Assert.All(RowsTo(kit, mentor.Id), r => Assert.Equal(OutboxStatus.Held, r.Status));
        Assert.DoesNotContain(kit.Outbox.Due(100), r => r.PersonId == mentor.Id);

        var code = kit.Invites.Issue([mentor], 14, "test")[0].Code;
        kit.Send(kit.Text(MentorChat, "/start " + code));

        var rows = RowsTo(kit, mentor.Id);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal((OutboxStatus.Pending, MentorChat), (r.Status, r.TelegramId)));
        Assert.StartsWith(Texts.Get("zh", "media.held_date", "11月23日"), rows[0].Text, StringComparison.Ordinal);
        Assert.Contains("第一条", rows[0].Text, StringComparison.Ordinal);
        Assert.StartsWith(Texts.Get("zh", "media.held_date", "11月24日"), rows[1].Text, StringComparison.Ordinal);
        Assert.Equal(OutMediaKind.Copy, rows[1].Media!.Kind);
        var due = kit.Outbox.Due(100).Where(r => r.PersonId == mentor.Id).Select(r => r.Id).ToList();
        Assert.Equal(rows.Select(r => r.Id), due.Where(id => rows.Any(r => r.Id == id)));
    }

    [Fact]
    public void A_parents_message_to_a_teacher_who_blocked_the_bot_is_held_and_sent_when_they_unblock()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        var parent = kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        kit.AddChild("S001", "小明", mentor, parent);
        kit.Send(kit.Text(ParentChat, "老师好"));
        var relay = Assert.Single(RowsTo(kit, mentor.Id));

        // The dispatcher got 403 for it.
        kit.Outbox.MarkBlocked(relay, "403", kit.Clock.ToLocalDate);
        Assert.Equal(OutboxStatus.Held, Assert.Single(RowsTo(kit, mentor.Id)).Status);
        Assert.Equal(Reachability.Blocked, kit.Db.Read(tx => tx.People.FindById(mentor.Id)).Status);

        kit.Processor.Process(new IncomingMessage(5000, TelegramChats.At(MentorChat), ChatKind.Private, IncomingKind.UnblockedBot, null));

        Assert.Equal(Reachability.Reachable, kit.Db.Read(tx => tx.People.FindById(mentor.Id)).Status);
        var released = Assert.Single(RowsTo(kit, mentor.Id));
        Assert.Equal(OutboxStatus.Pending, released.Status);
        Assert.StartsWith("🕓", released.Text, StringComparison.Ordinal);
        Assert.Contains(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.unblocked");
    }

    [Fact]
    public void Admins_are_told_in_the_daily_run_about_parents_messages_waiting_more_than_two_days_once_a_day()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, chatId: null);
        var parent = kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        var admin = kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        kit.AddChild("S001", "小明", mentor, parent);
        kit.Send(kit.Text(ParentChat, "老师好"));
        var planner = new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, kit.Options);

        kit.Time.Advance(TimeSpan.FromDays(1));
        planner.Plan();
        Assert.False(kit.Db.Read(tx => tx.Outbox.Exists(o => o.Kind == OutboxKind.Waiting)));

        kit.Time.Advance(TimeSpan.FromDays(1.5));
        planner.Plan();
        planner.Plan();
        var told = Assert.Single(kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Waiting).ToList()));
        Assert.Equal(admin.Id, told.PersonId);
        Assert.Contains(Texts.Get("zh", "media.waiting.row", "王老师", 1, "11月23日"), told.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("老师好", told.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_visited_button_records_one_visit_and_removes_the_buttons()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        kit.AddChild("S001", "小明", mentor);

        var first = kit.Processor.Process(kit.Button(MentorChat, "visited:S001", messageId: 42));
        var second = kit.Processor.Process(kit.Button(MentorChat, "visited:S001", messageId: 42));

        Assert.Single(kit.Db.Read(tx => tx.Records.FindAll().ToList()));
        Assert.Equal(42, first!.RemoveButtonsFromMessageId);
        Assert.Equal(42, second!.RemoveButtonsFromMessageId);
        Assert.Equal(Texts.Get("zh", "media.button_done"), second.CallbackText);
    }

    [Fact]
    public void A_relink_invite_moves_a_linked_person_to_the_new_chat_and_unlinks_the_old_one_with_an_audit_entry()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        kit.AddChild("S001", "小明", mentor);
        Assert.Empty(kit.Invites.Issue([mentor], 14, "cli"));

        var code = Assert.Single(kit.Invites.Issue([mentor], 14, "cli", relink: true)).Code;
        kit.Send(kit.Text(888, "/start " + code));

        Assert.Equal(888, kit.Db.Read(tx => tx.People.FindById(mentor.Id)).TelegramId);
        Assert.Null(kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(MentorChat))));
        Assert.Contains(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.relinked" && a.Detail!.Contains($"person:{mentor.Id}", StringComparison.Ordinal));
        var old = kit.Send(kit.Text(MentorChat, "/mine"));
        Assert.Equal(Texts.Get("zh", "link.need_invite"), Assert.Single(old));
    }

    [Fact]
    public void A_plain_invite_issued_before_the_person_linked_elsewhere_does_not_move_them()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, chatId: null);
        kit.AddChild("S001", "小明", mentor);
        var first = Assert.Single(kit.Invites.Issue([mentor], 14, "cli")).Code;
        kit.Db.Write(tx =>
        {
            var m = tx.People.FindById(mentor.Id);
            m.Chat = TelegramChats.At(MentorChat);
            m.Status = Reachability.Reachable;
            tx.People.Update(m);
        });

        kit.Send(kit.Text(888, "/start " + first));

        Assert.Equal(MentorChat, kit.Db.Read(tx => tx.People.FindById(mentor.Id)).TelegramId);
        Assert.DoesNotContain(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.relinked");
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Safeguarding;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>
/// Concerns, flags and held notes through the chat handler, in the two-school county of <see cref="AccessWorld"/>:
/// who is alerted, the repeat on a fake clock until someone acknowledges, report and close, a check-in's flag and the
/// visit that clears it, and a note held back for a safeguarding word.
/// </summary>
public sealed class SafeguardingChatTests
{
    private static List<OutboxMessage> Rows(ChatTestKit kit) => kit.Db.Read(tx => tx.Outbox.FindAll().OrderBy(o => o.Id).ToList());

    private static List<OutboxMessage> Alerts(ChatTestKit kit, long chat) => Rows(kit).Where(o => o.TelegramId == chat && o.Kind == OutboxKind.Alert).ToList();

    private static Concern RecordConcern(ChatTestKit kit, string text = "/concern 1 abuse bruises on his leg, says grandma hit him")
    {
        kit.Send(kit.Text(AccessWorld.MentorChat, text));
        return kit.Db.Read(tx => tx.Concerns.FindAll().OrderByDescending(c => c.Id).First());
    }

    [Fact]
    public void A_concern_alerts_the_admins_of_the_childs_school_at_once_and_no_parent()
    {
        using var kit = AccessWorld.Create();

        var replies = kit.Send(kit.Text(AccessWorld.MentorChat, "/concern 1 abuse bruises on his leg, says grandma hit him"));

        var concern = kit.Db.Read(tx => tx.Concerns.FindAll().Single());
        Assert.Equal(("a/101", ConcernType.Abuse, "bruises on his leg, says grandma hit him"), (concern.ChildId, concern.Type, concern.Note));
        Assert.Contains(replies, r => r.Contains($"Concern #{concern.Id} recorded", StringComparison.Ordinal) && r.Contains("1 admin(s) alerted", StringComparison.Ordinal));
        var alert = Assert.Single(Alerts(kit, AccessWorld.AdminChat));
        Assert.Equal(OutboxPriority.Reply, alert.Priority);
        Assert.Contains("Xiaohong", alert.Text, StringComparison.Ordinal);
        Assert.Contains("abuse", alert.Text, StringComparison.Ordinal);
        Assert.Equal([$"sgack:{concern.Id}"], alert.Buttons.Select(b => b.Data));
        Assert.DoesNotContain(Rows(kit), o => o.TelegramId is AccessWorld.OtherAdminChat or AccessWorld.ParentChat);
        Assert.DoesNotContain(Rows(kit), o => o.TelegramId != AccessWorld.MentorChat && o.Text.Contains("grandma", StringComparison.Ordinal));
        Assert.Contains(kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "concern.recorded" && a.ChildId == "a/101" && !a.Detail!.Contains("grandma", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_type_the_types_are_listed_and_nothing_is_saved()
    {
        using var kit = AccessWorld.Create();

        var usage = kit.Send(kit.Text(AccessWorld.MentorChat, "/concern"));
        var badType = kit.Send(kit.Text(AccessWorld.MentorChat, "/concern 1 hungry he looks thin"));

        Assert.Contains(usage, r => r.Contains("abuse 侵害", StringComparison.Ordinal) && r.Contains("dropout 辍学", StringComparison.Ordinal));
        Assert.Contains(badType, r => r.Contains("Unknown type \"hungry\"", StringComparison.Ordinal));
        Assert.Equal(0, kit.Db.Read(tx => tx.Concerns.Count()));
    }

    [Fact]
    public void An_unacknowledged_concern_is_alerted_again_after_an_hour_and_each_hour_until_acknowledged()
    {
        using var kit = AccessWorld.Create();
        kit.Options.Admins.Add(new AdminEntry { Name = "County Zhou", Phone = "13600000009" });
        kit.AddPerson("County Zhou", "13600000009", Roles.Admin, 709, "en");
        var concern = RecordConcern(kit);
        var start = kit.Time.GetUtcNow();
        var planner = new AlertPlanner(kit.Db, kit.Options, kit.Time);
        Assert.Single(Alerts(kit, AccessWorld.AdminChat));
        Assert.Single(Alerts(kit, 709));

        kit.Time.SetUtcNow(start.AddMinutes(59));
        Assert.Equal(0, planner.Plan());

        kit.Time.SetUtcNow(start.AddMinutes(60));
        Assert.Equal(1, planner.Plan());
        Assert.Equal(0, planner.Plan()); // the same round is not queued twice
        Assert.Equal(2, Alerts(kit, AccessWorld.AdminChat).Count);
        Assert.Equal(2, Alerts(kit, 709).Count);
        Assert.Contains("Alert 2", Alerts(kit, AccessWorld.AdminChat)[^1].Text, StringComparison.Ordinal);
        Assert.Empty(Alerts(kit, AccessWorld.OtherAdminChat));

        // Down for three hours: one round on the way back, not three.
        kit.Time.SetUtcNow(start.AddMinutes(60 + 180 + 1));
        Assert.Equal(1, planner.Plan());
        Assert.Equal(3, Alerts(kit, AccessWorld.AdminChat).Count);

        var pressed = kit.Send(kit.Button(AccessWorld.AdminChat, $"sgack:{concern.Id}"));
        Assert.Contains(pressed, r => r.Contains($"Concern #{concern.Id} acknowledged", StringComparison.Ordinal));
        var acknowledged = kit.Db.Read(tx => tx.Concerns.FindById(concern.Id));
        var admin = kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(AccessWorld.AdminChat)));
        Assert.Equal(admin.Id, acknowledged.AcknowledgedBy);
        Assert.Equal(kit.Time.GetUtcNow().UtcDateTime, acknowledged.AcknowledgedUtc!.Value, TimeSpan.FromSeconds(1));

        kit.Time.SetUtcNow(start.AddHours(8));
        Assert.Equal(0, planner.Plan());
        Assert.Equal(3, Alerts(kit, AccessWorld.AdminChat).Count);
        var again = kit.Send(kit.Button(709, $"sgack:{concern.Id}"));
        Assert.Contains(again, r => r.Contains("already acknowledged by Head Liu", StringComparison.Ordinal));
    }

    [Fact]
    public void Another_schools_admin_cannot_acknowledge_report_or_read_a_concern()
    {
        using var kit = AccessWorld.Create();
        var concern = RecordConcern(kit);

        var read = kit.Send(kit.Text(AccessWorld.OtherAdminChat, $"/concern {concern.Id}"));
        kit.Send(kit.Button(AccessWorld.OtherAdminChat, $"sgack:{concern.Id}"));
        var report = kit.Send(kit.Text(AccessWorld.OtherAdminChat, $"/concern {concern.Id} reported police"));

        Assert.Contains(read, r => r.Contains($"no concern #{concern.Id}", StringComparison.Ordinal));
        Assert.Contains(report, r => r.Contains($"no concern #{concern.Id}", StringComparison.Ordinal));
        Assert.DoesNotContain(read.Concat(report), r => r.Contains("grandma", StringComparison.Ordinal));
        var after = kit.Db.Read(tx => tx.Concerns.FindById(concern.Id));
        Assert.Null(after.AcknowledgedUtc);
        Assert.Null(after.ReportedUtc);
    }

    [Fact]
    public void An_admin_records_the_report_to_an_authority_and_the_outcome()
    {
        using var kit = AccessWorld.Create();
        var concern = RecordConcern(kit);

        var byMentor = kit.Send(kit.Text(AccessWorld.MentorChat, $"/concern {concern.Id} reported police"));
        var badAuthority = kit.Send(kit.Text(AccessWorld.AdminChat, $"/concern {concern.Id} reported neighbours"));
        var reported = kit.Send(kit.Text(AccessWorld.AdminChat, $"/concern {concern.Id} reported 公安 JX-2026-118"));
        var closed = kit.Send(kit.Text(AccessWorld.AdminChat, $"/concern #{concern.Id} closed the grandmother was warned; aunt now cares for him"));
        var shown = kit.Send(kit.Text(AccessWorld.MentorChat, $"/concern {concern.Id}"));

        Assert.Contains(byMentor, r => r.Contains("Only the school's admins", StringComparison.Ordinal));
        Assert.Contains(badAuthority, r => r.Contains("police|civil|women|other", StringComparison.Ordinal));
        Assert.Contains(reported, r => r.Contains("recorded as reported (police)", StringComparison.Ordinal));
        Assert.Contains(closed, r => r.Contains($"Concern #{concern.Id} closed", StringComparison.Ordinal));
        var after = kit.Db.Read(tx => tx.Concerns.FindById(concern.Id));
        Assert.Equal((Authority.Police, "JX-2026-118", ConcernStatus.Closed), (after.ReportedTo!.Value, after.Reference!, after.Status));
        Assert.NotNull(after.AcknowledgedUtc); // reporting it is knowing of it
        var detail = Assert.Single(shown);
        Assert.Contains("Reported to: police, reference JX-2026-118, by Head Liu", detail, StringComparison.Ordinal);
        Assert.Contains("Closed: the grandmother was warned", detail, StringComparison.Ordinal);
        Assert.Contains("Note: bruises on his leg", detail, StringComparison.Ordinal);
        var audit = kit.Db.Read(tx => tx.Audit.FindAll().Select(a => a.Action).ToList());
        Assert.Contains("concern.reported", audit);
        Assert.Contains("concern.closed", audit);
        Assert.Contains("concern.read", audit);
    }

    [Fact]
    public void A_low_check_in_tells_the_carer_and_the_schools_admins_makes_the_visit_due_and_a_visit_clears_it()
    {
        using var kit = AccessWorld.Create();
        kit.Send(kit.Text(AccessWorld.MentorChat, "/visit 1 all well at home"));
        kit.Time.Advance(TimeSpan.FromDays(3));
        kit.Send(kit.Text(AccessWorld.MentorChat, "/check 1 study=4 life=3 mood=4 safety=5 health=4"));
        Assert.Equal(0, kit.Db.Read(tx => tx.Flags.Count()));
        var calculator = new CareStatusCalculator(kit.Db, kit.Clock, kit.Options);
        Assert.False(calculator.ForChildren(kit.Clock.Today, ["a/101"])["a/101"].VisitDue);

        kit.Time.Advance(TimeSpan.FromDays(1));
        kit.Send(kit.Text(AccessWorld.MentorChat, "/check 1 study=4 life=3 mood=2 safety=5 health=4"));

        var flag = kit.Db.Read(tx => tx.Flags.FindAll().Single());
        Assert.True(flag.IsOpen);
        foreach (var chat in new[] { AccessWorld.MentorChat, AccessWorld.AdminChat })
        {
            var alert = Assert.Single(Alerts(kit, chat));
            Assert.Contains("Xiaohong", alert.Text, StringComparison.Ordinal);
            Assert.Contains("mood 4→2 (low, down 2)", alert.Text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Rows(kit), o => o.TelegramId is AccessWorld.ParentChat or AccessWorld.OtherAdminChat or AccessWorld.VolunteerChat);
        var status = calculator.ForChildren(kit.Clock.Today, ["a/101"])["a/101"];
        Assert.Equal(kit.Clock.Today, status.NextVisitDue); // visited four days ago, due again at once
        Assert.Contains(kit.Send(kit.Text(AccessWorld.AdminChat, "/flags")), r => r.Contains($"#{flag.Id} Xiaohong", StringComparison.Ordinal));
        Assert.Contains(kit.Send(kit.Text(AccessWorld.OtherAdminChat, "/flags")), r => r.Contains("No open flags", StringComparison.Ordinal));

        var visit = kit.Send(kit.Text(AccessWorld.MentorChat, "/visit 1 talked with grandma, he misses his mother"));

        Assert.Contains(visit, r => r.Contains("flag of Xiaohong is cleared", StringComparison.Ordinal));
        var cleared = kit.Db.Read(tx => tx.Flags.FindById(flag.Id));
        Assert.False(cleared.IsOpen);
        Assert.StartsWith("record:", cleared.ClearedBy, StringComparison.Ordinal);
        Assert.False(calculator.ForChildren(kit.Clock.Today, ["a/101"])["a/101"].VisitDue);
        Assert.Contains(kit.Send(kit.Text(AccessWorld.MentorChat, "/flags")), r => r.Contains("No open flags", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_an_admin_of_the_school_clears_a_flag_by_hand()
    {
        using var kit = AccessWorld.Create();
        kit.Send(kit.Text(AccessWorld.MentorChat, "/check 1 study=4 life=3 mood=4 safety=1 health=4"));
        var flag = kit.Db.Read(tx => tx.Flags.FindAll().Single());

        var mentor = kit.Send(kit.Text(AccessWorld.MentorChat, $"/flags clear {flag.Id}"));
        var other = kit.Send(kit.Text(AccessWorld.OtherAdminChat, $"/flags clear {flag.Id}"));
        Assert.True(kit.Db.Read(tx => tx.Flags.FindById(flag.Id)).IsOpen);
        var admin = kit.Send(kit.Text(AccessWorld.AdminChat, $"/flags clear {flag.Id}"));

        Assert.Contains(mentor, r => r.Contains("Only the school's admins", StringComparison.Ordinal));
        Assert.Contains(other, r => r.Contains($"no flag #{flag.Id}", StringComparison.Ordinal));
        Assert.Contains(admin, r => r.Contains($"Flag #{flag.Id} cleared", StringComparison.Ordinal));
        var cleared = kit.Db.Read(tx => tx.Flags.FindById(flag.Id));
        Assert.False(cleared.IsOpen);
        Assert.StartsWith("person:", cleared.ClearedBy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_note_with_a_safeguarding_word_is_held_and_the_carer_decides_with_buttons()
    {
        using var kit = AccessWorld.Create();

        var replies = kit.Send(kit.Text(AccessWorld.MentorChat, "/visit 1 bruises on his leg, says he fell"));

        var record = kit.Db.Read(tx => tx.Records.FindAll().Single());
        Assert.Equal(NotePrivacy.Held, record.Privacy);
        var question = Rows(kit).Last(o => o.TelegramId == AccessWorld.MentorChat);
        Assert.Contains("\"bruises\"", question.Text, StringComparison.Ordinal);
        Assert.Equal(["Send to parents", "Keep private", "Record as a concern"], question.Buttons.Select(b => b.Text));
        Assert.Contains(replies, r => r.Contains("Home visit", StringComparison.OrdinalIgnoreCase) || r.Contains("visit", StringComparison.OrdinalIgnoreCase));

        // Record as a concern: choose the type, and the note becomes the concern's note; the record stays private.
        kit.Send(kit.Button(AccessWorld.MentorChat, question.Buttons[2].Data));
        var types = Rows(kit).Last(o => o.TelegramId == AccessWorld.MentorChat);
        Assert.Equal(7, types.Buttons.Count);
        kit.Send(kit.Button(AccessWorld.MentorChat, types.Buttons.Single(b => b.Text == "abuse").Data));

        var concern = kit.Db.Read(tx => tx.Concerns.FindAll().Single());
        Assert.Equal((ConcernType.Abuse, "bruises on his leg, says he fell", record.Id), (concern.Type, concern.Note, concern.FromRecordId!.Value));
        Assert.Equal(NotePrivacy.Private, kit.Db.Read(tx => tx.Records.FindById(record.Id)).Privacy);
        Assert.Single(Alerts(kit, AccessWorld.AdminChat));

        // A second press of the old buttons changes nothing.
        kit.Send(kit.Button(AccessWorld.MentorChat, question.Buttons[0].Data));
        Assert.Equal(NotePrivacy.Private, kit.Db.Read(tx => tx.Records.FindById(record.Id)).Privacy);
    }

    [Fact]
    public void Only_the_author_of_a_held_note_can_release_it()
    {
        using var kit = AccessWorld.Create();
        kit.Send(kit.Text(AccessWorld.MentorChat, "/visit 1 bruises on his leg, says he fell"));
        var question = Rows(kit).Last(o => o.TelegramId == AccessWorld.MentorChat);

        kit.Send(kit.Button(AccessWorld.VolunteerChat, question.Buttons[0].Data));
        Assert.Equal(NotePrivacy.Held, kit.Db.Read(tx => tx.Records.FindAll().Single()).Privacy);

        kit.Send(kit.Button(AccessWorld.MentorChat, question.Buttons[0].Data));
        Assert.Equal(NotePrivacy.Shared, kit.Db.Read(tx => tx.Records.FindAll().Single()).Privacy);
    }

    [Fact]
    public void A_private_tag_is_confirmed_to_the_carer()
    {
        using var kit = AccessWorld.Create();

        var replies = kit.Send(kit.Text(AccessWorld.MentorChat, "/talk 1 parents are divorcing #private"));

        Assert.Contains(replies, r => r.Contains("This note is private", StringComparison.Ordinal));
        Assert.Equal(NotePrivacy.Private, kit.Db.Read(tx => tx.Records.FindAll().Single()).Privacy);
    }

    [Fact]
    public void Forget_removes_the_childs_concerns_and_flags()
    {
        using var kit = AccessWorld.Create();
        RecordConcern(kit);
        kit.Send(kit.Text(AccessWorld.MentorChat, "/check 1 study=4 life=3 mood=1 safety=5 health=4"));
        kit.Send(kit.Text(AccessWorld.OtherMentorChat, "/concern 1 dropout has not come to school for a week"));

        new CareBot.Core.Protection.ForgetService(kit.Db, kit.Time).Forget("a/101", "test");

        Assert.Equal(["b/201"], kit.Db.Read(tx => tx.Concerns.FindAll().Select(c => c.ChildId).ToList()));
        Assert.Equal(0, kit.Db.Read(tx => tx.Flags.Count()));
        Assert.DoesNotContain(Rows(kit), o => o.Kind == OutboxKind.Alert && o.ChildId == "a/101");
    }
}

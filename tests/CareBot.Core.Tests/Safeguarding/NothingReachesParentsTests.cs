using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Safeguarding;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>
/// A scripted school week with a concern, a <c>#私密</c> note, a note held for a safeguarding word and never answered,
/// a flagged check-in and a private photo; then the reminders, the repeats and the Sunday weekly update. Over the
/// WHOLE outbox, no row to a parent holds any of those notes or alerts, while the shared notes of the same week (and a
/// held note its carer released) do reach them: the scan can see what it looks for.
/// </summary>
public sealed class NothingReachesParentsTests
{
    private static readonly string[] Secret =
    [
        "CONCERN-NOTE",      // the concern's note
        "divorcing",         // a #私密 talk note
        "hit by grandma",    // a visit note held for a safeguarding word, never answered
        "CHECK-NOTE",        // a flagged check-in's note
        "PHOTO-SECRET",      // the caption of a private home-visit photo
        "oncern #",          // any alert about a concern (Concern #1, Alert 2: concern #1)
        "Check-in flag",     // any alert about a flag
        "held back",         // the question to the carer
    ];

    [Fact]
    public void After_a_week_no_outbox_row_to_a_parent_holds_a_concern_a_private_or_a_held_note()
    {
        using var kit = AccessWorld.Create(otherSchoolParent: true);
        var mentor = AccessWorld.MentorChat;

        // Monday
        kit.Send(kit.Text(mentor, "/visit 1 he was hit by grandma and has bruises on his leg"));
        kit.Send(kit.Text(mentor, "/talk 1 parents are divorcing, he is sad #私密"));
        kit.Send(kit.Text(mentor, "/concern 1 abuse CONCERN-NOTE grandma beats him with a stick"));
        kit.Send(kit.Media(mentor, MediaKind.Photo, "/visit 1 PHOTO-SECRET the bruises #private"));
        kit.Send(kit.Text(mentor, "/diary 1 SHARED-DIARY wrote a lovely essay about the river"));

        // Tuesday: a flagged check-in, a parent's message and the mentor's answer, a notice.
        kit.Time.Advance(TimeSpan.FromDays(1));
        kit.Send(kit.Text(mentor, "/check 1 study=4 life=3 mood=1 safety=2 health=4 CHECK-NOTE cries at night"));
        kit.Send(kit.Text(AccessWorld.ParentChat, "How is he doing?"));
        var relay = kit.MarkLastSent(mentor, 9001);
        Assert.Equal(OutboxKind.Relay, relay.Kind);
        kit.Send(kit.Text(mentor, "He is doing his homework well", replyTo: 9001));
        kit.Send(kit.Text(AccessWorld.AdminChat, "/notice School opens at 8 on Monday"));

        // Wednesday: a note held for a word, released by its carer; the other school's check-in flag.
        kit.Time.Advance(TimeSpan.FromDays(1));
        kit.Send(kit.Text(AccessWorld.VolunteerChat, "/visit 1 RELEASED-NOTE the injury on his knee has healed"));
        var question = kit.Db.Read(tx => tx.Outbox.FindAll().Last(o => o.TelegramId == AccessWorld.VolunteerChat && o.Buttons.Count == 3));
        kit.Send(kit.Button(AccessWorld.VolunteerChat, question.Buttons[0].Data));
        kit.Send(kit.Text(AccessWorld.OtherMentorChat, "/check 1 study=1 life=3 mood=1 safety=2 health=4 CHECK-NOTE hungry"));

        // Every morning the reminders; the unacknowledged concern is alerted again.
        var planner = new AlertPlanner(kit.Db, kit.Options, kit.Time);
        for (var day = 0; day < 4; day++)
        {
            kit.Time.Advance(TimeSpan.FromDays(1));
            new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, kit.Options).Plan();
            planner.Plan();
        }

        // Sunday 19:00: the weekly updates.
        Assert.Equal(DayOfWeek.Sunday, kit.Clock.Today.DayOfWeek);
        var weekly = new WeeklyUpdatePlanner(kit.Db, kit.Outbox).Plan(kit.Clock.Today);
        Assert.True(weekly.Planned >= 3);

        var parents = kit.Db.Read(tx => tx.People.FindAll().Where(p => p.Has(Roles.Parent)).Select(p => p.Id).ToHashSet());
        var toParents = kit.Db.Read(tx => tx.Outbox.FindAll().Where(o => parents.Contains(o.PersonId)).ToList());
        var texts = toParents.Select(o => string.Join("\n", new[] { o.Text }.Concat(o.Media?.Album?.Select(a => a.Caption ?? "") ?? []))).ToList();

        foreach (var secret in Secret)
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(toParents, o => o.Kind == OutboxKind.Alert || o.Media is not null);

        // What the parents may read did reach them: the scan is over rows that carry notes.
        var update = Assert.Single(toParents, o => o.Kind == OutboxKind.WeeklyUpdate && o.ChildId == "a/101");
        Assert.Contains("SHARED-DIARY", update.Text, StringComparison.Ordinal);
        Assert.Contains("Mentor Wang", update.Text, StringComparison.Ordinal); // the private visit and talk are there, without notes
        Assert.Contains(toParents, o => o.Kind == OutboxKind.WeeklyUpdate && o.ChildId == "a/102" && o.Text.Contains("RELEASED-NOTE", StringComparison.Ordinal));
        Assert.Contains(toParents, o => o.Kind == OutboxKind.Relay && o.Text.Contains("homework", StringComparison.Ordinal));
        Assert.Contains(toParents, o => o.Kind == OutboxKind.Notice);

        // And the staff got them: the admins the concern (three rounds) and the flags, the carers the flags.
        var staffAlerts = kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Alert).ToList());
        Assert.True(staffAlerts.Count(o => o.TelegramId == AccessWorld.AdminChat && o.Text.Contains("oncern #", StringComparison.Ordinal)) >= 3);
        Assert.Contains(staffAlerts, o => o.TelegramId == AccessWorld.MentorChat && o.Text.Contains("Check-in flag", StringComparison.Ordinal));
        Assert.Contains(staffAlerts, o => o.TelegramId == AccessWorld.OtherAdminChat && o.Text.Contains("Xiaojun", StringComparison.Ordinal));
    }
}

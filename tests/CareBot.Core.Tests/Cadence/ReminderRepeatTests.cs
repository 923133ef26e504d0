using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Planning;
using CareBot.Core.Time;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Cadence;

/// <summary>
/// Reminders that do not nag: an item (a visit, talk or call due) is reminded when it becomes due, then every
/// CareBot:Care:RemindEveryDays until it is done; a morning with nothing new and nothing repeating sends nothing.
/// </summary>
public sealed class ReminderRepeatTests
{
    /// <summary>A mentor with one child never visited (due at once); talks and calls far off.</summary>
    private static (PlanningWorld World, Person Mentor, Child Child) World()
    {
        var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23));
        w.Options.Care.TalkEveryDays = 365;
        w.Options.Care.CallParentsEveryDays = 365;
        var mentor = w.Person("王老师", Roles.Mentor);
        var child = w.Child("S1", "小明");
        w.Pair(mentor, child, new DateOnly(2026, 11, 1));
        w.Record(child, mentor, CareKind.Talk, new DateOnly(2026, 11, 1));
        return (w, mentor, child);
    }

    private static ReminderPlanResult Plan(CareDb db, FakeTimeProvider time, CareOptions options) =>
        new ReminderPlanner(db, new OutboxStore(db, time), new CareClock(time, "Asia/Shanghai"), options).Plan();

    private static List<DateOnly> ReminderDays(PlanningWorld w) =>
        w.Rows(OutboxKind.Reminder).Select(r => DateOnly.ParseExact(r.Key.Split(':')[2], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public void An_item_is_not_repeated_within_RemindEveryDays_and_repeats_on_that_day_until_done()
    {
        var (w, mentor, child) = World();
        using var _w = w;
        var planner = w.Reminders();
        for (var day = 23; day <= 30; day++)
        {
            w.SetLocal(PlanningWorld.Local(2026, 11, day));
            planner.Plan();
        }

        // Due on the 23rd (never visited): the 23rd, then every 3 days.
        Assert.Equal([new(2026, 11, 23), new(2026, 11, 26), new(2026, 11, 29)], ReminderDays(w));
        Assert.All(w.Rows(OutboxKind.Reminder), r => Assert.Contains("小明", r.Text, StringComparison.Ordinal));

        // Done on the 30th: nothing more until the visit is due again (14 days later), then at once.
        w.Record(child, mentor, CareKind.Visit, new DateOnly(2026, 11, 30));
        for (var date = new DateOnly(2026, 12, 1); date <= new DateOnly(2026, 12, 12); date = date.AddDays(1))
        {
            w.SetLocal(new DateTimeOffset(date.ToDateTime(new TimeOnly(8, 0)), PlanningWorld.Shanghai));
            planner.Plan();
        }

        Assert.Equal(new DateOnly(2026, 12, 12), ReminderDays(w)[^1]); // due on the 14th, in the window two days before
        Assert.Equal(4, ReminderDays(w).Count);
        Assert.Contains("家访应在 12月14日 前完成", w.Rows(OutboxKind.Reminder)[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RemindEveryDays_sets_the_repetition()
    {
        var (w, _, _) = World();
        using var _w = w;
        w.Options.Care.RemindEveryDays = 1;
        var planner = w.Reminders();
        for (var day = 23; day <= 25; day++)
        {
            w.SetLocal(PlanningWorld.Local(2026, 11, day));
            planner.Plan();
        }

        Assert.Equal(3, ReminderDays(w).Count);
    }

    [Fact]
    public void A_morning_with_nothing_new_sends_nothing_but_a_new_item_is_sent_alone_at_once()
    {
        var (w, mentor, _) = World();
        using var _w = w;
        var planner = w.Reminders();
        planner.Plan();
        w.SetLocal(PlanningWorld.Local(2026, 11, 24));
        var quiet = planner.Plan();

        Assert.Equal(0, quiet.Reminders);
        Assert.Single(w.Rows(OutboxKind.Reminder));

        // A second child paired on the 24th is due at once: the 25th's reminder carries it, not the first child.
        var other = w.Child("S2", "小红");
        w.Pair(mentor, other, new DateOnly(2026, 11, 24));
        w.Record(other, mentor, CareKind.Talk, new DateOnly(2026, 11, 24));
        w.SetLocal(PlanningWorld.Local(2026, 11, 25));
        planner.Plan();

        var rows = w.Rows(OutboxKind.Reminder);
        Assert.Equal(2, rows.Count);
        Assert.Contains("小红", rows[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("小明", rows[1].Text, StringComparison.Ordinal);
        Assert.Equal("S2", rows[1].ChildId);
        Assert.Equal(["visited:S2", "snooze:2026-11-25"], rows[1].Buttons.Select(b => b.Data));
    }

    [Fact]
    public void A_restart_or_a_second_run_the_same_day_does_not_resend_and_the_marks_are_on_disk()
    {
        var dir = Directory.CreateTempSubdirectory("carebot-remind-");
        try
        {
            var path = Path.Combine(dir.FullName, "care.db");
            var time = new FakeTimeProvider(PlanningWorld.Local(2026, 11, 23).ToUniversalTime());
            var options = new CareOptions();
            options.Care.TalkEveryDays = 365;
            options.Care.CallParentsEveryDays = 365;
            using (var db = new LiteCareDb(path))
            {
                db.Write(tx =>
                {
                    tx.People.Insert(new Person { Id = 1, Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor, Chat = TelegramChats.At(100), Status = Reachability.Reachable });
                    tx.Children.Insert(new Child { Id = "S1", Name = "小明" });
                    tx.Pairings.Insert(new Pairing { CarerId = 1, ChildId = "S1", Role = PairingRole.Mentor, CreatedUtc = time.GetUtcNow().UtcDateTime.AddDays(-10) });
                });
                Plan(db, time, options);

                // The row is sent (and so gone from the outbox after OutboxKeepDays, or on a later day): the marks
                // alone must keep the next runs from sending it again.
                db.Write(tx => tx.Outbox.DeleteAll());
                time.Advance(TimeSpan.FromHours(3));
                Plan(db, time, options);
                Assert.Equal(0, db.Read(tx => tx.Outbox.Count()));
            }

            using (var reopened = new LiteCareDb(path))
            {
                Assert.Equal(0, Plan(reopened, time, options).Reminders);
                time.Advance(TimeSpan.FromDays(1));
                Assert.Equal(0, Plan(reopened, time, options).Reminders);
                time.Advance(TimeSpan.FromDays(2));
                Assert.Equal(1, Plan(reopened, time, options).Reminders); // the 26th: RemindEveryDays later
                var marks = reopened.Read(tx => tx.ReminderMarks.FindAll().OrderBy(m => m.Id).ToList());
                Assert.Equal(["1:talk:S1", "1:visit:S1"], marks.Select(m => m.Id));
                Assert.All(marks, m => Assert.Equal(new DateOnly(2026, 11, 26), m.LastReminded));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Forgetting_a_child_takes_what_their_carers_were_reminded_of_with_it()
    {
        var (w, mentor, child) = World();
        using var _w = w;
        var other = w.Child("S2", "小红");
        w.Pair(mentor, other, new DateOnly(2026, 11, 1));
        w.Reminders().Plan();
        Assert.Contains(w.Db.Read(tx => tx.ReminderMarks.FindAll().ToList()), m => m.ChildId == child.Id);

        new CareBot.Core.Protection.ForgetService(w.Db, w.Time).Forget(child.Id, "cli");

        var left = w.Db.Read(tx => tx.ReminderMarks.FindAll().ToList());
        Assert.NotEmpty(left);
        Assert.All(left, m => Assert.Equal("S2", m.ChildId));
    }

    [Fact]
    public void Remind_me_tomorrow_brings_the_reminders_items_back_the_next_morning()
    {
        using var kit = new ChatTestKit();
        kit.Options.Care.TalkEveryDays = 365;
        kit.Options.Care.CallParentsEveryDays = 365;
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 100);
        kit.AddChild("S1", "小明", mentor);
        kit.AddChild("S2", "小红", mentor);
        kit.Db.Write(tx => tx.Records.Insert(new[] { "S1", "S2" }.Select(id => new CareRecord { ChildId = id, AuthorId = mentor.Id, Kind = CareKind.Talk, LocalDate = kit.Clock.Today, AtUtc = kit.Clock.UtcNow })));
        var planner = new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, kit.Options);
        planner.Plan();
        var reminder = kit.MarkLastSent(100, 77);

        var outcome = kit.Processor.Process(kit.Button(100, "snooze:2026-11-23", messageId: 77));
        Assert.Null(outcome!.RemoveButtonsFromMessageId); // the reminder is redrawn instead
        var edit = kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Kind == OutboxKind.Edit));
        Assert.Equal((77, 100L, OutboxPriority.Reply), (edit.EditsMessageId!.Value, edit.TelegramId, edit.Priority));
        Assert.EndsWith("⏰ 好的，明天再提醒您。\n\n完成后用 /visit 孩子 备注 或 /talk 孩子 备注 记录，或点下面的按钮。", edit.Text, StringComparison.Ordinal);
        Assert.Equal(["visited:S1", "visited:S2"], edit.Buttons.Select(b => b.Data).Order());
        Assert.Equal(edit.Text, kit.Db.Read(tx => tx.Outbox.FindById(reminder.Id)).Text);

        kit.Time.Advance(TimeSpan.FromDays(1));
        planner.Plan();
        Assert.Equal(2, kit.Db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.Reminder)));
        kit.Time.Advance(TimeSpan.FromDays(1));
        planner.Plan();
        Assert.Equal(2, kit.Db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.Reminder)));
    }

    [Fact]
    public void Visited_on_a_reminder_redraws_it_with_the_visit_logged_and_keeps_the_other_childs_button()
    {
        using var kit = new ChatTestKit();
        var mentor = kit.AddPerson("Ms Chen", "13800000001", Roles.Mentor, 100, "en");
        kit.AddChild("S1", "Liu Xinyi", mentor);
        kit.AddChild("S2", "Zhang Hao", mentor);
        kit.Time.Advance(TimeSpan.FromMinutes(15));
        new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, kit.Options).Plan();
        kit.MarkLastSent(100, 55);

        var first = kit.Processor.Process(kit.Button(100, "visited:S1", messageId: 55));
        var again = kit.Processor.Process(kit.Button(100, "visited:S1", messageId: 55));

        Assert.Null(first!.RemoveButtonsFromMessageId);
        Assert.Null(again!.RemoveButtonsFromMessageId);
        Assert.Single(kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Visit).ToList()));
        var edit = Assert.Single(kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Edit).ToList()));
        var lines = edit.Text.Split('\n');
        var liu = Array.FindIndex(lines, l => l.Contains("Liu Xinyi", StringComparison.Ordinal));
        Assert.Equal("  · ✅ home visit logged today at 09:15", lines[liu + 1]);
        Assert.Contains("not visited yet", lines[Array.FindIndex(lines, l => l.Contains("Zhang Hao", StringComparison.Ordinal)) + 1], StringComparison.Ordinal);
        Assert.Equal(["visited:S2", "snooze:2026-11-23"], edit.Buttons.Select(b => b.Data));
    }
}

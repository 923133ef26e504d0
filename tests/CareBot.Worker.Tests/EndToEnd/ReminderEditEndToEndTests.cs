using CareBot.Tests.Shared;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>
/// A button pressed on a reminder redraws it (Telegram's editMessageText), through the real worker and the local Bot
/// API server: the visited child's line says the visit is logged while the other child's button stays; "remind me
/// tomorrow" is noted. A restart the same morning sends no second reminder.
/// </summary>
public class ReminderEditEndToEndTests
{
    /// <summary>The provider the worker runs on; <see cref="ReminderEditEndToEndTestsOnPostgres"/> runs the suite again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    // Monday 2026-11-23 07:59 in Asia/Shanghai.
    private static readonly DateTimeOffset Monday0759 = new(2026, 11, 23, 7, 59, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 90011;

    [Fact]
    public async Task The_reminder_is_edited_to_show_the_visit_logged_by_its_button_and_is_not_sent_again_after_a_restart()
    {
        await using var kit = await E2eKit.StartAsync(Monday0759, store: Store);
        string code = "";
        Child first = null!, second = null!;
        kit.Seed(2, db =>
        {
            var children = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).ToList());
            (first, second) = (children[0], children[1]);
            var mentor = db.Read(tx => tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == first.Id).CarerId));
            db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = second.Id, Role = PairingRole.Mentor, CreatedUtc = kit.Time.GetUtcNow().UtcDateTime }));
            code = new InviteService(db, kit.Time).Issue([mentor], 14, "test")[0].Code;
        });
        await kit.StartWorkerAsync();
        kit.Server.AddUser(MentorUser, "王老师");
        kit.Server.UserSends(MentorUser, $"/start {code}");
        await kit.Expect(MentorUser, "绑定成功");

        kit.Time.JumpTo(Monday0759.AddMinutes(1));
        kit.Runner.RunReminders();
        var reminder = await kit.Server.WaitForMessageAsync(MentorUser, m => m.Buttons.Count > 0, TimeSpan.FromSeconds(20));
        Assert.Equal("snooze:2026-11-23", reminder.Buttons[^1].CallbackData);
        Assert.Equal(
            new[] { ReminderButtons.Visited(first.Id), ReminderButtons.Visited(second.Id) }.Order(StringComparer.Ordinal),
            reminder.Buttons.SkipLast(1).Select(b => b.CallbackData!).Order(StringComparer.Ordinal));
        Assert.Equal(2, CountOf(reminder.Text, "还没有家访过"));

        // "Visited today" for the first child: saved, and the reminder says so; the second child's button stays.
        // (Pressed once the dispatcher has recorded the sent reminder's message id, as it has long before a person
        // can press; on a loaded machine the test's press could otherwise come first.)
        await kit.WaitForIdleOutboxAsync();
        kit.Time.JumpTo(Monday0759.AddMinutes(16));
        kit.Server.UserPressesButton(MentorUser, reminder.MessageId, ReminderButtons.Visited(first.Id));
        var edited = await kit.Server.WaitForMessageAsync(MentorUser, m => m.MessageId == reminder.MessageId && m.EditCount == 1, TimeSpan.FromSeconds(20));
        Assert.Contains("✅ 今天 08:15 已记录家访", edited.Text, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(edited.Text, "还没有家访过"));
        var lines = edited.Text.Split('\n');
        Assert.StartsWith("  · ✅ 今天 08:15 已记录家访", lines[Array.FindIndex(lines, l => l.Contains(first.Name, StringComparison.Ordinal)) + 1], StringComparison.Ordinal);
        Assert.Equal([ReminderButtons.Visited(second.Id), "snooze:2026-11-23"], edited.Buttons.Select(b => b.CallbackData));
        kit.WithDb(db => Assert.Single(db.Read(tx => tx.Records.Find(r => r.ChildId == first.Id && r.Kind == CareKind.Visit).ToList())));

        // "Remind me tomorrow": noted on the reminder, its button gone.
        kit.Server.UserPressesButton(MentorUser, reminder.MessageId, "snooze:2026-11-23");
        var snoozed = await kit.Server.WaitForMessageAsync(MentorUser, m => m.MessageId == reminder.MessageId && m.EditCount == 2, TimeSpan.FromSeconds(20));
        Assert.Contains("⏰ 好的，明天再提醒您。", snoozed.Text, StringComparison.Ordinal);
        Assert.Equal([ReminderButtons.Visited(second.Id)], snoozed.Buttons.Select(b => b.CallbackData));
        Assert.Contains(kit.Server.Telegram.Calls, c => c.Is("editMessageText") && c.Status == 200);

        // A restart the same morning plans again (the start-up catch-up and the job): nothing new is sent.
        await kit.WaitForIdleOutboxAsync();
        var before = kit.Server.MessagesTo(MentorUser).Count;
        await kit.StopWorkerAsync();
        await kit.StartWorkerAsync();
        kit.Runner.RunReminders();
        await kit.WaitForIdleOutboxAsync();
        Assert.Equal(before, kit.Server.MessagesTo(MentorUser).Count);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}

/// <summary>The same end-to-end suite with the worker on PostgreSQL.</summary>
public sealed class ReminderEditEndToEndTestsOnPostgres : ReminderEditEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

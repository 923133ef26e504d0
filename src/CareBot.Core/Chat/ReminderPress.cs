using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// A button pressed on a reminder redraws that reminder with what was done: the visited child's line says the visit
/// is logged, a snooze is noted, and the spent button goes (the others stay). The new text is an outbox row of kind
/// <see cref="OutboxKind.Edit"/>, written with the press, so it is sent (and retried) like any message.
/// </summary>
internal static class ReminderPress
{
    /// <summary>The reminder the pressed button belongs to, when it was planned with its lines; null otherwise (then the buttons are only taken away).</summary>
    public static OutboxMessage? Find(ChatTurn turn)
    {
        if (turn.Message.ButtonMessageId is not { } messageId)
        {
            return null;
        }

        var chat = turn.Message.Chat;
        return turn.Tx.Outbox.Find(o => o.ChannelMessageId == messageId).FirstOrDefault(o => o.Chat == chat && o.Kind == OutboxKind.Reminder && o.Reminder != null);
    }

    /// <summary>The child's visit line of <paramref name="reminder"/> becomes "visit logged today at HH:mm" and its button goes.</summary>
    public static void Visited(ChatTurn turn, OutboxMessage reminder, string childId, CareClock clock)
    {
        var content = reminder.Reminder!;
        var done = turn.T("plan.remind.visit.done", clock.LocalNow.ToString("HH:mm", CultureInfo.InvariantCulture));
        var lines = content.Lines.Where(l => l.ChildId == childId && l.Item == "visit").ToList();
        if (lines.Count == 0)
        {
            content.Notes.Add(done);
        }

        lines.ForEach(l => l.Done = done);
        reminder.Buttons.RemoveAll(b => b.Data == ReminderButtons.Visited(childId));
        Redraw(turn, reminder, clock);
    }

    /// <summary>"Remind me tomorrow": the items of the reminder of <paramref name="date"/> come again tomorrow, and the reminder says so.</summary>
    public static void Snooze(ChatTurn turn, OutboxMessage? reminder, DateOnly date, CareClock clock)
    {
        var carerId = turn.Person!.Id;
        var tomorrow = clock.Today.AddDays(1);
        var marks = turn.Tx.ReminderMarks.Find(m => m.CarerId == carerId).Where(m => m.LastReminded == date).ToList();
        foreach (var mark in marks)
        {
            mark.SnoozedTo = tomorrow;
            turn.Tx.ReminderMarks.Update(mark);
        }

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "reminder.snoozed", null, string.Create(CultureInfo.InvariantCulture, $"date:{date:yyyy-MM-dd} items:{marks.Count}"));

        if (reminder?.Reminder is { } content)
        {
            content.Notes.Add(turn.T("plan.remind.snoozed"));
            reminder.Buttons.RemoveAll(b => b.Data.StartsWith(ReminderButtons.SnoozeVerb + ":", StringComparison.Ordinal));
            Redraw(turn, reminder, clock);
        }
    }

    private static void Redraw(ChatTurn turn, OutboxMessage reminder, CareClock clock)
    {
        reminder.Text = reminder.Reminder!.Render();
        turn.Tx.Outbox.Update(reminder);
        OutboxStore.Add(turn.Tx, new OutboxMessage
        {
            Key = string.Create(CultureInfo.InvariantCulture, $"edit:{turn.Message.UpdateId}:{reminder.Id}"),
            PersonId = reminder.PersonId,
            Chat = reminder.Chat,
            Text = reminder.Text,
            Buttons = [.. reminder.Buttons],
            Kind = OutboxKind.Edit,
            Priority = OutboxPriority.Reply,
            ChildId = reminder.ChildId,
            EditsMessageId = reminder.ChannelMessageId,
        }, clock.UtcNow);
    }
}

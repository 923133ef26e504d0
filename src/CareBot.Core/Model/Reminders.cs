namespace CareBot.Core.Model;

/// <summary>
/// When a carer was last reminded of one item (a visit, talk or call due for one child; a parent's "please call me"),
/// so that an item is reminded when it becomes due and then every <c>CareBot:Care:RemindEveryDays</c> until it is
/// done, not every morning. Written in the same transaction as the reminder that carried the item.
/// </summary>
public sealed class ReminderMark
{
    /// <summary>"{carerId}:{item}", e.g. "12:visit:dq/S001" (<see cref="Planning.ReminderPlanner.MarkId"/>).</summary>
    public string Id { get; set; } = "";

    public int CarerId { get; set; }

    public string ChildId { get; set; } = "";

    /// <summary>The due date the item is about: an item due again after it was done has a new one, and is new.</summary>
    public DateOnly DueOn { get; set; }

    /// <summary>The morning the item was last in a reminder.</summary>
    public DateOnly LastReminded { get; set; }

    /// <summary>"Remind me tomorrow": the item is reminded again on this day, whatever RemindEveryDays says.</summary>
    public DateOnly? SnoozedTo { get; set; }
}

/// <summary>
/// What a sent reminder says, line by line, so that a button press on it can redraw it with what was done (the
/// visited child marked, the snooze noted) rather than only take its buttons away.
/// </summary>
public sealed class ReminderContent
{
    public string Header { get; set; } = "";

    public List<ReminderLine> Lines { get; set; } = [];

    public string Footer { get; set; } = "";

    /// <summary>What was done with the buttons (e.g. "remind me tomorrow"), shown after the lines.</summary>
    public List<string> Notes { get; set; } = [];

    /// <summary>The text as a person reads it.</summary>
    public string Render()
    {
        var sb = new System.Text.StringBuilder(Header);
        foreach (var line in Lines)
        {
            sb.Append('\n').Append(line.Done ?? line.Text);
        }

        foreach (var note in Notes)
        {
            sb.Append('\n').Append(note);
        }

        if (Footer.Length > 0)
        {
            sb.Append("\n\n").Append(Footer);
        }

        return sb.ToString();
    }
}

/// <summary>One line of a reminder: a child's name, or one item about the child.</summary>
public sealed class ReminderLine
{
    /// <summary>The child the line is about; null for lines about no one child.</summary>
    public string? ChildId { get; set; }

    /// <summary>"child" (the name line), "visit", "talk", "call", "callreq", or what an always-shown line is.</summary>
    public string Item { get; set; } = "";

    public string Text { get; set; } = "";

    /// <summary>What was done about it, shown instead of <see cref="Text"/> once a button was pressed.</summary>
    public string? Done { get; set; }
}

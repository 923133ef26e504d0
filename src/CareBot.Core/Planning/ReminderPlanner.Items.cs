using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Planning;

/// <summary>
/// One thing a carer is reminded of: a visit, talk or call due for one child, or a parent's "please call me".
/// <paramref name="Key"/> names it for <see cref="ReminderMark"/> ("visit:dq/S001"); <paramref name="DueOn"/> is the
/// date it is due (or was asked), so that the same kind of item due again after it was done is a new item.
/// </summary>
internal sealed record ReminderItem(string ChildId, string Key, string Kind, DateOnly DueOn, string Line);

public sealed partial class ReminderPlanner
{
    /// <summary>The id of a carer's <see cref="ReminderMark"/> for one item.</summary>
    public static string MarkId(int carerId, string itemKey) => string.Create(CultureInfo.InvariantCulture, $"{carerId}:{itemKey}");

    /// <summary>
    /// Whether an item goes into today's reminder: it is new (never reminded, or due again with a new date), it was
    /// last reminded <paramref name="everyDays"/> days ago or more, or it was snoozed to today. Never twice a day.
    /// </summary>
    internal static bool ShouldRemind(ReminderMark? mark, DateOnly dueOn, DateOnly today, int everyDays)
    {
        if (mark is null || mark.DueOn != dueOn)
        {
            return true;
        }

        if (mark.LastReminded >= today)
        {
            return false;
        }

        return mark.SnoozedTo is { } snoozed && snoozed <= today
            || today.DayNumber - mark.LastReminded.DayNumber >= everyDays;
    }

    /// <summary>
    /// Lines every reminder shows while they last, whether or not anything else is new; a carer with any gets a
    /// reminder every morning. This is the place for open safeguarding flags and concerns about the carer's children
    /// ("open flags and concerns always show").
    /// </summary>
    private static List<ReminderLine> AlwaysShown(IEnumerable<string> children, Dictionary<string, DateOnly> safeguarding, Dictionary<string, string> childNames, string lang)
    {
        var lines = new List<ReminderLine>();
        foreach (var childId in children.Distinct(StringComparer.Ordinal).Where(safeguarding.ContainsKey).Order(StringComparer.Ordinal))
        {
            // An open check-in flag or concern (see /flags, /concern list); never its note.
            var name = PlanText.Compact(childNames.GetValueOrDefault(childId, childId), NameMax);
            lines.Add(new ReminderLine { ChildId = childId, Item = "child", Text = Texts.Get(lang, "plan.remind.child", name) });
            lines.Add(new ReminderLine { ChildId = childId, Item = "safeguarding", Text = Texts.Get(lang, "sg.remind.open") });
        }

        return lines;
    }

    /// <summary>The items of the carer's due children, in the order of the reminder (most overdue child first).</summary>
    private static List<ReminderItem> Items(string lang, List<ChildCareStatus> due, Dictionary<string, List<Meetings.CallRequest>> callRequests)
    {
        var items = new List<ReminderItem>();
        foreach (var s in due)
        {
            if (s.VisitDue)
            {
                items.Add(new(s.ChildId, "visit:" + s.ChildId, "visit", s.NextVisitDue, Line(lang, "visit", s.LastVisit, s.NextVisitDue, s.VisitOverdueDays)));
            }

            if (s.TalkDue)
            {
                items.Add(new(s.ChildId, "talk:" + s.ChildId, "talk", s.NextTalkDue, Line(lang, "talk", s.LastTalk, s.NextTalkDue, s.TalkOverdueDays)));
            }

            if (s.CallDue)
            {
                var line = s.CallRetry
                    ? Texts.Get(lang, "plan.remind.call.retry", PlanText.Date(lang, s.LastUnansweredCall!.Value))
                    : Line(lang, "call", s.LastCall, s.NextCallDue!.Value, s.CallOverdueDays);
                items.Add(new(s.ChildId, "call:" + s.ChildId, "call", s.NextCallDue!.Value, line));
            }

            // A parent who answered a meeting invitation "cannot come, please call me".
            foreach (var request in callRequests.GetValueOrDefault(s.ChildId) ?? [])
            {
                var asked = DateOnly.FromDateTime(request.AskedUtc);
                items.Add(new(s.ChildId, string.Create(CultureInfo.InvariantCulture, $"callreq:{s.ChildId}:{request.ParentId}"), "callreq", asked, Meetings.MeetingPlanner.Line(lang, request)));
            }
        }

        return items;
    }

    private static string Line(string lang, string what, DateOnly? last, DateOnly next, int overdueDays)
    {
        if (last is null)
        {
            return Texts.Get(lang, $"plan.remind.{what}.never");
        }

        var lastText = PlanText.Date(lang, last.Value);
        return overdueDays > 0
            ? Texts.Get(lang, $"plan.remind.{what}.overdue", overdueDays, lastText)
            : Texts.Get(lang, $"plan.remind.{what}.due", PlanText.Date(lang, next), lastText);
    }

    /// <summary>Today's reminder with <paramref name="items"/> (grouped by child, in their order) after the always-shown lines.</summary>
    private static OutboxMessage Reminder(Person carer, DateOnly today, List<ReminderItem> items, List<ReminderLine> always, Dictionary<string, string> childNames)
    {
        var lang = PlanText.Lang(carer.Language);
        var content = new ReminderContent { Header = Texts.Get(lang, "plan.remind.header") };
        content.Lines.AddRange(always);
        var buttons = new List<OutButton>();
        var children = items.Select(i => i.ChildId).Distinct(StringComparer.Ordinal).ToList();
        foreach (var childId in children)
        {
            var name = PlanText.Compact(childNames.GetValueOrDefault(childId, childId), NameMax);
            if (!always.Any(l => l.ChildId == childId && l.Item == "child"))
            {
                content.Lines.Add(new ReminderLine { ChildId = childId, Item = "child", Text = Texts.Get(lang, "plan.remind.child", name) });
            }

            foreach (var item in items.Where(i => i.ChildId == childId))
            {
                content.Lines.Add(new ReminderLine { ChildId = childId, Item = item.Kind, Text = item.Line });
                if (item.Kind == "visit")
                {
                    buttons.Add(new OutButton { Text = Texts.Get(lang, "plan.remind.button.visited", name), Data = ReminderButtons.Visited(childId) });
                }
            }
        }

        string? single = null;
        CareKind? replyAs = null;
        if (children.Count == 1)
        {
            single = children[0];
            var kinds = items.Select(i => i.Kind).ToList();
            replyAs = kinds.Contains("visit") ? CareKind.Visit : kinds.Contains("talk") ? CareKind.Talk : CareKind.Call;
            content.Footer = Texts.Get(lang, "plan.remind.footer.single", Texts.Get(lang, "plan.kind." + replyAs.Value.ToString().ToLowerInvariant()));
        }
        else if (children.Count > 1)
        {
            content.Footer = Texts.Get(lang, "plan.remind.footer");
        }

        if (children.Count > 0)
        {
            buttons.Add(new OutButton { Text = Texts.Get(lang, "plan.remind.button.snooze"), Data = ReminderButtons.Snooze(today) });
        }

        return new OutboxMessage
        {
            Key = ReminderKey(carer.Id, today),
            PersonId = carer.Id,
            Chat = carer.Chat,
            Text = content.Render(),
            Buttons = buttons,
            Kind = OutboxKind.Reminder,
            Priority = OutboxPriority.Bulk,
            ChildId = single,
            ChildIds = [.. children.Union(always.Select(l => l.ChildId).OfType<string>(), StringComparer.Ordinal)],
            ReplyAs = replyAs,
            Reminder = content,
        };
    }

    /// <summary>
    /// The morning's reminders with the marks of what they carry, written together in transactions of up to
    /// <see cref="Size"/> carers: a reminder whose key exists already (a second run the same day) changes no mark.
    /// </summary>
    private sealed class ReminderBatch(CareDb db, DateTime nowUtc, bool autoFlush = true)
    {
        private const int Size = 200;

        private readonly List<(OutboxMessage Row, List<ReminderMark> Marks, List<string> Stale)> _pending = [];
        private readonly List<string> _forget = [];
        private int _added;

        /// <summary>Marks of items no longer due (done, or the child moved on): deleted with the next flush.</summary>
        public void Forget(List<string> stale)
        {
            _forget.AddRange(stale);
            if (autoFlush && _forget.Count >= Size * 10)
            {
                Flush();
            }
        }

        public void Add(OutboxMessage row, List<ReminderMark> marks, List<string> stale)
        {
            _pending.Add((row, marks, stale));
            if (autoFlush && _pending.Count >= Size)
            {
                Flush();
            }
        }

        /// <summary>Writes what is pending, <see cref="Size"/> carers a turn; returns the reminders added so far.</summary>
        public int Flush()
        {
            foreach (var chunk in _pending.Chunk(Size))
            {
                _added += db.Write(tx =>
                {
                    var added = 0;
                    foreach (var (row, marks, stale) in chunk)
                    {
                        if (!OutboxStore.Add(tx, row, nowUtc))
                        {
                            continue;
                        }

                        added++;
                        foreach (var mark in marks)
                        {
                            tx.ReminderMarks.Upsert(mark);
                        }

                        stale.ForEach(id => tx.ReminderMarks.Delete(id));
                    }

                    return added;
                });
            }

            foreach (var chunk in _forget.Chunk(Size * 10))
            {
                db.Write(tx => Array.ForEach(chunk, id => tx.ReminderMarks.Delete(id)));
            }

            _pending.Clear();
            _forget.Clear();
            return _added;
        }
    }
}

/// <summary>The reminder's button data, built and read in one place: "visited:CHILD" and "snooze:DATE".</summary>
public static class ReminderButtons
{
    public const string VisitedVerb = "visited";
    public const string SnoozeVerb = "snooze";

    public static string Visited(string childId) => VisitedVerb + ":" + childId;

    public static string Snooze(DateOnly reminderDate) => SnoozeVerb + ":" + reminderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The reminder's date a snooze button carries, or null when it is not one.</summary>
    public static DateOnly? SnoozeDate(string arg) =>
        DateOnly.TryParseExact(arg, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}

using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Meetings;

/// <summary>What an announcement did: the meeting, the invitations queued, and the parents who could not get one.</summary>
public sealed record MeetingAnnounced(Meeting Meeting, int Invited, int NotReachable);

/// <summary>
/// Parents' meetings: the announcement (a meeting and one invitation with three buttons per reachable parent of the
/// children concerned, in one turn), the parents' answers, and the attendance the mentors mark. Runs in the caller's
/// turn on the database, so a meeting and its invitations are saved together or not at all.
/// </summary>
public static class MeetingService
{
    /// <summary>Button data of the three answers: <c>rsvp:{meetingId}:{a|c|n}</c>.</summary>
    public const string AnswerVerb = "rsvp";

    /// <summary>Button data of a mentor's attendance mark: <c>came:{meetingId}:{childKey}</c>.</summary>
    public const string CameVerb = "came";

    private static readonly Dictionary<MeetingAnswer, string> Codes = new()
    {
        [MeetingAnswer.Attend] = "a",
        [MeetingAnswer.CallMe] = "c",
        [MeetingAnswer.NotHome] = "n",
    };

    public static string InvitationKey(int meetingId, int parentId) => $"meeting:{meetingId}:{parentId}";

    public static string ReminderKey(int meetingId, int parentId) => $"meeting-remind:{meetingId}:{parentId}";

    public static string AnswerData(int meetingId, MeetingAnswer answer) => $"{AnswerVerb}:{meetingId}:{Codes[answer]}";

    public static MeetingAnswer? ParseAnswer(string code) => Codes.FirstOrDefault(c => c.Value == code) is { Value: not null } hit ? hit.Key : null;

    /// <summary>
    /// Saves the meeting for <paramref name="schoolId"/> and queues the invitations (bulk: the dispatcher keeps them
    /// out of parents' quiet hours). A problem (a class the school does not have, nobody to invite) saves nothing.
    /// </summary>
    public static MeetingProblem? Announce(CareTx tx, MeetingDraft draft, string schoolId, string actor, DateTime nowUtc, out MeetingAnnounced? announced)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(draft);
        announced = null;
        var children = tx.Children.Find(c => c.SchoolId == schoolId).ToList();
        var classes = children.Select(c => c.Class).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (draft.Classes.FirstOrDefault(c => !classes.Contains(c)) is { } unknown)
        {
            return new MeetingProblem("class", "meeting.unknown_class", unknown);
        }

        var concerned = children
            .Where(c => c.Parents.Count > 0 && (draft.Classes.Count == 0 || (c.Class is not null && draft.Classes.Contains(c.Class))))
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        if (concerned.Count == 0)
        {
            return new MeetingProblem("class", "meeting.nobody");
        }

        // The same meeting announced twice (a command run again after a timeout) would invite everyone twice.
        var (date, time, title) = (draft.Date, draft.Time, draft.Title);
        if (tx.Meetings.Find(m => m.Date == date).FirstOrDefault(m => m.SchoolId == schoolId && m.Time == time && m.Title == title) is { } same)
        {
            return new MeetingProblem("title", "meeting.duplicate", same.Id);
        }

        var meeting = new Meeting
        {
            SchoolId = schoolId,
            Date = draft.Date,
            Time = draft.Time,
            Place = draft.Place,
            Title = draft.Title,
            Classes = [.. draft.Classes],
            ChildIds = [.. concerned.Select(c => c.Id)],
            CreatedBy = actor,
            CreatedUtc = nowUtc,
        };
        tx.Meetings.Insert(meeting);

        var notReachable = 0;
        foreach (var group in concerned.SelectMany(c => c.Parents.Select(p => (p.PersonId, Child: c))).GroupBy(x => x.PersonId).OrderBy(g => g.Key))
        {
            var parent = tx.People.FindById(group.Key);
            if (parent is null || !parent.Has(Roles.Parent))
            {
                continue;
            }

            if (!parent.IsReachable)
            {
                notReachable++;
                continue;
            }

            OutboxStore.Add(tx, Invitation(meeting, parent, [.. group.Select(x => x.Child)]), nowUtc);
            meeting.InvitedParentIds.Add(parent.Id);
        }

        tx.Meetings.Update(meeting);
        tx.AuditWrite(nowUtc, actor, "meeting.announced", null, $"meeting:{meeting.Id} invited:{meeting.InvitedParentIds.Count} children:{meeting.ChildIds.Count}");
        announced = new MeetingAnnounced(meeting, meeting.InvitedParentIds.Count, notReachable);
        return null;
    }

    /// <summary>
    /// A parent who links their chat (or unblocks the bot) after a meeting was announced gets its invitation then, for
    /// every meeting from <paramref name="today"/> on about their children. Returns the invitations queued.
    /// </summary>
    public static int InviteLate(CareTx tx, Person parent, DateOnly today, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(parent);
        if (!parent.Has(Roles.Parent) || !parent.IsReachable)
        {
            return 0;
        }

        var children = tx.ChildrenOfParent(parent.Id).ToList();
        var invited = 0;
        foreach (var meeting in tx.Meetings.Find(m => m.Date >= today).ToList())
        {
            var theirs = children.Where(c => meeting.ChildIds.Contains(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            if (theirs.Count == 0 || Reached(tx, meeting.Id, parent))
            {
                continue;
            }

            // Not invited yet, or the invitation never reached this chat (the bot was blocked, a relink): again now.
            var key = InvitationKey(meeting.Id, parent.Id);
            tx.Outbox.DeleteMany(o => o.Key == key);
            OutboxStore.Add(tx, Invitation(meeting, parent, theirs), nowUtc);
            if (!meeting.InvitedParentIds.Contains(parent.Id))
            {
                meeting.InvitedParentIds.Add(parent.Id);
                tx.Meetings.Update(meeting);
            }

            tx.AuditWrite(nowUtc, "system", "meeting.invited_late", null, $"meeting:{meeting.Id} person:{parent.Id}");
            invited++;
        }

        return invited;
    }

    /// <summary>The parent's invitation to the meeting is on its way to, or was delivered in, their present chat.</summary>
    private static bool Reached(CareTx tx, int meetingId, Person parent)
    {
        var key = InvitationKey(meetingId, parent.Id);
        return tx.Outbox.FindOne(o => o.Key == key) is { Status: OutboxStatus.Pending or OutboxStatus.Sending or OutboxStatus.Sent } row && parent.Chat is not null && row.Chat == parent.Chat;
    }

    /// <summary>The meeting and parent of an invitation (<see cref="InvitationKey"/>) that names <paramref name="child"/>, or null.</summary>
    public static (int Meeting, int Parent)? InvitationNaming(CareTx tx, OutboxMessage row, Child child)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(child);
        var parts = row.Key.Split(':');
        return parts.Length == 3 && parts[0] == "meeting"
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var meetingId)
               && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var parentId)
               && child.Parents.Exists(p => p.PersonId == parentId)
               && tx.Meetings.FindById(meetingId) is { } meeting && meeting.ChildIds.Contains(child.Id)
            ? (meetingId, parentId)
            : null;
    }

    /// <summary>
    /// A pending invitation withdrawn because it named a child who was forgotten: made again for the parent's children
    /// still at the meeting (none left: nothing).
    /// </summary>
    public static void Reinvite(CareTx tx, int meetingId, int parentId, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (tx.Meetings.FindById(meetingId) is not { } meeting || tx.People.FindById(parentId) is not { IsReachable: true } parent)
        {
            return;
        }

        var theirs = tx.ChildrenOfParent(parentId).Where(c => meeting.ChildIds.Contains(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        if (theirs.Count > 0)
        {
            OutboxStore.Add(tx, Invitation(meeting, parent, theirs), nowUtc);
        }
    }

    /// <summary>The invitation to one parent about their children at the meeting, with the three answer buttons.</summary>
    private static OutboxMessage Invitation(Meeting meeting, Person parent, List<Child> children)
    {
        var lang = PlanText.Lang(parent.Language);
        var names = Texts.Join(lang, children.Select(c => c.Name));
        var text = new StringBuilder(Texts.Get(lang, "meeting.invite", meeting.Title, When(lang, meeting), meeting.Place, names));
        text.Append("\n\n").Append(Texts.Get(lang, "meeting.invite_ask"));
        return new OutboxMessage
        {
            Key = InvitationKey(meeting.Id, parent.Id),
            PersonId = parent.Id,
            Chat = parent.Chat,
            Text = text.ToString(),
            Buttons = [.. Codes.Keys.Select(a => new OutButton { Text = AnswerText(lang, a), Data = AnswerData(meeting.Id, a) })],
            Kind = OutboxKind.Meeting,
            Priority = OutboxPriority.Bulk,
            ChildId = children.Count == 1 ? children[0].Id : null,
            ChildIds = [.. children.Select(c => c.Id)],
        };
    }

    /// <summary>"2月13日（周六）09:30" / "Sat 2/13 09:30".</summary>
    public static string When(string lang, Meeting meeting) =>
        Texts.Get(lang, "meeting.when", PlanText.Date(lang, meeting.Date), PlanText.Day(lang, meeting.Date), meeting.Time);

    public static string AnswerText(string lang, MeetingAnswer answer) =>
        Texts.Get(lang, "meeting.answer." + answer.ToString().ToLowerInvariant());

    /// <summary>
    /// Records <paramref name="parent"/>'s answer (the last press counts). False when they were not invited or the
    /// meeting is over; the answer is then left as it was.
    /// </summary>
    public static bool Answer(CareTx tx, Meeting meeting, Person parent, MeetingAnswer answer, DateOnly today, DateTime nowUtc, string actor)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(parent);
        if (!meeting.InvitedParentIds.Contains(parent.Id) || meeting.Date < today)
        {
            return false;
        }

        meeting.Replies.RemoveAll(r => r.ParentId == parent.Id);
        meeting.Replies.Add(new MeetingReply { ParentId = parent.Id, Answer = answer, AtUtc = nowUtc });
        tx.Meetings.Update(meeting);
        if (answer != MeetingAnswer.Attend)
        {
            // No longer coming: a reminder planned but not yet sent is withdrawn.
            var reminder = ReminderKey(meeting.Id, parent.Id);
            tx.Outbox.DeleteMany(o => o.Key == reminder && o.Status == OutboxStatus.Pending);
        }

        tx.AuditWrite(nowUtc, actor, "meeting.answered", null, $"meeting:{meeting.Id} answer:{answer}");
        return true;
    }

    /// <summary>Marks (or, pressed again, unmarks) that the family of <paramref name="childId"/> came. Returns whether they are now marked.</summary>
    public static bool ToggleAttended(CareTx tx, Meeting meeting, string childId, DateTime nowUtc, string actor)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(meeting);
        var came = !meeting.Attended.Remove(childId);
        if (came)
        {
            meeting.Attended.Add(childId);
        }

        tx.Meetings.Update(meeting);
        tx.AuditWrite(nowUtc, actor, came ? "meeting.came" : "meeting.came_undone", childId, $"meeting:{meeting.Id}");
        return came;
    }

    /// <summary>Removes a child (and the answers of parents left with no child at the meeting) from every meeting; for <c>forget</c>.</summary>
    public static int Forget(CareTx tx, string childId, IReadOnlyCollection<int> erasedParents)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var changed = 0;
        foreach (var meeting in tx.Meetings.FindAll().Where(m => m.ChildIds.Contains(childId)).ToList())
        {
            meeting.ChildIds.Remove(childId);
            meeting.Attended.Remove(childId);
            meeting.Replies.RemoveAll(r => erasedParents.Contains(r.ParentId));
            meeting.InvitedParentIds.RemoveAll(erasedParents.Contains);
            tx.Meetings.Update(meeting);
            changed++;
        }

        return changed;
    }

    /// <summary>A meeting by the number people type ("3" or "#3").</summary>
    public static int? ParseId(string text) =>
        int.TryParse(text.Trim().TrimStart('#', '＃'), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}

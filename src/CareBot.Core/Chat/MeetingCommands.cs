using System.Text;
using CareBot.Core.Meetings;
using CareBot.Core.Model;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// <c>/meeting</c> in chat: admins announce a parents' meeting and see every answer in their schools; mentors and
/// volunteers see their own children's families' answers and mark who came with buttons. Parents answer the
/// invitation with its three buttons.
/// </summary>
internal sealed class MeetingCommands(CareClock clock, CareOptions options)
{
    /// <summary>Meetings this many days past still show in <c>/meeting</c> (to mark who came).</summary>
    private const int RecentDays = 30;

    /// <summary>Telegram takes up to 100 buttons on a message; a list marks at most this many children.</summary>
    private const int MaxMarkButtons = 50;

    public void Handle(ChatTurn turn, string args)
    {
        var person = turn.Person!;
        var admin = person.Has(Roles.Admin);
        if (args.Trim().Length == 0)
        {
            List(turn, admin);
            return;
        }

        if (MeetingService.ParseId(args) is { } id)
        {
            Show(turn, id, admin);
            return;
        }

        if (!admin)
        {
            turn.Reply("meeting.usage_carer");
            return;
        }

        Announce(turn, args);
    }

    private IReadOnlyCollection<string>? Scope(ChatTurn turn) => SchoolDirectory.AdminScope(options.Admins, turn.Person!.Phone);

    private void Announce(ChatTurn turn, string args)
    {
        if (MeetingArgs.Parse(args, out var bad) is not { } input)
        {
            turn.Reply("meeting.usage_admin", bad);
            return;
        }

        if (MeetingRules.Check(input, clock.Today, out var draft) is { } problem)
        {
            turn.Reply(problem.Key, problem.Args);
            return;
        }

        if (School(turn, input.School) is not { } school)
        {
            return;
        }

        if (MeetingService.Announce(turn.Tx, draft!, school, turn.Actor, clock.UtcNow, out var announced) is { } refused)
        {
            turn.Reply(refused.Key, refused.Args);
            return;
        }

        var meeting = announced!.Meeting;
        turn.Reply("meeting.announced", meeting.Id, meeting.Title, MeetingService.When(turn.Lang, meeting), announced.Invited, announced.NotReachable);
    }

    /// <summary>The school the admin means: named (and theirs), or their only one; otherwise they are asked.</summary>
    private string? School(ChatTurn turn, string? given)
    {
        var scope = Scope(turn);
        var directory = options.Directory;
        if (!string.IsNullOrWhiteSpace(given))
        {
            if (directory.Find(given.Trim()) is { } named && SchoolDirectory.InScope(scope, named.Id))
            {
                return named.Id;
            }

            turn.Reply("meeting.unknown_school", given.Trim());
            return null;
        }

        var candidates = directory.All.Select(s => s.Id).Where(id => SchoolDirectory.InScope(scope, id)).ToList();
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        turn.Reply("meeting.which_school", Text.Texts.Join(turn.Lang, candidates));
        return null;
    }

    /// <summary>The meetings of the sender's schools (admin) or of their children (carer), upcoming and recent.</summary>
    private void List(ChatTurn turn, bool admin)
    {
        var since = clock.Today.AddDays(-RecentDays);
        var own = OwnChildren(turn);
        var scope = Scope(turn);
        var meetings = turn.Tx.Meetings.Find(m => m.Date >= since).OrderBy(m => m.Date).ThenBy(m => m.Id)
            .Where(m => admin ? SchoolDirectory.InScope(scope, m.SchoolId) : m.ChildIds.Exists(own.Contains))
            .ToList();
        if (meetings.Count == 0)
        {
            turn.Reply(admin ? "meeting.none_admin" : "meeting.none");
            return;
        }

        if (!admin)
        {
            turn.About(meetings.SelectMany(m => m.ChildIds).Where(own.Contains)); // a carer's list names their children
        }

        var sb = new StringBuilder(turn.T("meeting.list_title"));
        foreach (var meeting in meetings)
        {
            sb.Append("\n\n").Append(admin
                ? MeetingView.Heading(turn.Lang, meeting, options.Directory) + "\n" + MeetingView.TallyLine(turn.Lang, MeetingView.Tally(turn.Tx, meeting))
                : MeetingView.Describe(turn.Tx, meeting, turn.Lang, options.Directory, own));
        }

        sb.Append("\n\n").Append(turn.T("meeting.list_hint"));
        turn.ReplyText(sb.ToString());
    }

    /// <summary>One meeting: every child for an admin of its school, the carer's own children otherwise, with buttons to mark who came.</summary>
    private void Show(ChatTurn turn, int id, bool admin)
    {
        var own = OwnChildren(turn);
        var meeting = turn.Tx.Meetings.FindById(id);
        var asAdmin = admin && meeting is not null && SchoolDirectory.InScope(Scope(turn), meeting.SchoolId);
        if (meeting is null || (!asAdmin && !meeting.ChildIds.Exists(own.Contains)))
        {
            turn.Reply("meeting.unknown", id);
            return;
        }

        var text = MeetingView.Describe(turn.Tx, meeting, turn.Lang, options.Directory, asAdmin ? null : own);
        turn.About(asAdmin ? meeting.ChildIds : meeting.ChildIds.Where(own.Contains)); // the children the answer lists
        var buttons = new List<OutButton>();
        if (meeting.Date <= clock.Today)
        {
            // A carer marks their own children; an admin of the school any child (one list holds 50 buttons at most).
            foreach (var row in MeetingView.Rows(turn.Tx, meeting, asAdmin ? null : own).Take(MaxMarkButtons))
            {
                var data = $"{MeetingService.CameVerb}:{meeting.Id}:{row.Child.Id}";
                if (System.Text.Encoding.UTF8.GetByteCount(data) <= 64)
                {
                    buttons.Add(new OutButton { Text = turn.T(row.Came ? "meeting.button_uncame" : "meeting.button_came", row.Child.Name), Data = data });
                }
            }

            if (buttons.Count > 0)
            {
                text += "\n\n" + turn.T("meeting.mark_hint");
            }
        }

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "meeting.read", null, $"meeting:{meeting.Id}");
        turn.ReplyText(text, buttons);
    }

    private static HashSet<string> OwnChildren(ChatTurn turn) =>
        turn.Person!.IsCarer ? CareQueries.ChildrenOf(turn.Tx, turn.Person.Id).Select(c => c.Id).ToHashSet(StringComparer.Ordinal) : [];

    /// <summary>A meeting button (an answer or an attendance mark), or null when the data is not one.</summary>
    public HandleOutcome? HandleButton(ChatTurn turn)
    {
        var parts = (turn.Message.ButtonData ?? "").Split(':', 3);
        if (parts.Length != 3 || parts[0] is not (MeetingService.AnswerVerb or MeetingService.CameVerb))
        {
            return null;
        }

        var meeting = MeetingService.ParseId(parts[1]) is { } id ? turn.Tx.Meetings.FindById(id) : null;
        if (meeting is null)
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        return parts[0] == MeetingService.AnswerVerb ? Answer(turn, meeting, parts[2]) : Came(turn, meeting, parts[2]);
    }

    private HandleOutcome Answer(ChatTurn turn, Meeting meeting, string code)
    {
        var parent = turn.Person!;
        if (MeetingService.ParseAnswer(code) is not { } answer || !parent.Has(Roles.Parent) || !meeting.InvitedParentIds.Contains(parent.Id))
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        if (!MeetingService.Answer(turn.Tx, meeting, parent, answer, clock.Today, clock.UtcNow, turn.Actor))
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("meeting.over"));
        }

        var soon = answer == MeetingAnswer.Attend && meeting.Date <= clock.Today.AddDays(1); // no reminder the day before any more
        turn.Reply("meeting.answered." + answer.ToString().ToLowerInvariant() + (soon ? "_soon" : ""), meeting.Title, MeetingService.When(turn.Lang, meeting), meeting.Place);
        return new HandleOutcome(turn.Message.CallbackId, turn.T("meeting.answered_short", MeetingService.AnswerText(turn.Lang, answer)));
    }

    private HandleOutcome Came(ChatTurn turn, Meeting meeting, string childId)
    {
        var person = turn.Person!;
        var child = meeting.ChildIds.Contains(childId) ? turn.Tx.Children.FindById(childId) : null;
        var allowed = child is not null
            && ((person.IsCarer && CareQueries.IsPaired(turn.Tx, person.Id, childId))
                || (person.Has(Roles.Admin) && SchoolDirectory.InScope(Scope(turn), child)));
        if (!allowed)
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        if (meeting.Date > clock.Today)
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("meeting.not_yet"));
        }

        turn.About(child!);
        var came = MeetingService.ToggleAttended(turn.Tx, meeting, childId, clock.UtcNow, turn.Actor);
        var text = turn.T(came ? "meeting.marked_came" : "meeting.marked_not_came", child!.Name, meeting.Title);
        turn.ReplyText(text);
        return new HandleOutcome(turn.Message.CallbackId, text);
    }
}

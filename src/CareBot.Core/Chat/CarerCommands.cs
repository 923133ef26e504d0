using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>Mentors and volunteer proxy parents: /mine, /visit, /talk, /call, /diary, /check, /activity, /card, replies and buttons.</summary>
internal sealed class CarerCommands(CareClock clock, CareQueries care, CareOptions options)
{
    private static readonly Dictionary<string, string> RatingKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["学习"] = "study", ["study"] = "study",
        ["生活"] = "life", ["life"] = "life",
        ["心理"] = "mood", ["情绪"] = "mood", ["mood"] = "mood",
        ["安全"] = "safety", ["safety"] = "safety",
        ["健康"] = "health", ["health"] = "health",
    };

    public bool TryHandle(ChatTurn turn, ChatCommand? command)
    {
        switch (command?.Name)
        {
            case "mine":
                Mine(turn);
                return true;
            case "visit":
                Record(turn, command.Args, CareKind.Visit);
                return true;
            case "talk":
                Record(turn, command.Args, CareKind.Talk);
                return true;
            case "call":
                Record(turn, command.Args, CareKind.Call);
                return true;
            case "diary":
                Record(turn, command.Args, CareKind.Diary);
                return true;
            case "check":
                Check(turn, command.Args);
                return true;
            case "activity":
                ActivityCommand.Add(turn, command.Args, asAdmin: false, scope: null, clock);
                return true;
            case "card":
                Card(turn, command.Args);
                return true;
            case null:
                return PlainText(turn);
            default:
                return false;
        }
    }

    public HandleOutcome HandleButton(ChatTurn turn)
    {
        var data = turn.Message.ButtonData ?? "";
        var colon = data.IndexOf(':', StringComparison.Ordinal);
        var (verb, arg) = colon < 0 ? (data, "") : (data[..colon], data[(colon + 1)..]);
        var carer = turn.Person!;
        switch (verb)
        {
            case ReminderButtons.VisitedVerb when CareQueries.IsPaired(turn.Tx, carer.Id, arg):
            {
                // One visit per button: a second press (a double tap, or before the reminder is redrawn) saves nothing.
                // A reminder planned with its lines is redrawn with the visit logged; an older one loses its buttons.
                var reminder = ReminderPress.Find(turn);
                var spent = reminder is null ? turn.Message.ButtonMessageId : null;
                var pressed = $"pressed:{turn.Message.Chat}:{turn.Message.ButtonMessageId?.ToString(CultureInfo.InvariantCulture) ?? data}:{data}";
                if (turn.Tx.State.FindById(pressed) is not null)
                {
                    return new HandleOutcome(turn.Message.CallbackId, turn.T("media.button_done"), spent);
                }

                turn.Tx.State.Insert(new StateEntry { Id = pressed, Value = clock.UtcNow.Ticks });
                var child = turn.Tx.Children.FindById(arg)!;
                Save(turn, child, CareKind.Visit, turn.T("carer.visit_by_button"), null);
                if (reminder is not null)
                {
                    ReminderPress.Visited(turn, reminder, arg, clock);
                }

                return new HandleOutcome(turn.Message.CallbackId, turn.T("carer.saved_short"), spent);
            }

            case DutySwapCommands.ButtonVerb:
                return DutySwapCommands.Answer(turn, arg, clock);
            case ReminderButtons.SnoozeVerb:
            {
                var reminder = ReminderPress.Find(turn);
                if (ReminderButtons.SnoozeDate(arg) is { } date)
                {
                    ReminderPress.Snooze(turn, reminder, date, clock);
                }

                if (reminder is null)
                {
                    turn.Reply("carer.snoozed");
                }

                return new HandleOutcome(turn.Message.CallbackId, turn.T("carer.snoozed"), reminder is null ? turn.Message.ButtonMessageId : null);
            }

            default:
                // A stale button or one for a child no longer paired with this carer: nothing is saved.
                return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }
    }

    private void Mine(ChatTurn turn)
    {
        var children = CareQueries.ChildrenOf(turn.Tx, turn.Person!.Id);
        if (children.Count == 0)
        {
            CareQueries.Shown(turn.Tx, turn.Person.Id, children);
            turn.Reply("carer.no_children");
            return;
        }

        turn.About([.. children]);
        var sb = new StringBuilder(turn.T("carer.mine_title"));
        var standings = care.Standings(turn.Tx, children);
        for (var i = 0; i < children.Count; i++)
        {
            var s = standings[i];
            sb.Append('\n').Append(turn.T(
                "carer.mine_row",
                i + 1,
                s.Child.Name,
                s.Child.Class ?? "",
                Date(turn, s.LastVisit),
                Date(turn, s.LastTalk),
                Date(turn, s.NextVisit),
                Date(turn, s.NextTalk)));
            if (s.OverdueDays > 0)
            {
                sb.Append(' ').Append(turn.T("carer.overdue_days", s.OverdueDays));
            }
        }

        sb.Append('\n').Append(turn.T("carer.mine_hint"));
        CareQueries.Shown(turn.Tx, turn.Person.Id, children);
        turn.ReplyText(sb.ToString());
    }

    private void Record(ChatTurn turn, string args, CareKind kind)
    {
        var (who, note) = ChatCommand.SplitFirst(args);
        if (who.Length == 0)
        {
            turn.Reply("carer.usage_" + kind.ToString().ToLowerInvariant());
            return;
        }

        var child = ResolveChild(turn, who);
        if (child is null)
        {
            return;
        }

        note = ChatCommand.Clean(note);
        if (note.Length == 0 && kind == CareKind.Diary && turn.IncomingMedia is null)
        {
            turn.Reply("carer.usage_diary");
            return;
        }

        Save(turn, child, kind, note, null);
    }

    private void Check(ChatTurn turn, string args)
    {
        var (who, rest) = ChatCommand.SplitFirst(args);
        if (who.Length == 0)
        {
            turn.Reply("carer.usage_check");
            return;
        }

        var child = ResolveChild(turn, who);
        if (child is null)
        {
            return;
        }

        var values = new Dictionary<string, int>();
        var note = new List<string>();
        var problems = new List<string>();
        foreach (var token in rest.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var sep = token.IndexOfAny(['=', '＝', ':', '：']);
            if (sep > 0 && RatingKeys.TryGetValue(token[..sep], out var key))
            {
                var raw = token[(sep + 1)..];
                if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= 5)
                {
                    values[key] = v;
                }
                else
                {
                    problems.Add(token[..sep]);
                }
            }
            else
            {
                note.Add(token);
            }
        }

        var missing = new[] { "study", "life", "mood", "safety", "health" }.Where(k => !values.ContainsKey(k)).ToList();
        if (problems.Count > 0 || missing.Count > 0)
        {
            turn.Reply("carer.check_invalid", string.Join(" ", problems.Concat(missing.Select(m => turn.T("rating." + m)))));
            return;
        }

        var ratings = new Ratings { Study = values["study"], Life = values["life"], Mood = values["mood"], Safety = values["safety"], Health = values["health"] };
        Save(turn, child, CareKind.Check, ChatCommand.Clean(string.Join(' ', note)), ratings);
    }

    private void Card(ChatTurn turn, string args)
    {
        var who = ChatCommand.SplitFirst(args).First;
        if (who.Length == 0)
        {
            turn.Reply("carer.usage_card");
            return;
        }

        var child = ResolveChild(turn, who);
        if (child is null)
        {
            return;
        }

        ShowCard(turn, child);
    }

    /// <summary>The child's own carer: true when <paramref name="who"/> names one of the carer's children (nothing is replied).</summary>
    public static bool IsOwn(ChatTurn turn, string who) =>
        MatchOwn(turn.Tx, turn.Person!.Id, who) is { Child: not null } or { Ambiguous: true } or { Stale: true };

    /// <summary>The contact card, for the child's carer or an admin of the child's school (who also sees the aid).</summary>
    public void ShowCard(ChatTurn turn, Child child)
    {
        turn.About(child);
        var sb = new StringBuilder();
        sb.Append(turn.T("card.title", child.Name, child.No));
        sb.Append('\n').Append(turn.T("card.class", child.Gender ?? "-", child.Class ?? "-"));
        if (child.GuardianName is not null)
        {
            sb.Append('\n').Append(turn.T("card.guardian", child.GuardianName, child.GuardianRelation ?? "-", child.GuardianPhone ?? "-"));
        }

        if (child.Guardianship is { } level)
        {
            sb.Append('\n').Append(turn.T("card.guardianship", turn.T(GuardianshipWords.TextKey(level)), options.Care.VisitEveryDaysFor(level)));
        }

        foreach (var link in child.Parents)
        {
            var parent = turn.Tx.People.FindById(link.PersonId);
            if (parent is not null)
            {
                sb.Append('\n').Append(turn.T(
                    "card.parent",
                    turn.T(link.Relation == ParentRelation.Father ? "card.father" : "card.mother"),
                    parent.Name,
                    parent.Phone,
                    parent.WorkCity ?? "-",
                    turn.T(parent.Status == Reachability.Reachable ? "card.linked" : "card.not_linked")));
            }
        }

        foreach (var named in child.ParentsWithoutPhone)
        {
            sb.Append('\n').Append(turn.T("card.parent_no_phone", turn.T(named.Relation == ParentRelation.Father ? "card.father" : "card.mother"), named.Name, named.WorkCity ?? "-"));
        }

        foreach (var pairing in turn.Tx.Pairings.Find(p => p.ChildId == child.Id))
        {
            var carer = turn.Tx.People.FindById(pairing.CarerId);
            if (carer is not null)
            {
                sb.Append('\n').Append(turn.T(pairing.Role == PairingRole.Mentor ? "card.mentor" : "card.volunteer", carer.Name, carer.Phone));
            }
        }

        if (!string.IsNullOrWhiteSpace(child.Notes))
        {
            sb.Append('\n').Append(turn.T("card.notes", child.Notes));
        }

        var media = turn.Tx.Records.Find(r => r.ChildId == child.Id && r.Media != null).Select(r => r.Media!.Kind).ToList();
        sb.Append('\n').Append(turn.T("media.card_count", media.Count(k => k == MediaKind.Photo), media.Count(k => k == MediaKind.Voice)));
        ActivityCommand.AppendCard(turn, child, sb);
        YearCard.Append(turn, child, sb, options, Date(turn, YearCard.LastCall(turn.Tx, child.Id)));

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "card.read", child.Id);
        turn.ReplyText(sb.ToString());
    }

    /// <summary>Text without a command: a reply to a reminder or a relayed parent message; otherwise help.</summary>
    private bool PlainText(ChatTurn turn)
    {
        if (turn.RepliedTo() is not { } original)
        {
            return false;
        }

        var carer = turn.Person!;
        if (original.ChildId is { } about && !CareQueries.IsPaired(turn.Tx, carer.Id, about))
        {
            // Not one of this carer's children. A carer who is also this child's parent is answering as a parent
            // (a teacher's message or the weekly update about their own child); anything else is refused, so a
            // note about someone else's child can never be filed or relayed under their own child.
            if (carer.Has(Roles.Parent)
                && original.Kind is OutboxKind.Relay or OutboxKind.WeeklyUpdate
                && turn.Tx.Children.FindById(about) is { } own
                && own.Parents.Exists(p => p.PersonId == carer.Id))
            {
                return false;
            }

            turn.Reply("carer.not_yours");
            return true;
        }

        var text = turn.IncomingMedia is not null ? ChatCommand.Clean(turn.Message.Text ?? "") : turn.Note(turn.Message.Text, "chat.text_only");
        if (text is null)
        {
            return true;
        }

        if (original.Kind == OutboxKind.Relay && original.RelayFromPersonId is { } parentId && original.ChildId is { } relayChild)
        {

            var parent = turn.Tx.People.FindById(parentId);
            var child = turn.Tx.Children.FindById(relayChild);
            if (parent is null || child is null || !child.Parents.Any(p => p.PersonId == parent.Id))
            {
                turn.Reply("carer.relay_gone");
                return true;
            }

            SaveMessage(turn, child, CareKind.ParentMessage, text, carer.Id);
            var media = turn.IncomingMedia;
            var sent = turn.SendTo(
                parent,
                OutboxKind.Relay,
                OutboxPriority.Reply,
                media is null
                    ? Text.Texts.Get(parent.Language, "relay.from_carer", carer.Name, child.Name, text)
                    : MediaCommands.Caption(Text.Texts.Get(parent.Language, "media.relay_from_carer", carer.Name, child.Name, MediaCommands.KindText(parent.Language, media.Kind)), text),
                child.Id,
                relayFrom: carer.Id,
                media: media is null ? null : MediaCommands.CopyOf(turn.Message));
            turn.Reply(sent ? "carer.relayed" : "carer.parent_unreachable");
            return true;
        }

        if (original.ChildId is { } childId && original.ReplyAs is { } kind)
        {
            if (turn.Tx.Children.FindById(childId) is not { } child)
            {
                turn.Reply("carer.not_yours");
                return true;
            }

            Save(turn, child, kind, text, null);
            return true;
        }

        if (original.Kind is OutboxKind.Reminder or OutboxKind.Nudge)
        {
            turn.Reply("carer.reply_which_child");
            return true;
        }

        return false;
    }

    private static Child? ResolveChild(ChatTurn turn, string who)
    {
        var match = MatchOwn(turn.Tx, turn.Person!.Id, who);
        if (match.Child is null)
        {
            turn.About([.. match.Mine]); // the answer lists the carer's children to choose from
            turn.ReplyText(match.Problem(turn, who));
        }
        else
        {
            turn.About(match.Child);
        }

        return match.Child;
    }

    /// <summary>
    /// The carer's child named by <paramref name="who"/>: the number /mine shows, the exact name, or the one name
    /// containing it. A number counts only while the carer's list is the one last shown to them (/mine, or a list in
    /// an answer): after an import or a forget changed it, the number is refused (<see cref="OwnMatch.Stale"/>) rather
    /// than filed under whichever child now has it. Nothing is replied: <see cref="OwnMatch.Problem"/> says why none matched.
    /// </summary>
    internal static OwnMatch MatchOwn(CareTx tx, int carerId, string who) => MatchOwn(CareQueries.Numbered(tx, carerId), who);

    /// <summary><see cref="MatchOwn(CareTx, int, string)"/> among the carer's children already read (a command naming many).</summary>
    internal static OwnMatch MatchOwn(OwnChildren own, string who)
    {
        var mine = own.List;
        if (int.TryParse(who, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            if (!own.Current)
            {
                return new OwnMatch(null, false, mine) { Stale = true };
            }

            if (n >= 1 && n <= mine.Count)
            {
                return new OwnMatch(mine[n - 1], false, mine);
            }
        }

        var exact = mine.Where(c => c.Name == who).ToList();
        if (exact.Count == 1)
        {
            return new OwnMatch(exact[0], false, mine);
        }

        var candidates = exact.Count > 1 ? exact : mine.Where(c => c.Name.Contains(who, StringComparison.OrdinalIgnoreCase)).ToList();
        return candidates.Count == 1 && exact.Count == 0 ? new OwnMatch(candidates[0], false, mine) : new OwnMatch(null, candidates.Count > 1, mine);
    }

    /// <summary>A carer's child found by <see cref="MatchOwn"/>, or why none was: several match, a number from a list that has changed, or none (with the carer's children).</summary>
    internal sealed record OwnMatch(Child? Child, bool Ambiguous, List<Child> Mine)
    {
        /// <summary>A /mine number, but the carer's list changed since it was shown: the number may mean another child now.</summary>
        public bool Stale { get; init; }

        /// <summary>The answer, with the carer's current list numbered; from now on those are the numbers that count.</summary>
        public string Problem(ChatTurn turn, string who)
        {
            CareQueries.Shown(turn.Tx, turn.Person!.Id, Mine);
            var list = string.Join("\n", Mine.Select((c, i) => $"{i + 1}. {c.Name}" + (string.IsNullOrEmpty(c.Class) ? "" : $" ({c.Class})")));
            return Mine.Count == 0 ? turn.T("carer.no_children")
                : turn.T(Stale ? "carer.list_changed" : Ambiguous ? "carer.child_ambiguous" : "carer.child_unknown", who, list);
        }
    }

    private void Save(ChatTurn turn, Child child, CareKind kind, string note, Ratings? ratings)
    {
        if (note.Length > ChatCommand.MaxNoteLength)
        {
            turn.Reply("chat.too_long", ChatCommand.MaxNoteLength);
            return;
        }

        turn.About(child);

        // "/call CHILD 未接通 [NOTE]", or 未接通 in reply to a reminder of a call: a call that did not get through.
        if (kind == CareKind.Call && ChatCommand.SplitFirst(note) is var (marker, rest) && UnansweredCalls.IsMarker(marker))
        {
            UnansweredCalls.Save(turn, child, ChatCommand.Clean(rest), clock.UtcNow, options, Date);
            return;
        }

        var record = SaveMessage(turn, child, kind, note, turn.Person!.Id, ratings);
        var saved = turn.T("carer.saved_" + kind.ToString().ToLowerInvariant(), child.Name, Date(turn, record.LocalDate));
        saved = record.Guidance ? saved + " " + turn.T("year.guidance_marked") : saved;
        saved = record.Privacy == NotePrivacy.Private ? saved + " " + turn.T("sg.note.private_marked") : saved;
        turn.ReplyText(record.Media is { } media ? saved + " " + turn.T("media.attached", MediaCommands.KindText(turn.Lang, media.Kind)) : saved);
        SafeguardingCommands.AfterSave(turn, child, record, options, clock.UtcNow);
    }

    private CareRecord SaveMessage(ChatTurn turn, Child child, CareKind kind, string text, int authorId, Ratings? ratings = null)
    {
        return turn.Tx.SaveRecord(new CareRecord
        {
            ChildId = child.Id,
            AuthorId = authorId,
            Kind = kind,
            LocalDate = clock.Today,
            AtUtc = clock.UtcNow,
            Text = text,
            Ratings = ratings,
            Media = turn.IncomingMedia,
            Guidance = kind is CareKind.Visit or CareKind.Talk && YearCard.IsGuidance(text),
            Privacy = SafeguardingCommands.PrivacyOf(kind, text, options),
        }, turn.Actor);
    }

    internal static string Date(ChatTurn turn, DateOnly? date) =>
        date is null ? turn.T("date.never") : date.Value.ToString(turn.Lang == Text.Texts.English ? "MMM d" : "M月d日", CultureInfo.InvariantCulture);
}

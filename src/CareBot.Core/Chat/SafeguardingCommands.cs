using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Safeguarding;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// <c>/concern</c> (record, show, acknowledge, report, close, list) and <c>/flags</c> (list, clear), for the child's
/// carers and the admins in scope; nothing of it for parents. A concern no one may see answers as one that does not
/// exist, so an id tells nothing.
/// </summary>
internal sealed class SafeguardingCommands(CareClock clock, CareOptions options)
{
    public static bool Allowed(Person person) => person.IsCarer || person.Has(Roles.Admin);

    public void Handle(ChatTurn turn, ChatCommand command)
    {
        if (command.Name == "flags")
        {
            Flags(turn, command.Args);
        }
        else
        {
            Concern(turn, command.Args);
        }
    }

    private IReadOnlyCollection<string>? Scope(Person person) => SchoolDirectory.AdminScope(options.Admins, person.Phone);

    private void Concern(ChatTurn turn, string args)
    {
        var (first, rest) = ChatCommand.SplitFirst(args);
        if (first.Length == 0)
        {
            turn.Reply("sg.concern.usage");
            return;
        }

        if (first is "list" or "open" or "列表")
        {
            List(turn);
            return;
        }

        var (second, remainder) = ChatCommand.SplitFirst(rest);
        var idText = first.TrimStart('#', '＃');
        if (int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && (second.Length == 0 || ConcernWords.Action(second) is not null))
        {
            ById(turn, id, second.Length == 0 ? "show" : ConcernWords.Action(second)!, remainder);
            return;
        }

        if (second.Length == 0 || ConcernWords.Type(second) is not { } type)
        {
            turn.Reply("sg.concern.bad_type", second);
            return;
        }

        if (turn.Note(remainder, "sg.concern.note_required") is not { } note || ResolveChild(turn, first) is not { } child)
        {
            return;
        }

        Record(turn, child, type, note, null);
    }

    /// <summary>Saves the concern, alerts the admins at once and tells the sender how many were reached.</summary>
    private void Record(ChatTurn turn, Child child, ConcernType type, string note, long? fromRecord)
    {
        turn.About(child);
        var concern = SafeguardingService.RecordConcern(turn.Tx, child, type, note, turn.Person!.Id, turn.Actor, clock.UtcNow, clock.Today, fromRecord);
        var told = SafeguardingService.AlertConcern(turn.Tx, options, concern, 0, clock.UtcNow);
        turn.Reply(told > 0 ? "sg.concern.recorded" : "sg.concern.recorded_no_admin", concern.Id, child.Name, turn.T(ConcernWords.TypeKey(type)), told);
    }

    /// <summary>A carer's own child (name or /mine number), else for an admin a 学号 of their schools.</summary>
    private Child? ResolveChild(ChatTurn turn, string who)
    {
        var person = turn.Person!;
        if (person.IsCarer)
        {
            var match = CarerCommands.MatchOwn(turn.Tx, person.Id, who);
            if (match.Child is not null)
            {
                return match.Child;
            }

            if (!person.Has(Roles.Admin))
            {
                turn.ReplyText(match.Problem(turn, who));
                return null;
            }
        }

        return AidCommand.ResolveInScope(turn, who, Scope(person));
    }

    private void ById(ChatTurn turn, int id, string action, string rest)
    {
        var person = turn.Person!;
        if (turn.Tx.Concerns.FindById(id) is not { } concern || !SafeguardingService.CanSee(turn.Tx, options, person, concern))
        {
            turn.Reply("sg.concern.unknown", id);
            return;
        }

        turn.About([concern.ChildId]);
        if (action == "show")
        {
            turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "concern.read", concern.ChildId, $"concern:{concern.Id}");
            turn.ReplyText(SafeguardingService.Describe(turn.Tx, turn.Lang, concern, options.Directory, clock.ToLocal));
            return;
        }

        if (!SafeguardingService.IsAdminFor(options, person, concern.SchoolId))
        {
            turn.Reply("sg.concern.admins_only");
            return;
        }

        if (concern.ClosedUtc is not null && action != "ack")
        {
            turn.Reply("sg.concern.is_closed", concern.Id);
            return;
        }

        switch (action)
        {
            case "ack":
                Acknowledge(turn, concern);
                break;
            case "reported":
                var (word, reference) = ChatCommand.SplitFirst(rest);
                if (ConcernWords.AuthorityOf(word) is not { } authority)
                {
                    turn.Reply("sg.concern.report_usage", concern.Id);
                    return;
                }

                if (reference.Length > 100)
                {
                    turn.Reply("chat.too_long", 100);
                    return;
                }

                SafeguardingService.Report(turn.Tx, concern, authority, ChatCommand.Clean(reference), person.Id, turn.Actor, clock.UtcNow);
                turn.Reply("sg.concern.reported", concern.Id, turn.T(ConcernWords.AuthorityKey(authority)));
                break;
            default:
                if (turn.Note(rest, "sg.concern.close_usage") is not { } outcome)
                {
                    return;
                }

                SafeguardingService.Close(turn.Tx, concern, outcome, person.Id, turn.Actor, clock.UtcNow);
                turn.Reply("sg.concern.closed", concern.Id);
                break;
        }
    }

    private void Acknowledge(ChatTurn turn, Concern concern)
    {
        if (SafeguardingService.Acknowledge(turn.Tx, concern, turn.Person!.Id, turn.Actor, clock.UtcNow))
        {
            turn.Reply("sg.concern.acknowledged", concern.Id);
        }
        else
        {
            turn.Reply("sg.concern.already_acknowledged", concern.Id, turn.Tx.People.FindById(concern.AcknowledgedBy ?? 0)?.Name ?? "-");
        }
    }

    /// <summary>The open concerns the sender may see: an admin's schools, a carer's children and their own.</summary>
    private void List(ChatTurn turn)
    {
        var person = turn.Person!;
        var open = turn.Tx.Concerns.Find(c => c.ClosedUtc == null).Where(c => SafeguardingService.CanSee(turn.Tx, options, person, c)).OrderBy(c => c.Id).ToList();
        if (open.Count == 0)
        {
            turn.Reply("sg.concern.none");
            return;
        }

        var sb = new StringBuilder(turn.T("sg.concern.list_title", open.Count));
        foreach (var c in open)
        {
            sb.Append('\n').Append(SafeguardingService.Line(turn.Lang, c, turn.Tx.Children.FindById(c.ChildId)?.Name ?? c.ChildId, options.Directory.Label(c.ChildId)));
        }

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "concern.listed", null, $"count:{open.Count}");
        turn.ReplyText(sb.ToString());
    }

    private void Flags(ChatTurn turn, string args)
    {
        var person = turn.Person!;
        var (verb, rest) = ChatCommand.SplitFirst(args);
        if (verb is "clear" or "清除")
        {
            var idText = ChatCommand.SplitFirst(rest).First.TrimStart('#', '＃');
            if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || turn.Tx.Flags.FindById(id) is not { } flag
                || !SafeguardingService.CanSee(turn.Tx, options, person, flag))
            {
                turn.Reply("sg.flag.unknown", idText);
                return;
            }

            if (!SafeguardingService.IsAdminFor(options, person, flag.SchoolId))
            {
                turn.Reply("sg.flag.admins_only");
                return;
            }

            if (!flag.IsOpen)
            {
                turn.Reply("sg.flag.already_cleared", flag.Id);
                return;
            }

            SafeguardingService.Clear(turn.Tx, flag, turn.Actor, turn.Actor, clock.UtcNow);
            turn.Reply("sg.flag.cleared", flag.Id);
            return;
        }

        if (verb.Length > 0)
        {
            turn.Reply("sg.flag.usage");
            return;
        }

        var open = turn.Tx.Flags.Find(f => f.ClearedUtc == null).Where(f => SafeguardingService.CanSee(turn.Tx, options, person, f)).OrderBy(f => f.Id).ToList();
        if (open.Count == 0)
        {
            turn.Reply("sg.flag.none");
            return;
        }

        var sb = new StringBuilder(turn.T("sg.flag.list_title", open.Count));
        foreach (var f in open)
        {
            var name = turn.Tx.Children.FindById(f.ChildId)?.Name ?? f.ChildId;
            sb.Append('\n').Append(turn.T("sg.flag.line", f.Id, name, options.Directory.Label(f.ChildId), CarerCommands.Date(turn, f.RaisedDate), SafeguardingService.Describe(turn.Lang, f.Items)));
        }

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "flag.listed", null, $"count:{open.Count}");
        turn.ReplyText(sb.ToString());
    }

    /// <summary>Button verbs of a held note: send to the parents, keep private, record as a concern (then its type).</summary>
    public const string NoteVerb = "sgnote";

    public const string NoteTypeVerb = "sgnt";

    /// <summary>The 已知悉 button of an alert and the buttons of a held note; null for any other button.</summary>
    public HandleOutcome? HandleButton(ChatTurn turn)
    {
        var data = ButtonData.Parse(turn.Message.ButtonData);
        var person = turn.Person!;
        switch (data.Verb)
        {
            case SafeguardingService.AckVerb:
                if (!int.TryParse(data.Arg(0), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    || turn.Tx.Concerns.FindById(id) is not { } concern
                    || !SafeguardingService.IsAdminFor(options, person, concern.SchoolId))
                {
                    return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
                }

                Acknowledge(turn, concern);
                return new HandleOutcome(turn.Message.CallbackId, turn.T("sg.button.ack_done"), turn.Message.ButtonMessageId);
            case NoteVerb or NoteTypeVerb:
                return Note(turn, data);
            default:
                return null;
        }
    }

    private HandleOutcome Note(ChatTurn turn, ButtonData data)
    {
        var (action, recordText) = data.Verb == NoteTypeVerb ? ("type", data.Arg(0)) : (data.Arg(0), data.Arg(1));
        if (!long.TryParse(recordText, NumberStyles.None, CultureInfo.InvariantCulture, out var recordId)
            || turn.Tx.Records.FindById(recordId) is not { } record
            || record.AuthorId != turn.Person!.Id
            || turn.Tx.Children.FindById(record.ChildId) is not { } child)
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        turn.About(child);
        if (record.Privacy != NotePrivacy.Held)
        {
            return new HandleOutcome(turn.Message.CallbackId, turn.T("sg.note.already"), turn.Message.ButtonMessageId);
        }

        switch (action)
        {
            case "send":
                SetPrivacy(turn, record, NotePrivacy.Shared);
                turn.Reply("sg.note.sent", child.Name);
                break;
            case "keep":
                SetPrivacy(turn, record, NotePrivacy.Private);
                turn.Reply("sg.note.kept", child.Name);
                break;
            case "concern":
                var buttons = Enum.GetValues<ConcernType>()
                    .Select(t => new OutButton { Text = turn.T(ConcernWords.TypeKey(t)), Data = ButtonData.Format(NoteTypeVerb, record.Id.ToString(CultureInfo.InvariantCulture), ConcernWords.Code(t)) })
                    .ToList();
                turn.ReplyText(turn.T("sg.note.choose_type", child.Name), buttons, child.Id);
                return new HandleOutcome(turn.Message.CallbackId, turn.T("sg.note.choose_type_short"), turn.Message.ButtonMessageId);
            case "type" when ConcernWords.FromCode(data.Arg(1)) is { } type:
                SetPrivacy(turn, record, NotePrivacy.Private);
                Record(turn, child, type, record.Text.Length == 0 ? turn.T("sg.note.no_text") : record.Text, record.Id);
                break;
            default:
                return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        return new HandleOutcome(turn.Message.CallbackId, turn.T("carer.saved_short"), turn.Message.ButtonMessageId);
    }

    private void SetPrivacy(ChatTurn turn, CareRecord record, NotePrivacy privacy)
    {
        record.Privacy = privacy;
        turn.Tx.Records.Update(record);
        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "record.privacy", record.ChildId, $"record:{record.Id} {privacy.ToString().ToLowerInvariant()}");
    }

    /// <summary>Whether a new note may reach the parents: tagged private, held for a safeguarding word, or shared.</summary>
    public static NotePrivacy PrivacyOf(CareKind kind, string note, CareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (kind is not (CareKind.Visit or CareKind.Talk or CareKind.Diary or CareKind.Check or CareKind.Call))
        {
            return NotePrivacy.Shared;
        }

        return NoteScreen.IsTaggedPrivate(note) ? NotePrivacy.Private
            : NoteScreen.FindKeyword(note, options.Safeguarding.KeywordsInForce) is not null ? NotePrivacy.Held
            : NotePrivacy.Shared;
    }

    /// <summary>
    /// After a carer's record is saved: a visit or talk clears the child's open flags, a check-in may raise one, and a
    /// note held for a safeguarding word asks the carer what to do with it.
    /// </summary>
    public static void AfterSave(ChatTurn turn, Child child, CareRecord record, CareOptions options, DateTime nowUtc)
    {
        if (SafeguardingService.ClearFlagsBy(turn.Tx, record, turn.Actor, nowUtc) > 0)
        {
            turn.Reply("sg.flag.cleared_by_record", child.Name);
        }

        if (record.Kind == CareKind.Check)
        {
            SafeguardingService.RaiseFlag(turn.Tx, options, child, record, turn.Actor, nowUtc);
        }

        if (record.Privacy == NotePrivacy.Held)
        {
            var word = NoteScreen.FindKeyword(record.Text, options.Safeguarding.KeywordsInForce) ?? "";
            var id = record.Id.ToString(CultureInfo.InvariantCulture);
            turn.ReplyText(
                turn.T("sg.note.held", child.Name, word),
                [
                    new OutButton { Text = turn.T("sg.note.button.send"), Data = ButtonData.Format(NoteVerb, "send", id) },
                    new OutButton { Text = turn.T("sg.note.button.keep"), Data = ButtonData.Format(NoteVerb, "keep", id) },
                    new OutButton { Text = turn.T("sg.note.button.concern"), Data = ButtonData.Format(NoteVerb, "concern", id) },
                ],
                child.Id);
        }
    }
}

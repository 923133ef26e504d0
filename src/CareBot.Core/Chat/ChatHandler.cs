using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// Routes one inbound message to the command family of the sender's role. Runs inside the update's transaction
/// (see <see cref="UpdateProcessor"/>): every record and every reply it makes commits together, or not at all.
/// </summary>
public interface IChatHandler
{
    /// <summary>Handles one message inside the caller's transaction (<paramref name="tx"/>).</summary>
    HandleOutcome Handle(CareTx tx, IncomingMessage message);
}

public sealed class ChatHandler : IChatHandler
{
    private readonly CareClock _clock;
    private readonly OutboxStore _outbox;
    private readonly LinkCommands _link;
    private readonly CarerCommands _carer;
    private readonly ParentCommands _parent;
    private readonly AdminCommands _admin;
    private readonly MeetingCommands _meeting;
    private readonly SafeguardingCommands _safe;
    private readonly CareOptions _options;

    public ChatHandler(CareDb db, CareClock clock, OutboxStore outbox, InviteService invites, CareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _outbox = outbox;
        _options = options;
        var care = new CareQueries(db, clock, options);
        _link = new LinkCommands(clock, invites);
        _carer = new CarerCommands(clock, care, options);
        _parent = new ParentCommands(clock);
        _admin = new AdminCommands(clock, care, options, _carer);
        _meeting = new MeetingCommands(clock, options);
        _safe = new SafeguardingCommands(clock, options);
    }

    public HandleOutcome Handle(CareTx tx, IncomingMessage message)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(message);

        // Both providers store strings as strict UTF-8, and PostgreSQL's jsonb refuses NUL: a lone surrogate (a broken
        // emoji) or a NUL would make every save of this update throw, so the sender would get no answer. Replace them
        // with U+FFFD once, here.
        message = message with { Text = ChatCommand.ValidUtf16(message.Text), ButtonData = ChatCommand.ValidUtf16(message.ButtonData) };

        // Group chats get nothing: children's data is never discussed where others read along.
        if (message.ChatKind != ChatKind.Private)
        {
            return HandleOutcome.None;
        }

        var person = tx.People.FindOne(p => p.Chat == message.Chat);
        var turn = new ChatTurn(tx, message, person, _outbox, LanguageHint(message), _clock.Today);

        if (message.Kind == IncomingKind.BlockedBot)
        {
            // Stop messages to them now rather than after a 403 each; /start makes them reachable again.
            if (person is not null)
            {
                tx.MarkBlocked(person, _clock.UtcNow, turn.Actor);
            }

            return HandleOutcome.None;
        }

        if (message.Kind == IncomingKind.UnblockedBot)
        {
            // Telegram's my_chat_member back to member: reachable again, and what waited for them goes out now.
            if (person is { Status: Reachability.Blocked })
            {
                person.Status = Reachability.Reachable;
                person.UpdatedUtc = _clock.UtcNow;
                tx.People.Update(person);
                tx.AuditWrite(_clock.UtcNow, turn.Actor, "person.unblocked", null, $"person:{person.Id}");
                Reconnection.Deliver(tx, person, _clock.Today, _clock.UtcNow);
            }

            return HandleOutcome.None;
        }

        if (message.Kind == IncomingKind.Edited)
        {
            // An edit is not applied again: what was saved stays as it was.
            if (person is not null)
            {
                turn.Reply("chat.edited_ignored");
            }

            return HandleOutcome.None;
        }

        if (person is null)
        {
            return _link.HandleUnlinked(turn);
        }

        if (message.Kind == IncomingKind.Button)
        {
            if (_safe.HandleButton(turn) is { } safeguarding)
            {
                return safeguarding;
            }

            if (_meeting.HandleButton(turn) is { } answered)
            {
                return answered;
            }

            return person.IsCarer ? _carer.HandleButton(turn) : Ack(turn);
        }

        if (message.Kind == IncomingKind.Other)
        {
            // A sticker, a file, a video: a short, kind answer and nothing kept.
            turn.Reply("media.other_kind");
            return HandleOutcome.None;
        }

        if (message.Kind == IncomingKind.Media)
        {
            return MediaCommands.Handle(turn, _carer, _parent, _admin);
        }

        if (string.IsNullOrWhiteSpace(message.Text))
        {
            turn.Reply("chat.text_only");
            return HandleOutcome.None;
        }

        if (message.Text.Length > ChatCommand.MaxNoteLength + 200)
        {
            turn.Reply("chat.too_long", ChatCommand.MaxNoteLength);
            return HandleOutcome.None;
        }

        var command = ChatCommand.Parse(message.Text);
        switch (command?.Name)
        {
            case "start":
                return command.Args.Length > 0 ? _link.HandleUnlinked(turn) : _link.Restart(turn);
            case "help":
                Help(turn);
                return HandleOutcome.None;
            case "lang":
                _link.Language(turn, command.Args);
                return HandleOutcome.None;
        }

        if (command?.Name == "meeting" && (person.Has(Roles.Admin) || person.IsCarer))
        {
            _meeting.Handle(turn, command.Args);
            return HandleOutcome.None;
        }

        if (command?.Name is "concern" or "flags" && SafeguardingCommands.Allowed(person))
        {
            _safe.Handle(turn, command);
            return HandleOutcome.None;
        }

        if (command?.Name == "duty" && DutyCommands.Allowed(person))
        {
            DutyCommands.Handle(turn, command.Args, _clock, _options);
            return HandleOutcome.None;
        }

        if (person.Has(Roles.Admin) && command is not null && _admin.TryHandle(turn, command))
        {
            return HandleOutcome.None;
        }

        if (person.IsCarer && _carer.TryHandle(turn, command))
        {
            return HandleOutcome.None;
        }

        if (person.Has(Roles.Parent) && _parent.TryHandle(turn, command))
        {
            return HandleOutcome.None;
        }

        if (command is not null)
        {
            turn.Reply("chat.unknown_command", command.Name);
        }

        Help(turn);
        return HandleOutcome.None;
    }

    private static HandleOutcome Ack(ChatTurn turn) => new(turn.Message.CallbackId, turn.T("chat.button_unknown"));

    private static void Help(ChatTurn turn)
    {
        var p = turn.Person!;
        var parts = new List<string>();
        if (p.IsCarer)
        {
            parts.Add(turn.T("help.carer") + "\n" + turn.T("help.carer_year") + "\n" + turn.T("help.carer_meeting") + "\n" + turn.T("help.carer_activity") + "\n" + turn.T("sg.help.carer"));
        }

        if (p.Has(Roles.Parent))
        {
            parts.Add(turn.T("help.parent"));
        }

        if (p.Has(Roles.Admin))
        {
            parts.Add(turn.T("help.admin") + "\n" + turn.T("help.admin_year") + "\n" + turn.T("help.admin_meeting") + "\n" + turn.T("help.admin_activity") + "\n" + turn.T("sg.help.admin"));
        }

        if (DutyCommands.Allowed(p))
        {
            parts.Add(turn.T("duty.help"));
        }

        parts.Add(turn.T("help.everyone"));
        turn.ReplyText(string.Join("\n\n", parts));
    }

    private static string LanguageHint(IncomingMessage message) =>
        message.LanguageCode is { } code && code.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? Text.Texts.English : Text.Texts.Chinese;
}

using CareBot.Core.Model;

namespace CareBot.Core.Chat;

/// <summary>
/// Photos and voice notes. From a carer they are records like text: a reply to a reminder or to a relayed parent
/// message about one child, or a photo whose caption is <c>/visit</c>, <c>/talk</c> or <c>/diary</c> with the child, or
/// <c>/activity TITLE: CHILD, …</c> (also from an admin).
/// From a parent they go to the child's carers as a copy, like a text. Only the channel's file reference is kept.
/// </summary>
internal static class MediaCommands
{
    private static readonly string[] CaptionCommands = ["visit", "talk", "diary", "activity"];

    public static HandleOutcome Handle(ChatTurn turn, CarerCommands carer, ParentCommands parent, AdminCommands admin)
    {
        var person = turn.Person!;
        if (turn.IncomingMedia is not { } media)
        {
            turn.Reply("media.other_kind");
            return HandleOutcome.None;
        }

        var command = ChatCommand.Parse(turn.Message.Text);

        // An activity photo from an admin names children of the admin's schools, as the text command does.
        if (command?.Name == "activity" && person.Has(Roles.Admin) && admin.TryHandle(turn, command))
        {
            return HandleOutcome.None;
        }

        if (person.IsCarer)
        {
            if (command is not null && !CaptionCommands.Contains(command.Name))
            {
                turn.Reply("media.caption_command");
                return HandleOutcome.None;
            }

            if (carer.TryHandle(turn, command))
            {
                return HandleOutcome.None;
            }
        }

        if (person.Has(Roles.Parent) && parent.TryHandle(turn, null))
        {
            return HandleOutcome.None;
        }

        turn.Reply(person.IsCarer ? "media.carer_how" : "media.not_for_you", KindText(turn.Lang, media.Kind));
        return HandleOutcome.None;
    }

    public static string KindText(string lang, MediaKind kind) =>
        Text.Texts.Get(lang, kind == MediaKind.Voice ? "media.kind.voice" : "media.kind.photo");

    /// <summary>A copy of the incoming message (copyMessage), so the file is never fetched or stored.</summary>
    public static OutMedia CopyOf(IncomingMessage message) =>
        new() { Kind = OutMediaKind.Copy, CopyFrom = message.Chat, CopyMessageId = message.MessageId };

    /// <summary>A caption: the header line, the sender's caption, an optional hint; within Telegram's 1,024 characters.</summary>
    public static string Caption(string header, string caption, string? hint = null)
    {
        var text = header + (caption.Length > 0 ? "\n" + caption : "") + (hint is null ? "" : "\n\n" + hint);
        return Outbox.HeldMessages.FitCaption(text);
    }
}

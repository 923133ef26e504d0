using CareBot.Core.Chat;
using CareBot.Core.Model;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace CareBot.Worker.Telegram;

/// <summary>Turns a Telegram update into the channel-agnostic <see cref="IncomingMessage"/>; null when it carries nothing for CareBot.</summary>
public static class UpdateMapper
{
    public static IncomingMessage? Map(Update update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Message is { } message)
        {
            return FromMessage(update.Id, message, edited: false);
        }

        if (update.EditedMessage is { } edited)
        {
            return FromMessage(update.Id, edited, edited: true);
        }

        if (update.CallbackQuery is { } query)
        {
            // The button's message is the bot's, in the user's private chat; fall back to the user id.
            var chat = query.Message?.Chat;
            return new IncomingMessage(
                update.Id,
                TelegramChat.Address(chat?.Id ?? query.From.Id),
                chat is null || chat.Type == ChatType.Private ? ChatKind.Private : ChatKind.Group,
                IncomingKind.Button,
                Text: null,
                ButtonData: query.Data,
                ButtonMessageId: query.Message?.Id,
                CallbackId: query.Id,
                LanguageCode: query.From.LanguageCode);
        }

        if (update.MyChatMember is { Chat.Type: ChatType.Private, NewChatMember.Status: ChatMemberStatus.Kicked } blocked)
        {
            return new IncomingMessage(update.Id, TelegramChat.Address(blocked.Chat.Id), ChatKind.Private, IncomingKind.BlockedBot, Text: null);
        }

        if (update.MyChatMember is { Chat.Type: ChatType.Private, NewChatMember.Status: ChatMemberStatus.Member } unblocked)
        {
            return new IncomingMessage(update.Id, TelegramChat.Address(unblocked.Chat.Id), ChatKind.Private, IncomingKind.UnblockedBot, Text: null);
        }

        return null;
    }

    /// <summary>
    /// The ids of what an update carried (chat and message, edit time, button press, chat member change), never its
    /// text: an update sent again has the same fingerprint; a new update that got an old id after the server started its
    /// ids again has another.
    /// </summary>
    public static string? Fingerprint(Update update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update switch
        {
            { Message: { } m } => Invariant($"m:{m.Chat.Id}:{m.Id}"),
            { EditedMessage: { } e } => Invariant($"e:{e.Chat.Id}:{e.Id}:{e.EditDate?.Ticks ?? 0}"),
            { CallbackQuery: { } q } => "c:" + q.Id,
            { MyChatMember: { } c } => Invariant($"k:{c.Chat.Id}:{c.Date.Ticks}:{c.NewChatMember.Status}"),
            _ => null, // unknown: never taken for a redelivery
        };
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static IncomingMessage FromMessage(int updateId, Message message, bool edited)
    {
        var media = Media(message);
        var kind = edited ? IncomingKind.Edited
            : media is { Kind: MediaKind.Photo or MediaKind.Voice } ? IncomingKind.Media
            : message.Text is null ? IncomingKind.Other
            : IncomingKind.Text;
        return new IncomingMessage(
            updateId,
            TelegramChat.Address(message.Chat.Id),
            message.Chat.Type == ChatType.Private ? ChatKind.Private : ChatKind.Group,
            kind,
            media is null ? message.Text : message.Caption,
            ReplyToMessageId: message.ReplyToMessage?.Id,
            LanguageCode: message.From?.LanguageCode,
            MessageId: message.Id,
            Media: media);
    }

    /// <summary>The file reference of a photo (its largest size) or voice note; Other for stickers, files and the rest; null for text.</summary>
    private static MediaRef? Media(Message message)
    {
        if (message.Photo is { Length: > 0 } sizes)
        {
            var largest = sizes.OrderBy(p => p.FileSize ?? 0).ThenBy(p => (long)p.Width * p.Height).Last();
            return new MediaRef { Kind = MediaKind.Photo, FileId = largest.FileId, FileUniqueId = largest.FileUniqueId, Caption = message.Caption, Size = largest.FileSize };
        }

        if (message.Voice is { } voice)
        {
            return new MediaRef { Kind = MediaKind.Voice, FileId = voice.FileId, FileUniqueId = voice.FileUniqueId, Caption = message.Caption, Size = voice.FileSize, DurationSeconds = voice.Duration };
        }

        return message.Text is null ? new MediaRef { Kind = MediaKind.Other } : null;
    }
}

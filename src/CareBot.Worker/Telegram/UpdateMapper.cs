using CareBot.Core.Chat;
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
                chat?.Id ?? query.From.Id,
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
            return new IncomingMessage(update.Id, blocked.Chat.Id, ChatKind.Private, IncomingKind.BlockedBot, Text: null);
        }

        return null;
    }

    private static IncomingMessage FromMessage(int updateId, Message message, bool edited)
    {
        var kind = edited ? IncomingKind.Edited : message.Text is null ? IncomingKind.Other : IncomingKind.Text;
        return new IncomingMessage(
            updateId,
            message.Chat.Id,
            message.Chat.Type == ChatType.Private ? ChatKind.Private : ChatKind.Group,
            kind,
            message.Text,
            ReplyToMessageId: message.ReplyToMessage?.Id,
            LanguageCode: message.From?.LanguageCode);
    }
}

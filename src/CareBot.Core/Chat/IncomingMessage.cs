namespace CareBot.Core.Chat;

public enum ChatKind
{
    Private = 0,
    Group = 1,
}

public enum IncomingKind
{
    Text = 0,
    /// <summary>A button press (callback query).</summary>
    Button = 1,
    /// <summary>A sticker, photo, voice note or anything else without text.</summary>
    Other = 2,
    /// <summary>An edited message: not applied again.</summary>
    Edited = 3,
    /// <summary>The person blocked the bot in this private chat (Telegram's my_chat_member, status kicked).</summary>
    BlockedBot = 4,
    /// <summary>The person unblocked the bot (my_chat_member back to member): reachable again.</summary>
    UnblockedBot = 5,
    /// <summary>A photo or voice note (see <see cref="IncomingMessage.Media"/>; its caption is the Text).</summary>
    Media = 6,
}

/// <summary>One inbound event from a chat channel, channel-agnostic.</summary>
/// <param name="UpdateId">The channel's unique, increasing update id.</param>
/// <param name="Chat">The chat the message came from (for a private chat, the user), on its channel.</param>
/// <param name="ReplyToMessageId">The channel message id this message replies to, if any.</param>
/// <param name="ButtonData">Callback data of a pressed button.</param>
/// <param name="ButtonMessageId">The message the pressed button belongs to.</param>
/// <param name="CallbackId">The channel's id of the button press, to acknowledge it.</param>
/// <param name="LanguageCode">The sender's app language (e.g. "zh-hans", "en"), used until they are linked.</param>
/// <param name="MessageId">The channel's id of this message in its chat (to copy it).</param>
/// <param name="Media">What media it carried: a photo or voice note, or Other (a sticker, a file).</param>
public sealed record IncomingMessage(
    long UpdateId,
    Model.ChatAddress Chat,
    ChatKind ChatKind,
    IncomingKind Kind,
    string? Text,
    int? ReplyToMessageId = null,
    string? ButtonData = null,
    int? ButtonMessageId = null,
    string? CallbackId = null,
    string? LanguageCode = null,
    int? MessageId = null,
    Model.MediaRef? Media = null);

namespace CareBot.LocalBotApi;

/// <summary>A simulated Telegram user; their private chat has the same id.</summary>
public sealed record SimUser(long Id, string FirstName, string LanguageCode, string? Username);

/// <summary>An inline keyboard button the bot sent.</summary>
public sealed record BotButton(string Text, string? CallbackData, string? Url);

/// <summary>What a message the bot sent shows.</summary>
public enum BotMessageKind
{
    Text,
    Photo,
    Voice,

    /// <summary>Only a copy of a user's sticker (copyMessage) can be one.</summary>
    Sticker,
}

/// <summary>
/// A message the bot sent, as the user's chat now shows it. <see cref="Text"/> is the text of a text message and the
/// caption (empty when none) of a media message, so text waits and checks see captions too; <see cref="Kind"/>,
/// <see cref="FileId"/> and <see cref="Caption"/> tell media apart.
/// </summary>
public sealed record BotMessage(
    long ChatId,
    int MessageId,
    string Text,
    IReadOnlyList<IReadOnlyList<BotButton>> Keyboard,
    int? ReplyToMessageId,
    DateTimeOffset SentAt)
{
    /// <summary>All buttons, row by row.</summary>
    public IReadOnlyList<BotButton> Buttons => [.. Keyboard.SelectMany(row => row)];

    public BotMessageKind Kind { get; init; } = BotMessageKind.Text;

    /// <summary>The file_id the bot sent (sendPhoto, sendVoice, an album item) or the copied message's file; null for text.</summary>
    public string? FileId { get; init; }

    /// <summary>The caption of a media message; null for text and for media without one.</summary>
    public string? Caption { get; init; }

    /// <summary>Shared by the items of one sendMediaGroup album; null otherwise.</summary>
    public string? MediaGroupId { get; init; }

    /// <summary>Sent by copyMessage: (from_chat_id, message_id) of the original; shown without "forwarded from".</summary>
    public (long ChatId, int MessageId)? CopiedFrom { get; init; }

    /// <summary>Set by editMessageText / editMessageReplyMarkup.</summary>
    public DateTimeOffset? EditedAt { get; init; }

    public int EditCount { get; init; }

    public bool Deleted { get; init; }

    /// <summary>
    /// The message was delivered but the response to sendMessage was dropped (connection aborted),
    /// so the bot cannot know it arrived: a resend of it is a duplicate the bot could not avoid.
    /// </summary>
    public bool ResponseDropped { get; init; }
}

/// <summary>An answerCallbackQuery call.</summary>
public sealed record CallbackAnswer(string CallbackQueryId, long UserId, string? Text, bool ShowAlert, DateTimeOffset At);

/// <summary>
/// One routed Bot API call as the server saw it, on its <see cref="LocalBotApiOptions.TimeProvider"/>: the method as the
/// client spelt it, the chat_id when it sent a number, when the call arrived and when it was over, and the HTTP status
/// of the answer (null when none went out: the response was dropped or the client had gone).
/// </summary>
public sealed record BotApiCall(string Method, long? ChatId, DateTimeOffset ReceivedAt, DateTimeOffset AnsweredAt, int? Status)
{
    /// <summary>How long the server took, by its clock.</summary>
    public TimeSpan Took => AnsweredAt - ReceivedAt;

    /// <summary>Whether this was a call of <paramref name="method"/> (Bot API method names are case-insensitive).</summary>
    public bool Is(string method) => string.Equals(Method, method, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Counters since start; a snapshot.</summary>
/// <remarks>
/// <see cref="SendMessageCalls"/> and <see cref="SendMessageAccepted"/> count sendMessage only; <see cref="MediaCalls"/>
/// counts sendPhoto, sendVoice, sendMediaGroup and copyMessage calls, and <see cref="MediaMessagesAccepted"/> the messages
/// they delivered (an album one per item). <see cref="RateLimitRejections"/> and <see cref="DroppedButDelivered"/> cover all five.
/// </remarks>
public sealed record LocalBotApiStats(
    int SendMessageCalls,
    int SendMessageAccepted,
    int TooManyRequestsAnswers,
    int RateLimitRejections,
    int DroppedButDelivered,
    IReadOnlyDictionary<FaultKind, int> FaultsInjected,
    int MediaCalls = 0,
    int MediaMessagesAccepted = 0)
{
    public int Faults(FaultKind kind) => FaultsInjected.TryGetValue(kind, out var n) ? n : 0;
}

namespace CareBot.LocalBotApi;

/// <summary>A simulated Telegram user; their private chat has the same id.</summary>
public sealed record SimUser(long Id, string FirstName, string LanguageCode, string? Username);

/// <summary>An inline keyboard button the bot sent.</summary>
public sealed record BotButton(string Text, string? CallbackData, string? Url);

/// <summary>A message the bot sent, as the user's chat now shows it.</summary>
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

/// <summary>Counters since start; a snapshot.</summary>
public sealed record LocalBotApiStats(
    int SendMessageCalls,
    int SendMessageAccepted,
    int TooManyRequestsAnswers,
    int RateLimitRejections,
    int DroppedButDelivered,
    IReadOnlyDictionary<FaultKind, int> FaultsInjected)
{
    public int Faults(FaultKind kind) => FaultsInjected.TryGetValue(kind, out var n) ? n : 0;
}

using System.ComponentModel.DataAnnotations;

namespace CareBot.Worker.Telegram;

/// <summary>The <c>Telegram</c> section. The token is never in the file: set <c>Telegram__BotToken</c>.</summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    /// <summary>Required for <c>run</c> (checked when the client is built); never logged.</summary>
    public string? BotToken { get; set; }

    /// <summary>Any Bot API compatible server, e.g. a self-hosted one. Null: Telegram's. An absolute http(s) URL.</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>The bot's username, for invite links; asked of the server (getMe) when not set.</summary>
    public string? BotUsername { get; set; }

    /// <summary>Long-poll timeout of getUpdates, seconds.</summary>
    [Range(0, 50)]
    public int PollTimeoutSeconds { get; set; } = 25;

    /// <summary>True when <paramref name="url"/> is unset or an absolute http(s) URL.</summary>
    public static bool IsValidBaseUrl(string? url) =>
        string.IsNullOrWhiteSpace(url)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}

/// <summary>The <c>Delivery</c> section: how the dispatcher drains the outbox. Read at start.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Messages per second to all chats together (Telegram allows about 30).</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double GlobalPerSecond { get; set; } = 25;

    /// <summary>At least this long between two messages to one chat.</summary>
    [Range(0, 60_000)]
    public int PerChatIntervalMs { get; set; } = 1000;

    /// <summary>
    /// Longest wait between two tries of a message after a 5xx, a time-out or a refused connection. Such a message is
    /// tried for as long as it matters (a reminder: its day; a weekly update: its week's catch-up window; an invitation:
    /// until the meeting; the rest: until sent), never given up as failed.
    /// </summary>
    [Range(1, 3600)]
    public int MaxBackoffSeconds { get; set; } = 120;

    /// <summary>One send may take this long before it counts as a time-out.</summary>
    [Range(1, 300)]
    public int SendTimeoutSeconds { get; set; } = 15;

    /// <summary>First backoff after a 5xx or time-out; doubles per attempt up to <see cref="MaxBackoffSeconds"/>, with ±20% jitter.</summary>
    [Range(1, 600_000)]
    public int BackoffBaseMs { get; set; } = 1000;
}

namespace CareBot.LocalBotApi;

/// <summary>
/// Telegram's send limits: one message per chat per interval and a global count in a sliding
/// one-second window. Not thread-safe; the caller holds its lock.
/// </summary>
internal sealed class SendRateLimiter(LocalBotApiOptions options)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Dictionary<long, DateTimeOffset> _lastPerChat = [];
    private readonly Queue<DateTimeOffset> _recent = new();

    /// <summary>Null when a message to <paramref name="chatId"/> may go now, else retry_after in whole seconds (≥ 1).</summary>
    public int? RetryAfter(long chatId, DateTimeOffset now)
    {
        if (_lastPerChat.TryGetValue(chatId, out var last))
        {
            var wait = options.PerChatInterval - (now - last);
            if (wait > options.PerChatTolerance)
            {
                return Seconds(wait);
            }
        }

        var windowStart = now - (Window - options.PerChatTolerance);
        while (_recent.Count > 0 && _recent.Peek() <= windowStart)
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= options.GlobalPerSecond)
        {
            return Seconds(_recent.Peek() - windowStart);
        }

        return null;
    }

    public void Accepted(long chatId, DateTimeOffset now)
    {
        _lastPerChat[chatId] = now;
        _recent.Enqueue(now);
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}

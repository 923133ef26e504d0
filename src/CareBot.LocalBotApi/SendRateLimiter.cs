namespace CareBot.LocalBotApi;

/// <summary>
/// Telegram's send limits: one message per chat per interval and a global count in a sliding
/// one-second window. A call that delivers several messages at once (an album) counts as that many:
/// it needs room for all of them in the window, and the chat's next message waits one interval per message.
/// Not thread-safe; the caller holds its lock.
/// </summary>
internal sealed class SendRateLimiter(LocalBotApiOptions options)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Dictionary<long, DateTimeOffset> _lastPerChat = [];
    private readonly Queue<DateTimeOffset> _recent = new();

    /// <summary>Null when <paramref name="count"/> messages to <paramref name="chatId"/> may go now, else retry_after in whole seconds (≥ 1).</summary>
    public int? RetryAfter(long chatId, DateTimeOffset now, int count = 1)
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

        // An album larger than the whole budget may still go into an empty window, or it could never go.
        if (_recent.Count > 0 && _recent.Count + count > options.GlobalPerSecond)
        {
            var mustLeave = Math.Min(_recent.Count, _recent.Count + count - options.GlobalPerSecond);
            return Seconds(_recent.ElementAt(mustLeave - 1) - windowStart);
        }

        return null;
    }

    public void Accepted(long chatId, DateTimeOffset now, int count = 1)
    {
        _lastPerChat[chatId] = now + (options.PerChatInterval * (count - 1));
        for (var i = 0; i < count; i++)
        {
            _recent.Enqueue(now);
        }
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}

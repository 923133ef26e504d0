using CareBot.Core.Model;

namespace CareBot.Worker.Delivery;

public enum SendStatus
{
    Sent,
    /// <summary>429: wait <see cref="SendOutcome.RetryAfter"/>, then send again (not a failed attempt).</summary>
    RateLimited,
    /// <summary>5xx, time-out, connection error: retry with backoff.</summary>
    Transient,
    /// <summary>403: the person blocked the bot.</summary>
    Blocked,
    /// <summary>400 and the like: sending again will not help.</summary>
    Permanent,
}

public sealed record SendOutcome(SendStatus Status, int? MessageId = null, TimeSpan? RetryAfter = null, string? Error = null);

/// <summary>The one sending path to a chat channel (Telegram today; WeCom or SMS would be another adapter).</summary>
public interface IChatSender
{
    /// <summary>The channel this sender serves (<see cref="ChatAddress.Channel"/>): the dispatcher hands it the rows to that channel's chats.</summary>
    string Channel { get; }

    Task<SendOutcome> SendAsync(ChatAddress chat, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a photo or voice note by the channel's file reference, an album, or a copy of a chat message, with
    /// <paramref name="caption"/> (empty: none; for a copy, the original's caption stays). The outcome's message id is
    /// the first message's. A channel without media answers Permanent.
    /// </summary>
    Task<SendOutcome> SendMediaAsync(ChatAddress chat, OutMedia media, string caption, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
        Task.FromResult(new SendOutcome(SendStatus.Permanent, Error: "media not supported by this channel"));

    /// <summary>
    /// Replaces the text and buttons of a message the bot sent (no buttons: they go). An edit that changes nothing is
    /// Sent. A channel without edits answers Permanent.
    /// </summary>
    Task<SendOutcome> EditAsync(ChatAddress chat, int messageId, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
        Task.FromResult(new SendOutcome(SendStatus.Permanent, Error: "edits not supported by this channel"));
}

/// <summary>Wakes the dispatcher when rows were added, so replies go out at once rather than at the next poll.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up is enough.
        }
    }

    public void Dispose() => _signal.Dispose();

    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, cts.Token);
        var signalled = _signal.WaitAsync(cts.Token);
        await Task.WhenAny(delay, signalled).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}

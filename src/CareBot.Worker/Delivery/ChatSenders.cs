using CareBot.Core.Model;
using Microsoft.Extensions.Logging;

namespace CareBot.Worker.Delivery;

/// <summary>
/// The senders of the chat channels, by channel name: a row goes to the sender of its chat's channel. A row whose
/// channel no sender serves (a channel whose adapter is not in this worker) is not sent and not lost: it answers
/// <see cref="SendStatus.Transient"/>, so it stays Pending and is tried again with backoff for as long as it matters,
/// and a warning names the row and the channel (ids only).
/// </summary>
public sealed class ChatSenders
{
    private readonly Dictionary<string, IChatSender> _byChannel;
    private readonly ILogger _logger;

    public ChatSenders(IEnumerable<IChatSender> senders, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(senders);
        _byChannel = senders.ToDictionary(s => s.Channel, StringComparer.Ordinal);
        _logger = logger;
    }

    public Task<SendOutcome> SendAsync(OutboxMessage row, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
        For(row) is { } sender ? sender.SendAsync(row.Chat!, text, buttons, cancellationToken) : NoSender(row);

    public Task<SendOutcome> SendMediaAsync(OutboxMessage row, OutMedia media, string caption, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
        For(row) is { } sender ? sender.SendMediaAsync(row.Chat!, media, caption, buttons, cancellationToken) : NoSender(row);

    public Task<SendOutcome> EditAsync(OutboxMessage row, int messageId, string text, IReadOnlyList<OutButton> buttons, CancellationToken cancellationToken) =>
        For(row) is { } sender ? sender.EditAsync(row.Chat!, messageId, text, buttons, cancellationToken) : NoSender(row);

    private IChatSender? For(OutboxMessage row) =>
        row.Chat is { } chat && _byChannel.TryGetValue(chat.Channel, out var sender) ? sender : null;

    private Task<SendOutcome> NoSender(OutboxMessage row)
    {
        var channel = row.Chat?.Channel ?? "none";
        _logger.LogWarning("Outbox row {RowId} for person {PersonId} not sent: no sender serves channel {Channel}; it stays pending", row.Id, row.PersonId, channel);
        return Task.FromResult(new SendOutcome(SendStatus.Transient, Error: "no sender for channel " + channel));
    }
}

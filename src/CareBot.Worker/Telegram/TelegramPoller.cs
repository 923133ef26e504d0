using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using Telegram.Bot.Types;
using CareBot.Worker.Delivery;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types.Enums;

namespace CareBot.Worker.Telegram;

/// <summary>
/// CareBot's own long-poll loop (Telegram.Bot's ReceiveAsync confirms updates before they are handled, so it is
/// not used). Each update is handled and committed with its id and the new offset (<see cref="UpdateProcessor"/>);
/// only the next getUpdates, sent with that offset, confirms it to Telegram.
/// </summary>
public sealed class TelegramPoller(
    ITelegramBotClient bot,
    UpdateProcessor processor,
    CareDb db,
    OutboxStore outbox,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<TelegramOptions> options,
    WorkerActivity activity,
    ILogger<TelegramPoller> logger,
    Cluster.IPollLeadership? leadership = null) : BackgroundService
{
    /// <summary>This adapter's channel: its poll offset and id sequence are kept under "telegram.*".</summary>
    public static readonly ChatChannel Channel = new(TelegramChat.ChannelName);

    /// <summary>The offset of the last getUpdates, for the failure line (read without the database, which may be the failure).</summary>
    private long _lastOffset;

    private static readonly UpdateType[] Wanted = [UpdateType.Message, UpdateType.EditedMessage, UpdateType.CallbackQuery, UpdateType.MyChatMember];

    /// <summary>Completed when the first getUpdates has been sent (for start-up measurements and tests).</summary>
    public TaskCompletionSource FirstPoll { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var webhookCleared = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            // In a cluster only the leader polls: wait for the lead; a round stops the moment it is lost.
            using var round = leadership is null ? null : await LeadAsync(leadership, stoppingToken).ConfigureAwait(false);
            var token = round?.Token ?? stoppingToken;
            try
            {
                if (!webhookCleared)
                {
                    // getUpdates does not work while a webhook is set; keep pending updates.
                    await bot.DeleteWebhook(dropPendingUpdates: false, cancellationToken: token).ConfigureAwait(false);
                    activity.ApiAnswered();
                    webhookCleared = true;
                    await SetCommandMenuAsync(token).ConfigureAwait(false);
                }

                await PollOnceAsync(token).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException ex) when (token.IsCancellationRequested || ex is Cluster.FencedOutException)
            {
                // The lead was lost, or another node took it before this one noticed (the update was refused in its
                // own transaction): another node polls now; this one waits to lead again.
                logger.LogInformation("Polling stopped at offset {Offset}: this node no longer leads", _lastOffset);
                continue;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = Backoff(failures);
                if (TransientErrors.Describe(ex, stoppingToken) is { } reason)
                {
                    // The network or the server's passing trouble: one line, no stack trace.
                    logger.LogWarning("Polling failed at offset {Offset} ({Reason}); retry in {Delay}", _lastOffset, reason, delay);
                }
                else
                {
                    logger.LogWarning(ex, "Polling failed at offset {Offset}; retry in {Delay}", _lastOffset, delay);
                }

                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>This node's turn to poll, linked with the stop; null when the worker stops while waiting.</summary>
    private static async Task<CancellationTokenSource?> LeadAsync(Cluster.IPollLeadership leadership, CancellationToken stoppingToken)
    {
        try
        {
            var lead = await leadership.WaitToLeadAsync(stoppingToken).ConfigureAwait(false);
            return CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lead);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The "/" menu in both languages (Telegram picks by the user's app language). Best effort.</summary>
    private async Task SetCommandMenuAsync(CancellationToken cancellationToken)
    {
        string[] names = ["mine", "visit", "talk", "call", "diary", "check", "concern", "flags", "activity", "meeting", "duty", "card", "stop", "lang", "help"];
        try
        {
            foreach (var (lang, code) in new[] { (Texts.Chinese, (string?)null), (Texts.English, "en") })
            {
                var commands = names.Select(n => new BotCommand { Command = n, Description = Texts.Get(lang, "menu." + n) });
                await bot.SetMyCommands(commands, languageCode: code, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (TransientErrors.Describe(ex, cancellationToken) is { } reason)
            {
                logger.LogInformation("Could not set the command menu ({Reason})", reason);
            }
            else
            {
                logger.LogInformation(ex, "Could not set the command menu");
            }
        }
    }

    /// <summary>
    /// One getUpdates round: fetch from the committed offset, handle and commit each update in order, then make the
    /// batch durable with one sync (group commit) before anything is confirmed: the button answers here, the replies
    /// by the dispatcher, the offset by the next getUpdates.
    /// </summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var offset = checked((int)processor.Offset);
        _lastOffset = offset;
        var pending = bot.GetUpdates(offset, 100, options.Value.PollTimeoutSeconds, Wanted, cancellationToken);
        FirstPoll.TrySetResult();
        var updates = await pending.ConfigureAwait(false);
        activity.Polled();
        logger.LogTrace("getUpdates from offset {Offset}: {Count} updates", offset, updates.Length);
        var handled = new List<(IncomingMessage Message, HandleOutcome Outcome)>();
        try
        {
            var resent = IdsWentBack(offset, updates);
            foreach (var update in updates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (resent.Contains(update.Id))
                {
                    continue; // the same update again, recorded already: a no-op
                }

                var fingerprint = UpdateMapper.Fingerprint(update);
                var message = UpdateMapper.Map(update);
                if (message is null)
                {
                    processor.Skip(update.Id, fingerprint: fingerprint);
                    continue;
                }

                if (message.ReplyToMessageId is not null)
                {
                    await WaitForInFlightAsync(message.Chat, cancellationToken).ConfigureAwait(false);
                }

                // Throws after a failed attempt: the batch stops here and the same update comes again next round.
                // The batch's last update commits durably, which makes the earlier ones durable too (group commit).
                var outcome = processor.Process(message, fingerprint, durable: ReferenceEquals(update, updates[^1]));
                if (outcome is not null)
                {
                    handled.Add((message, outcome));
                }
            }
        }
        catch
        {
            // What was committed before the failure is made durable too (the next getUpdates confirms those
            // offsets); the failed update comes again. A failing sync must not hide the first error: the database
            // has then stopped, and StorageFailureWatch stops the worker.
            try
            {
                Confirmations.BatchHandled(db);
            }
            catch (StorageFailedException)
            {
            }

            signal.Notify();
            throw;
        }

        Confirmations.BatchHandled(db);
        signal.Notify();

        foreach (var (message, outcome) in handled)
        {
            await AfterCommitAsync(message, outcome, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// getUpdates with offset N returns ids from N on; ids below it mean the server's ids went back (Telegram picks new
    /// ids after a week without updates; a self-hosted server or a new token starts elsewhere), and Telegram's server
    /// then answers from the head of its queue whatever offset is asked, until an offset of its own sequence confirms
    /// them. Updates below the offset that were recorded under their id with the same fingerprint are the same batch
    /// again (returned as ids to pass over); anything else below it begins a new id sequence, offset 0, in which the
    /// whole batch is handled, so no new update is taken for an old one and none is confirmed before it is handled.
    /// </summary>
    private HashSet<int> IdsWentBack(int offset, Update[] updates)
    {
        var below = updates.Where(u => u.Id < offset).ToList();
        if (below.Count == 0)
        {
            return [];
        }

        if (below.All(u => processor.IsRecorded(u.Id, UpdateMapper.Fingerprint(u))))
        {
            logger.LogInformation("getUpdates from offset {Offset} returned {Count} updates handled before; passed over", offset, below.Count);
            return [.. below.Select(u => u.Id)];
        }

        var sequence = processor.BeginSequence();
        logger.LogWarning(
            "The Bot API server's update ids went back (asked from {Offset}, got {LowestId}): id sequence {Sequence} begins, its updates are handled as new",
            offset, below.Min(u => u.Id), sequence);
        return [];
    }

    /// <summary>
    /// A reply can reach us before the dispatcher has saved the id of the message it answers (the person read it
    /// the moment it arrived). Give an in-flight send to that chat a moment to be recorded, so the reply finds its
    /// reminder or relayed message.
    /// </summary>
    private async Task WaitForInFlightAsync(ChatAddress chat, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 60 && outbox.HasInFlight(chat); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Acknowledges a button press and removes spent buttons; best effort, nothing depends on it.</summary>
    private async Task AfterCommitAsync(IncomingMessage message, HandleOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            if (outcome.CallbackId is { } callbackId)
            {
                await bot.AnswerCallbackQuery(callbackId, outcome.CallbackText, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (outcome.RemoveButtonsFromMessageId is { } messageId)
            {
                await bot.EditMessageReplyMarkup(TelegramChat.IdOf(message.Chat), messageId, replyMarkup: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (TransientErrors.Describe(ex, cancellationToken) is { } reason)
            {
                logger.LogInformation("Could not acknowledge update {UpdateId} ({Reason})", message.UpdateId, reason);
            }
            else
            {
                logger.LogInformation(ex, "Could not acknowledge update {UpdateId}", message.UpdateId);
            }
        }
    }

    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(60, Math.Pow(2, Math.Min(failures, 6) - 1));
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }
}

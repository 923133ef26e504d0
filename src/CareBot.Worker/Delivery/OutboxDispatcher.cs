using System.Threading.RateLimiting;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Delivery;

/// <summary>
/// The one sender: drains the outbox, replies before bulk, under a global rate (token bucket) and at least
/// <see cref="DeliveryOptions.PerChatIntervalMs"/> between two messages to one chat. A row is marked Sending before
/// the call and Sent after; a Sending row found later (after a crash) is sent again. 429 waits retry_after; 5xx,
/// time-outs and refused connections back off with jitter (at most <see cref="DeliveryOptions.MaxBackoffSeconds"/>)
/// for as long as the message matters (<see cref="OutboxExpiry"/>), then it is Expired, never Failed; only a permanent
/// answer (400) fails a row; 403 marks the person unreachable; quiet hours hold bulk to parents. Each row goes to its
/// person's chat as it is when it is sent (<see cref="OutboxStore.Claim"/>). Telegram's flood limit is per bot, not per
/// chat: a 429 pauses all sending for its retry_after.
/// </summary>
public sealed class OutboxDispatcher : BackgroundService
{
    /// <summary>Rows claimed at a time: about two seconds' worth at the send rate (50 to 200), so a killed sender strands few.</summary>
    private readonly int _batchSize;

    private readonly CareDb _db;
    private readonly OutboxStore _outbox;
    private readonly ChatSenders _senders;
    private readonly OutboxSignal _signal;
    private readonly TimeProvider _time;
    private readonly CareClock _clock;
    private readonly DeliveryOptions _options;
    private readonly QuietHours _quiet;
    private readonly CareOptions _care;
    private readonly WorkerActivity? _activity;
    private readonly ILogger<OutboxDispatcher> _logger;
    private readonly TokenBucketRateLimiter _global;
    private readonly Dictionary<ChatAddress, DateTime> _chatReadyUtc = [];
    private DateTime _pausedUntilUtc = DateTime.MinValue;
    private readonly TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>In a cluster, only the node that polls sends (one send rate per bot token across the cluster).</summary>
    private readonly Cluster.IPollLeadership? _leadership;

    public OutboxDispatcher(
        CareDb db,
        OutboxStore outbox,
        IEnumerable<IChatSender> senders,
        OutboxSignal signal,
        TimeProvider time,
        CareClock clock,
        IOptions<DeliveryOptions> options,
        IOptions<CareOptions> care,
        ILogger<OutboxDispatcher> logger,
        WorkerActivity? activity = null,
        Cluster.IPollLeadership? leadership = null)
    {
        _leadership = leadership;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(care);
        _db = db;
        _outbox = outbox;
        _senders = new ChatSenders(senders, logger);
        _signal = signal;
        _time = time;
        _clock = clock;
        _options = options.Value;
        _batchSize = Math.Clamp((int)Math.Ceiling(_options.GlobalPerSecond * 2), 50, 200);
        _logger = logger;
        _care = care.Value;
        _activity = activity;
        // Parsed and validated with the settings (CareBot:QuietHours); fixed at start.
        _quiet = care.Value.Quiet ?? throw new ArgumentException("CareBot:QuietHours was not validated.", nameof(care));

        // Tokens come in 20 portions a second, and the rate is kept 5% under the setting, so that no sliding
        // one-second window (which is how Telegram and the local server count) ever holds more than the setting.
        var perPeriod = Math.Max(1, (int)Math.Floor(_options.GlobalPerSecond * 0.95 / 20));
        var period = TimeSpan.FromSeconds(perPeriod / (_options.GlobalPerSecond * 0.95));
        _global = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public override void Dispose()
    {
        _global.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_leadership is null)
        {
            await SendAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        // A standby gets its sending path ready while it waits, so that a failover starts sending at full rate.
        await Task.Run(WarmUp, CancellationToken.None).ConfigureAwait(false);

        // In a cluster the leader alone sends, so the bot's send rate and its 429 pause hold across the cluster; a
        // row left Sending by a leader that died is sent again by the next (a message may go twice, never not at all).
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lead = await _leadership.WaitToLeadAsync(stoppingToken).ConfigureAwait(false);
                using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lead);
                await SendAsync(round.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Drains the outbox until <paramref name="stoppingToken"/> is cancelled (the stop, or the lead lost), woken at once
    /// when another process adds rows (<see cref="CareDb.WatchOutbox"/>); then lets go of the rows it claimed and did
    /// not send, so that the next sender need not wait for their lease.
    /// </summary>
    private async Task SendAsync(CancellationToken stoppingToken)
    {
        using (_db.WatchOutbox(_signal.Notify))
        {
            await DrainAsync(stoppingToken).ConfigureAwait(false);
        }

        ReleaseClaims();
    }

    private void ReleaseClaims()
    {
        try
        {
            if (_outbox.ReleaseClaims() is > 0 and var released)
            {
                _logger.LogInformation("Outbox: {Count} claimed rows let go for the next sender", released);
            }
        }
        catch (Exception ex) when (ex is StorageBusyException or StorageFailedException or StorageFaultException or ObjectDisposedException)
        {
            // The database is out of reach or closing: the claims end with their lease.
            _logger.LogWarning("Outbox claims not let go ({Error}); they end with their lease", ex.GetType().Name);
        }
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan idle;
            try
            {
                idle = await DrainOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StorageBusyException)
            {
                // The database server is out of reach for now (PostgreSQL): nothing is marked sent without it; wait and try again.
                _logger.LogWarning("Outbox dispatch waits: the database is out of reach");
                idle = TimeSpan.FromSeconds(5);
            }
            catch (StorageFailedException)
            {
                // The database stopped for good (StorageFailureWatch stops the worker); nothing more to send.
                break;
            }
            catch (Exception ex)
            {
                // The dispatcher must outlive any single bad row or storage hiccup.
                _logger.LogError(ex, "Outbox dispatch round failed");
                idle = TimeSpan.FromSeconds(1);
            }

            if (idle > TimeSpan.Zero)
            {
                try
                {
                    await _signal.WaitAsync(idle, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Sends what is due now. Returns how long to wait before the next round (zero: more is due at once).
    /// </summary>
    public async Task<TimeSpan> DrainOnceAsync(CancellationToken cancellationToken)
    {
        if (PauseLeft() is { } paused)
        {
            return paused;
        }

        // Synced first: nothing is sent, and so confirmed, before the commit it comes from is on disk.
        var due = Confirmations.DueToSend(_db, _outbox, _batchSize);
        if (due.Count == 0)
        {
            ForgetIdleChats();
            return WaitUntilNextDue();
        }

        var progressed = false;
        var earliestChat = DateTime.MaxValue;
        // The batch's people in one look-up (blocked, quiet hours); the claim before each send reads its person again.
        var people = PeopleOf(due);
        foreach (var row in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (PauseLeft() is { } pause)
            {
                // A 429 during this batch: nothing more goes to any chat until retry_after has passed.
                return pause;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            if (row.Chat is { } chat && _chatReadyUtc.TryGetValue(chat, out var ready) && ready > now)
            {
                earliestChat = ready < earliestChat ? ready : earliestChat;
                continue;
            }

            var person = people.GetValueOrDefault(row.PersonId);
            if (person is { Status: Reachability.Blocked })
            {
                _outbox.MarkBlocked(row, "blocked", _clock.ToLocalDate);
                progressed = true;
                continue;
            }

            if (IsQuietFor(row, person) is { } holdUntil)
            {
                _outbox.Retry(row, holdUntil, "quiet hours");
                progressed = true;
                continue;
            }

            await SendRowAsync(row, cancellationToken).ConfigureAwait(false);
            progressed = true;
        }

        if (progressed)
        {
            return TimeSpan.Zero;
        }

        var wait = earliestChat == DateTime.MaxValue ? TimeSpan.FromMilliseconds(50) : earliestChat - _time.GetUtcNow().UtcDateTime;
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1);
    }

    private Dictionary<int, Person> PeopleOf(List<OutboxMessage> rows)
    {
        var ids = rows.Select(r => r.PersonId).Where(id => id != 0).Distinct().ToList();
        return _db.Read(tx => tx.People.Find(p => ids.Contains(p.Id)).ToDictionary(p => p.Id));
    }

    /// <summary>
    /// A standby makes its sending path ready before it may lead, writing nothing: the batch claim's statement for no
    /// row, a read of the rows due, their people and expiry, and the per-row claim of a row that does not exist. Each
    /// is a first use in this process (connections opened, statements prepared, code compiled, documents read); left
    /// to the failover, they held up the new leader's first second of sending. A failure here only costs that time.
    /// </summary>
    private void WarmUp()
    {
        try
        {
            var now = _time.GetUtcNow().UtcDateTime;
            _db.ClaimOutbox(new OutboxClaim(0, now, _outbox.Sender.Owner, now));
            var due = _outbox.Due(_batchSize);
            _ = PeopleOf(due);
            if (due.Count > 0)
            {
                _ = _db.Read(tx => HasExpired(tx, due[0]));
            }

            _ = _outbox.Claim(0, HasExpired, _clock.ToLocalDate);
            _ = _outbox.NextDueUtc();
        }
        catch (Exception ex) when (ex is StorageBusyException or StorageFailedException or StorageFaultException or ObjectDisposedException)
        {
            _logger.LogInformation("Outbox: the sending path was not made ready ahead ({Error})", ex.GetType().Name);
        }
        finally
        {
            _warmedUp.TrySetResult();
        }
    }

    /// <summary>Done when a cluster node's sender has made its sending path ready (<see cref="WarmUp"/>; for tests).</summary>
    internal Task WarmedUp => _warmedUp.Task;

    /// <summary>The per-chat spacing only needs chats sent to in the last moments; a county-wide broadcast is not kept.</summary>
    private void ForgetIdleChats()
    {
        if (_chatReadyUtc.Count > 1000)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var chat in _chatReadyUtc.Where(c => c.Value <= now).Select(c => c.Key).ToList())
            {
                _chatReadyUtc.Remove(chat);
            }
        }
    }

    private TimeSpan WaitUntilNextDue()
    {
        var next = _outbox.NextDueUtc();
        if (next is null)
        {
            return TimeSpan.FromSeconds(5);
        }

        var wait = next.Value - _time.GetUtcNow().UtcDateTime;
        return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(5);
    }

    private DateTime? IsQuietFor(OutboxMessage row, Person? person)
    {
        if (row.Priority != OutboxPriority.Bulk || person is null || !person.Has(Roles.Parent) || person.IsCarer || person.Has(Roles.Admin))
        {
            return null;
        }

        var local = _clock.LocalNow;
        if (!_quiet.Contains(TimeOnly.FromDateTime(local)))
        {
            return null;
        }

        var endLocal = _quiet.EndOf(local);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(endLocal, DateTimeKind.Unspecified), _clock.Zone);
    }

    private async Task SendRowAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var (claimed, outcome) = row.EditsMessageId is { } edited
            ? await EditAsync(row, edited, cancellationToken).ConfigureAwait(false)
            : row.Media is null
            ? await SendTextAsync(row, cancellationToken).ConfigureAwait(false)
            : await SendMediaAsync(row, row.Media, cancellationToken).ConfigureAwait(false);
        if (claimed is not null && outcome is not null)
        {
            Record(claimed, outcome);
        }
    }

    /// <summary>
    /// An edit of a message already sent (a reminder redrawn after a button press): one call under the same rules as a
    /// text, to the person's current chat. Its row keeps no channel message id (the message is the original's).
    /// Nothing is sent when the row was taken away, held or expired meanwhile.
    /// </summary>
    private async Task<(OutboxMessage? Row, SendOutcome? Outcome)> EditAsync(OutboxMessage row, int messageId, CancellationToken cancellationToken)
    {
        using var lease = await _global.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        await WaitForChatAsync(row.Chat, cancellationToken).ConfigureAwait(false);
        if (PauseLeft() is { } pause)
        {
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
        }

        if (await ClaimAsync(row, cancellationToken).ConfigureAwait(false) is not { } claimed)
        {
            return (null, null);
        }

        var outcome = await _senders.EditAsync(claimed, messageId, OutboxStore.Split(claimed.Text)[0], claimed.Buttons, CancellationToken.None).ConfigureAwait(false);
        ReadyAt(claimed.Chat, _time.GetUtcNow().UtcDateTime.AddMilliseconds(_options.PerChatIntervalMs));
        return (claimed, outcome with { MessageId = null });
    }

    /// <summary>
    /// Takes the row for sending just before the call (<see cref="OutboxStore.Claim"/>): the batch was read a moment
    /// ago, and a child erased, a chat relinked or handed over, or a person blocked meanwhile changes what goes where.
    /// Null when nothing is to be sent; otherwise the row as stored now, addressed to its person's current chat.
    /// </summary>
    private async Task<OutboxMessage?> ClaimAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var claim = _outbox.Claim(row.Id, HasExpired, _clock.ToLocalDate);
        switch (claim.Result)
        {
            case ClaimResult.Send:
                var current = claim.Row!;
                if (current.Chat != row.Chat)
                {
                    _logger.LogInformation("Outbox row {RowId} goes to person {PersonId}'s current chat", row.Id, current.PersonId);
                    await WaitForChatAsync(current.Chat, cancellationToken).ConfigureAwait(false);
                }

                return current;
            case ClaimResult.Expired:
                _logger.LogWarning("Outbox row {RowId} ({Kind}) expired unsent: it no longer matters ({Error})", row.Id, row.Kind, row.LastError ?? "never tried");
                return null;
            case ClaimResult.Held:
                _logger.LogInformation("Outbox row {RowId} held: person {PersonId} has no chat now", row.Id, row.PersonId);
                return null;
            case ClaimResult.Blocked:
                _outbox.MarkBlocked(claim.Row!, "blocked", _clock.ToLocalDate);
                return null;
            case ClaimResult.Taken:
                _logger.LogInformation("Outbox row {RowId} is another sender's under its lease; left to it", row.Id);
                return null;
            default:
                return null;
        }
    }

    private bool HasExpired(CareTx tx, OutboxMessage row) =>
        OutboxExpiry.HasExpired(tx, row, _clock, _care.CatchUpDays, _time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// A photo, voice note, album or copy: one call, under the same rules as a text. An album takes one permit of the
    /// global rate per photo. Null when nothing was sent (the row was taken away, held or expired meanwhile).
    /// </summary>
    private async Task<(OutboxMessage? Row, SendOutcome? Outcome)> SendMediaAsync(OutboxMessage row, OutMedia media, CancellationToken cancellationToken)
    {
        var leases = new List<RateLimitLease>();
        try
        {
            for (var i = 0; i < media.MessageCount; i++)
            {
                leases.Add(await _global.AcquireAsync(1, cancellationToken).ConfigureAwait(false));
            }

            await WaitForChatAsync(row.Chat, cancellationToken).ConfigureAwait(false);
            if (PauseLeft() is { } pause)
            {
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            }

            if (await ClaimAsync(row, cancellationToken).ConfigureAwait(false) is not { } claimed)
            {
                return (null, null);
            }

            var outcome = await _senders.SendMediaAsync(claimed, media, claimed.Text, claimed.Buttons, CancellationToken.None).ConfigureAwait(false);
            ReadyAt(claimed.Chat, _time.GetUtcNow().UtcDateTime.AddMilliseconds(_options.PerChatIntervalMs * media.MessageCount));
            return (claimed, outcome);
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    private async Task<(OutboxMessage? Row, SendOutcome? Outcome)> SendTextAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var parts = OutboxStore.Split(row.Text);
        SendOutcome outcome = new(SendStatus.Sent);
        var first = true;

        // A split text resumes after the parts already sent, so a retry never repeats them.
        for (var i = Math.Min(row.PartsSent, parts.Count - 1); i < parts.Count; i++)
        {
            // Waiting for a permit may be cut short by shutdown; the call itself may not: a send already on the
            // wire is let finish (bounded by SendTimeoutSeconds) and recorded, so a graceful stop duplicates nothing.
            using var lease = await _global.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            await WaitForChatAsync(row.Chat, cancellationToken).ConfigureAwait(false);
            if (PauseLeft() is { } pause)
            {
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            }

            if (first)
            {
                if (await ClaimAsync(row, cancellationToken).ConfigureAwait(false) is not { } claimed)
                {
                    return (null, null);
                }

                row = claimed;
                first = false;
            }

            var buttons = i == parts.Count - 1 ? row.Buttons : [];
            outcome = await _senders.SendAsync(row, parts[i], buttons, CancellationToken.None).ConfigureAwait(false);
            ReadyAt(row.Chat, _time.GetUtcNow().UtcDateTime.AddMilliseconds(_options.PerChatIntervalMs));
            if (outcome.Status != SendStatus.Sent)
            {
                break;
            }

            if (i < parts.Count - 1)
            {
                _outbox.MarkPartsSent(row, i + 1);
            }
        }

        return (row, outcome);
    }

    private void Record(OutboxMessage row, SendOutcome outcome)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (outcome.Status != SendStatus.Transient)
        {
            _activity?.ApiAnswered(); // a result, or the Bot API's own error: it is there
        }

        switch (outcome.Status)
        {
            case SendStatus.Sent:
                _outbox.MarkSent(row, outcome.MessageId);
                _logger.LogTrace("Outbox row {RowId} sent", row.Id);
                break;
            case SendStatus.RateLimited:
                var wait = outcome.RetryAfter ?? TimeSpan.FromSeconds(1);
                ReadyAt(row.Chat, now + wait);
                if (now + wait > _pausedUntilUtc)
                {
                    _pausedUntilUtc = now + wait; // the flood limit is the bot's: every chat waits
                }

                row.Attempts--; // a 429 is the server pacing us, not a failed attempt
                _outbox.Retry(row, now + wait, outcome.Error ?? "429");
                _logger.LogWarning("Outbox row {RowId} rate limited; all sending paused for {RetryAfter}", row.Id, wait);
                break;
            case SendStatus.Transient:
                // The network's or the server's passing trouble never ends a row: it waits (backoff capped at
                // MaxBackoffSeconds) for as long as it matters; the claim before the next try expires it after that.
                var backoff = Backoff(row.Attempts);
                _outbox.Retry(row, now + backoff, outcome.Error ?? "transient");
                _logger.LogWarning("Outbox row {RowId} not sent ({Error}); attempt {Attempt}, retry in {Backoff}", row.Id, outcome.Error, row.Attempts, backoff);
                break;
            case SendStatus.Blocked:
                _outbox.MarkBlocked(row, outcome.Error ?? "403", _clock.ToLocalDate);
                _logger.LogInformation("Person {PersonId} blocked the bot; their messages stop until /start", row.PersonId);
                break;
            default:
                _outbox.MarkFailed(row, outcome.Error ?? "failed");
                _logger.LogError("Outbox row {RowId} failed for good: the Bot API refused it ({Error})", row.Id, outcome.Error);
                break;
        }
    }

    /// <summary>How long all sending still waits after a 429, or null when it may go on.</summary>
    private TimeSpan? PauseLeft()
    {
        var left = _pausedUntilUtc - _time.GetUtcNow().UtcDateTime;
        return left > TimeSpan.Zero ? left : null;
    }

    /// <summary>The next message to <paramref name="chat"/> waits until <paramref name="utc"/>.</summary>
    private void ReadyAt(ChatAddress? chat, DateTime utc)
    {
        if (chat is not null)
        {
            _chatReadyUtc[chat] = utc;
        }
    }

    private async Task WaitForChatAsync(ChatAddress? chat, CancellationToken cancellationToken)
    {
        if (chat is not null && _chatReadyUtc.TryGetValue(chat, out var ready))
        {
            var wait = ready - _time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var baseMs = _options.BackoffBaseMs * Math.Pow(2, Math.Max(0, attempts - 1));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(baseMs, _options.MaxBackoffSeconds * 1000.0) * jitter);
    }
}

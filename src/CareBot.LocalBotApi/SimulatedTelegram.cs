using Telegram.Bot.Types;

namespace CareBot.LocalBotApi;

/// <summary>
/// The Telegram side of the local Bot API: users, chats, messages, the update queue with its
/// confirmation rules, send limits and fault dice. Thread-safe: one lock guards the state, and
/// events and waits run outside it. The HTTP layer is <see cref="LocalBotApiServer"/>.
/// </summary>
/// <remarks>
/// One class in five files, one lock: this file holds the state, what tests observe and the shared helpers;
/// SimulatedTelegram.BotApi.cs the Telegram semantics of each Bot API method; SimulatedTelegram.Media.cs those of the
/// media methods (sendPhoto, sendVoice, sendMediaGroup, copyMessage) and the files the server knows;
/// SimulatedTelegram.People.cs the simulated people (they write, send photos and voice notes, edit, press buttons, block
/// the bot); SimulatedTelegram.Faults.cs the fault model applied to each call (with <see cref="FaultInjector"/>).
/// </remarks>
public sealed partial class SimulatedTelegram : IDisposable
{
    private const string ConflictDescription =
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

    private static readonly HashSet<string> DefaultAllowedUpdates =
        new(StringComparer.Ordinal) { "message", "edited_message", "callback_query" };

    private readonly Lock _gate = new();
    private readonly LocalBotApiOptions _options;
    private readonly TimeProvider _time;
    private readonly SendRateLimiter _limiter;
    private readonly FaultInjector _faults;
    private readonly Dictionary<long, SimUser> _users = [];
    private readonly Dictionary<long, Chat> _chats = [];
    private readonly Dictionary<long, int> _lastMessageId = [];
    private readonly Dictionary<(long ChatId, int MessageId), Message> _messages = [];
    private readonly Dictionary<long, List<BotMessage>> _botMessages = [];
    private readonly Dictionary<long, List<DateTimeOffset>> _acceptedTimes = [];
    private readonly HashSet<long> _blocked = [];
    private readonly Dictionary<string, CallbackQuery> _callbacks = new(StringComparer.Ordinal);
    private readonly List<CallbackAnswer> _callbackAnswers = [];
    private readonly List<BotApiCall> _calls = [];
    private readonly Dictionary<string, BotCommand[]> _commands = new(StringComparer.Ordinal);
    private readonly List<Update> _pending = [];
    private readonly List<(long ChatId, Func<BotMessage, bool> Predicate, TaskCompletionSource<BotMessage> Done)> _waiters = [];
    private readonly CancellationTokenSource _shutdown = new();
    private HashSet<string> _allowedUpdates = DefaultAllowedUpdates;
    private TaskCompletionSource _updateArrived = NewSignal();
    private TaskCompletionSource? _activePoll;
    private int _nextUpdateId;
    private int _nextCallbackId;
    private int _sendCalls;
    private int _sendAccepted;
    private int _tooManyAnswers;
    private readonly List<DateTimeOffset> _tooManyTimes = [];
    private int _rateLimitRejections;
    private int _droppedButDelivered;
    private int _mediaCalls;
    private int _mediaAccepted;
    private int _longPollsWaiting;

    public SimulatedTelegram(LocalBotApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = options.TimeProvider;
        _limiter = new SendRateLimiter(options);
        _faults = new FaultInjector(options);
        _nextUpdateId = options.FirstUpdateId;
        Bot = new User
        {
            Id = options.BotId,
            IsBot = true,
            FirstName = options.BotFirstName,
            Username = options.BotUsername,
            CanJoinGroups = true,
            CanReadAllGroupMessages = false,
            SupportsInlineQueries = false,
        };
    }

    /// <summary>Raised after the bot sends or edits a message (outside the lock, on the request's thread).</summary>
    public event EventHandler<BotMessage>? OnBotMessage;

    public User Bot { get; }

    public int PendingUpdateCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>getUpdates calls now waiting for an update (0 or 1 unless a conflict is being resolved).</summary>
    public int LongPollsWaiting => Volatile.Read(ref _longPollsWaiting);

    public LocalBotApiStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new LocalBotApiStats(
                    _sendCalls, _sendAccepted, _tooManyAnswers, _rateLimitRejections, _droppedButDelivered, _faults.Snapshot(),
                    _mediaCalls, _mediaAccepted);
            }
        }
    }

    public IReadOnlyList<CallbackAnswer> CallbackAnswers
    {
        get
        {
            lock (_gate)
            {
                return [.. _callbackAnswers];
            }
        }
    }

    // ---------------------------------------------------------------- what tests observe

    /// <summary>
    /// What the bot sent to a chat, in order (edits applied, deleted ones flagged): a simulated user's inbox. Each entry
    /// has its <see cref="BotMessage.Kind"/>, and for media its <see cref="BotMessage.FileId"/> and <see cref="BotMessage.Caption"/>.
    /// </summary>
    public IReadOnlyList<BotMessage> MessagesTo(long chatId)
    {
        lock (_gate)
        {
            return _botMessages.TryGetValue(chatId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Times of accepted messages to a chat, all send methods, one per album item (by the server's <see cref="TimeProvider"/>).</summary>
    public IReadOnlyList<DateTimeOffset> AcceptedSendTimes(long chatId)
    {
        lock (_gate)
        {
            return _acceptedTimes.TryGetValue(chatId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Times of all accepted messages, in order.</summary>
    public IReadOnlyList<DateTimeOffset> AcceptedSendTimes()
    {
        lock (_gate)
        {
            return [.. _acceptedTimes.Values.SelectMany(t => t).Order()];
        }
    }

    /// <summary>
    /// Every routed Bot API call that is over, in the order they ended, with when the server received and answered it
    /// (by the server's <see cref="TimeProvider"/>): tests measure on this clock rather than on their own.
    /// </summary>
    public IReadOnlyList<BotApiCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<BotCommand> Commands(string languageCode = "")
    {
        lock (_gate)
        {
            return _commands.TryGetValue(languageCode, out var list) ? list : [];
        }
    }

    /// <summary>
    /// The first bot message to <paramref name="chatId"/>, already sent or still to come (sent or edited),
    /// that matches; waits in real time and throws <see cref="TimeoutException"/> naming what did arrive.
    /// </summary>
    public async Task<BotMessage> WaitForMessageAsync(
        long chatId, Func<BotMessage, bool> predicate, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var done = new TaskCompletionSource<BotMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        (long, Func<BotMessage, bool>, TaskCompletionSource<BotMessage>) waiter = (chatId, predicate, done);
        lock (_gate)
        {
            var found = _botMessages.GetValueOrDefault(chatId)?.FirstOrDefault(predicate);
            if (found is not null)
            {
                return found;
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await done.Task.WaitAsync(timeout, TimeProvider.System, ct);
        }
        catch (TimeoutException)
        {
            var seen = MessagesTo(chatId);
            throw new TimeoutException(
                $"No matching bot message to chat {chatId} within {timeout}. It got {seen.Count}: "
                + string.Join(" | ", seen.Select(m => $"#{m.MessageId} {m.Text}")));
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Ends waiting long polls (they answer with no updates) and fails pending waits.</summary>
    internal void Shutdown()
    {
        _shutdown.Cancel();
    }

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    // ---------------------------------------------------------------- shared helpers (callers hold the lock)

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static Message WithoutReply(Message message)
    {
        var copy = Copy(message);
        copy.ReplyToMessage = null;
        return copy;
    }

    private static Message Copy(Message m) => new()
    {
        Id = m.Id,
        From = m.From,
        Chat = m.Chat,
        Date = m.Date,
        EditDate = m.EditDate,
        Text = m.Text,
        Sticker = m.Sticker,
        Photo = m.Photo,
        Voice = m.Voice,
        Caption = m.Caption,
        MediaGroupId = m.MediaGroupId,
        ReplyToMessage = m.ReplyToMessage,
        ReplyMarkup = m.ReplyMarkup,
    };

    private DateTimeOffset Now() => _time.GetUtcNow();

    private int NextMessageId(long chatId)
    {
        var id = _lastMessageId.GetValueOrDefault(chatId) + 1;
        _lastMessageId[chatId] = id;
        return id;
    }

    private List<BotMessage> BotMessages(long chatId)
    {
        if (!_botMessages.TryGetValue(chatId, out var list))
        {
            _botMessages[chatId] = list = [];
        }

        return list;
    }

    private BotMessage? Replace(long chatId, int messageId, Func<BotMessage, BotMessage> change)
    {
        var list = BotMessages(chatId);
        var index = list.FindIndex(m => m.MessageId == messageId);
        if (index < 0)
        {
            return null;
        }

        list[index] = change(list[index]);
        return list[index];
    }

    private List<TaskCompletionSource<BotMessage>> Matching(BotMessage message)
    {
        var woken = new List<TaskCompletionSource<BotMessage>>();
        foreach (var (chatId, predicate, done) in _waiters)
        {
            if (chatId == message.ChatId && !done.Task.IsCompleted && predicate(message))
            {
                woken.Add(done);
            }
        }

        return woken;
    }

    private void Announce(BotMessage message, List<TaskCompletionSource<BotMessage>> woken)
    {
        foreach (var done in woken)
        {
            done.TrySetResult(message);
        }

        OnBotMessage?.Invoke(this, message);
    }
}

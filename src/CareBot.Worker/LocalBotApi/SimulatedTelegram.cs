using System.Globalization;
using System.Text.Json.Nodes;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.Worker.LocalBotApi;

/// <summary>
/// The Telegram side of the local Bot API: users, chats, messages, the update queue with its
/// confirmation rules, send limits and fault dice. Thread-safe: one lock guards the state, and
/// events and waits run outside it. The HTTP layer is <see cref="LocalBotApiServer"/>.
/// </summary>
public sealed class SimulatedTelegram : IDisposable
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
                    _sendCalls, _sendAccepted, _tooManyAnswers, _rateLimitRejections, _droppedButDelivered, _faults.Snapshot());
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

    // ---------------------------------------------------------------- simulated users

    public SimUser AddUser(long id, string firstName, string languageCode = "zh", string? username = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(firstName);
        if (id <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "User ids are positive.");
        }

        lock (_gate)
        {
            var user = new SimUser(id, firstName, languageCode, username);
            _users[id] = user;
            _chats[id] = new Chat { Id = id, Type = ChatType.Private, FirstName = firstName, Username = username };
            return user;
        }
    }

    /// <summary>The user writes <paramref name="text"/> in their private chat (adding the user if new; unblocking the bot).</summary>
    public Message UserSends(long userId, string text, int? replyToMessageId = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            var message = NewUserMessage(userId, userId, replyToMessageId);
            message.Text = text;
            return Deliver(message, "message", m => new Update { Message = m });
        }
    }

    public Message UserSendsSticker(long userId, string emoji = "👍")
    {
        lock (_gate)
        {
            var message = NewUserMessage(userId, userId, null);
            var unique = $"AgAD{message.Id:D6}";
            message.Sticker = new Sticker
            {
                FileId = "CAACAgIAAxkBAA" + unique,
                FileUniqueId = unique,
                Type = StickerType.Regular,
                Width = 512,
                Height = 512,
                IsAnimated = false,
                IsVideo = false,
                Emoji = emoji,
            };
            return Deliver(message, "message", m => new Update { Message = m });
        }
    }

    /// <summary>A user writes in a group the bot is in (chat type "group", negative id).</summary>
    public Message GroupMessage(long groupChatId, long userId, string text, string groupTitle = "家长群")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (groupChatId >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(groupChatId), groupChatId, "Group chat ids are negative.");
        }

        lock (_gate)
        {
            if (!_chats.ContainsKey(groupChatId))
            {
                _chats[groupChatId] = new Chat { Id = groupChatId, Type = ChatType.Group, Title = groupTitle };
            }

            var message = NewUserMessage(groupChatId, userId, null);
            message.Text = text;
            return Deliver(message, "message", m => new Update { Message = m });
        }
    }

    /// <summary>The user edits one of their own earlier messages (an edited_message update).</summary>
    public Message UserEdits(long userId, int messageId, string newText, long? chatId = null)
    {
        ArgumentNullException.ThrowIfNull(newText);
        lock (_gate)
        {
            var key = (chatId ?? userId, messageId);
            if (!_messages.TryGetValue(key, out var original) || original.From?.Id != userId)
            {
                throw new InvalidOperationException($"User {userId} has no message {messageId} in chat {key.Item1}.");
            }

            var edited = Copy(original);
            edited.Text = newText;
            edited.EditDate = Now().UtcDateTime;
            _messages[key] = edited;
            return Deliver(edited, "edited_message", m => new Update { EditedMessage = m }, store: false);
        }
    }

    /// <summary>The user presses an inline button of a bot message; the button must be on it now unless <paramref name="allowStale"/>.</summary>
    public CallbackQuery UserPressesButton(long userId, int botMessageId, string data, long? chatId = null, bool allowStale = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            var chat = chatId ?? userId;
            var user = UserOrAdd(userId);
            var sent = _botMessages.GetValueOrDefault(chat)?.FirstOrDefault(m => m.MessageId == botMessageId)
                ?? throw new InvalidOperationException($"The bot sent no message {botMessageId} to chat {chat}.");
            if (sent.Deleted || !_messages.TryGetValue((chat, botMessageId), out var shown))
            {
                throw new InvalidOperationException($"Message {botMessageId} in chat {chat} was deleted.");
            }

            if (!allowStale && !sent.Buttons.Any(b => b.CallbackData == data))
            {
                throw new InvalidOperationException(
                    $"Message {botMessageId} in chat {chat} has no button with data '{data}' (buttons: {string.Join(", ", sent.Buttons.Select(b => b.CallbackData))}).");
            }

            var query = new CallbackQuery
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"{_options.BotId % 100_000}{++_nextCallbackId:D10}"),
                From = ToUser(user),
                Message = shown,
                ChatInstance = ChatInstance(chat),
                Data = data,
            };
            _callbacks[query.Id] = query;
            Enqueue("callback_query", id => new Update { Id = id, CallbackQuery = query });
            return query;
        }
    }

    public void Block(long userId)
    {
        lock (_gate)
        {
            _blocked.Add(userId);
        }
    }

    public void Unblock(long userId)
    {
        lock (_gate)
        {
            _blocked.Remove(userId);
        }
    }

    /// <summary>What the bot sent to a chat, in order (edits applied, deleted ones flagged).</summary>
    public IReadOnlyList<BotMessage> MessagesTo(long chatId)
    {
        lock (_gate)
        {
            return _botMessages.TryGetValue(chatId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Times of accepted sendMessage calls to a chat (by the server's <see cref="TimeProvider"/>).</summary>
    public IReadOnlyList<DateTimeOffset> AcceptedSendTimes(long chatId)
    {
        lock (_gate)
        {
            return _acceptedTimes.TryGetValue(chatId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Times of all accepted sendMessage calls, in order.</summary>
    public IReadOnlyList<DateTimeOffset> AcceptedSendTimes()
    {
        lock (_gate)
        {
            return [.. _acceptedTimes.Values.SelectMany(t => t).Order()];
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

    // ---------------------------------------------------------------- Bot API methods

    internal FaultPlan BeginCall(string method)
    {
        lock (_gate)
        {
            if (method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase))
            {
                _sendCalls++;
            }

            return _faults.Applies(method) ? _faults.Roll() : FaultPlan.None;
        }
    }

    internal void CountTooManyRequests()
    {
        lock (_gate)
        {
            _tooManyAnswers++;
            _tooManyTimes.Add(Now());
        }
    }

    /// <summary>When each 429 answer was given (by the server's <see cref="TimeProvider"/>), oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> TooManyRequestsTimes()
    {
        lock (_gate)
        {
            return [.. _tooManyTimes];
        }
    }

    /// <summary>A sendMessage whose response was dropped still delivered its message: flag it as a possible duplicate source.</summary>
    internal void ResponseDropped(string method, object? result)
    {
        if (!method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase) || result is not Message sent)
        {
            return;
        }

        lock (_gate)
        {
            _droppedButDelivered++;
            Replace(sent.Chat.Id, sent.Id, m => m with { ResponseDropped = true });
        }
    }

    internal async Task<Update[]> GetUpdatesAsync(BotApiArgs args, CancellationToken requestAborted)
    {
        var offset = args.Long("offset") ?? 0;
        var limit = Math.Clamp(args.Long("limit") ?? 100, 1, 100);
        var timeout = TimeSpan.FromSeconds(Math.Clamp(args.Long("timeout") ?? 0, 0, 50));
        var allowed = args.StringArray("allowed_updates");

        var superseded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource? previous;
        lock (_gate)
        {
            previous = _activePoll;
            _activePoll = superseded;
            if (allowed is not null)
            {
                _allowedUpdates = allowed.Count == 0 ? DefaultAllowedUpdates : new HashSet<string>(allowed, StringComparer.Ordinal);
            }

            Confirm(offset);
        }

        previous?.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _shutdown.Token);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        try
        {
            while (true)
            {
                Task arrived;
                lock (_gate)
                {
                    if (_pending.Count > 0)
                    {
                        return [.. _pending.Take((int)limit)];
                    }

                    if (superseded.Task.IsCompleted)
                    {
                        throw new BotApiException(409, ConflictDescription);
                    }

                    arrived = _updateArrived.Task;
                }

                var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero || stop.IsCancellationRequested)
                {
                    return [];
                }

                Interlocked.Increment(ref _longPollsWaiting);
                try
                {
                    await Task.WhenAny(arrived, superseded.Task).WaitAsync(left, TimeProvider.System, stop.Token);
                }
                catch (TimeoutException)
                {
                    return [];
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return [];
                }
                finally
                {
                    Interlocked.Decrement(ref _longPollsWaiting);
                }

                if (superseded.Task.IsCompleted)
                {
                    throw new BotApiException(409, ConflictDescription);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_activePoll == superseded)
                {
                    _activePoll = null;
                }
            }
        }
    }

    internal Message SendMessage(BotApiArgs args)
    {
        var chatId = args.ChatId();
        var text = args.String("text");
        var replyParameters = args.Object<ReplyParameters>("reply_parameters", "reply parameters");
        var replyTo = replyParameters?.MessageId ?? args.Int("reply_to_message_id");
        var allowWithoutReply = replyParameters?.AllowSendingWithoutReply ?? args.Bool("allow_sending_without_reply");
        var keyboard = InlineKeyboard(args);

        BotMessage record;
        Message sent;
        List<TaskCompletionSource<BotMessage>> woken;
        lock (_gate)
        {
            var chat = KnownChat(chatId);
            if (_blocked.Contains(chatId))
            {
                throw new BotApiException(403, "Forbidden: bot was blocked by the user");
            }

            CheckText(text);
            Message? replied = null;
            if (replyTo is { } replyId && !_messages.TryGetValue((chatId, replyId), out replied) && !allowWithoutReply)
            {
                throw BotApiException.BadRequest("message to be replied not found");
            }

            var now = Now();
            if (_limiter.RetryAfter(chatId, now) is { } retryAfter)
            {
                _rateLimitRejections++;
                throw BotApiException.TooManyRequests(retryAfter);
            }

            _limiter.Accepted(chatId, now);
            _sendAccepted++;
            Times(chatId).Add(now);
            sent = new Message
            {
                Id = NextMessageId(chatId),
                From = Bot,
                Chat = chat,
                Date = now.UtcDateTime,
                Text = text,
                ReplyToMessage = replied is null ? null : WithoutReply(replied),
                ReplyMarkup = keyboard,
            };
            _messages[(chatId, sent.Id)] = sent;
            record = new BotMessage(chatId, sent.Id, text!, Buttons(keyboard), replied?.Id, now);
            BotMessages(chatId).Add(record);
            woken = Matching(record);
        }

        Announce(record, woken);
        return sent;
    }

    internal Message EditMessage(BotApiArgs args, bool textToo)
    {
        if (args.Has("inline_message_id"))
        {
            throw BotApiException.BadRequest("inline messages are not supported by the local Bot API server");
        }

        var chatId = args.ChatId();
        var messageId = args.Int("message_id") ?? throw BotApiException.BadRequest("message identifier is not specified");
        var text = textToo ? args.String("text") : null;
        var keyboard = InlineKeyboard(args);

        BotMessage record;
        Message edited;
        List<TaskCompletionSource<BotMessage>> woken;
        lock (_gate)
        {
            KnownChat(chatId);
            if (_blocked.Contains(chatId))
            {
                throw new BotApiException(403, "Forbidden: bot was blocked by the user");
            }

            if (textToo)
            {
                CheckText(text);
            }

            if (!_messages.TryGetValue((chatId, messageId), out var current)
                || BotMessages(chatId).FirstOrDefault(m => m.MessageId == messageId) is not { Deleted: false } before)
            {
                throw BotApiException.BadRequest("message to edit not found");
            }

            if (current.From?.Id != Bot.Id)
            {
                throw BotApiException.BadRequest("message can't be edited");
            }

            var newText = textToo ? text! : current.Text;
            var newButtons = Buttons(keyboard);
            if (newText == current.Text && SameButtons(newButtons, before.Keyboard))
            {
                throw BotApiException.BadRequest(
                    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
            }

            var now = Now();
            edited = Copy(current);
            edited.Text = newText;
            edited.ReplyMarkup = keyboard;
            edited.EditDate = now.UtcDateTime;
            _messages[(chatId, messageId)] = edited;
            record = Replace(chatId, messageId, m => m with
            {
                Text = newText ?? "",
                Keyboard = newButtons,
                EditedAt = now,
                EditCount = m.EditCount + 1,
            })!;
            woken = Matching(record);
        }

        Announce(record, woken);
        return edited;
    }

    internal bool DeleteMessage(BotApiArgs args)
    {
        var chatId = args.ChatId();
        var messageId = args.Int("message_id") ?? throw BotApiException.BadRequest("message identifier is not specified");
        lock (_gate)
        {
            KnownChat(chatId);
            if (!_messages.Remove((chatId, messageId)))
            {
                throw BotApiException.BadRequest("message to delete not found");
            }

            Replace(chatId, messageId, m => m with { Deleted = true });
            return true;
        }
    }

    internal bool AnswerCallbackQuery(BotApiArgs args)
    {
        var id = args.String("callback_query_id") ?? throw BotApiException.BadRequest("query_id is empty");
        lock (_gate)
        {
            if (!_callbacks.Remove(id, out var query))
            {
                throw BotApiException.BadRequest("query is too old and response timeout expired or query ID is invalid");
            }

            _callbackAnswers.Add(new CallbackAnswer(id, query.From.Id, args.String("text"), args.Bool("show_alert"), Now()));
            return true;
        }
    }

    internal bool DeleteWebhook(BotApiArgs args)
    {
        if (args.Bool("drop_pending_updates"))
        {
            lock (_gate)
            {
                _pending.Clear();
            }
        }

        return true;
    }

    internal WebhookInfo GetWebhookInfo()
    {
        lock (_gate)
        {
            return new WebhookInfo { Url = "", HasCustomCertificate = false, PendingUpdateCount = _pending.Count };
        }
    }

    internal bool SetMyCommands(BotApiArgs args)
    {
        var commands = args.Object<BotCommand[]>("commands", "bot commands") ?? throw BotApiException.BadRequest("parameter \"commands\" is required");
        if (commands.Length > 100 || commands.Any(c => string.IsNullOrEmpty(c.Command) || c.Command.Length > 32 || string.IsNullOrEmpty(c.Description)))
        {
            throw BotApiException.BadRequest("BOT_COMMAND_INVALID");
        }

        lock (_gate)
        {
            _commands[args.String("language_code") ?? ""] = commands;
        }

        return true;
    }

    internal BotCommand[] GetMyCommands(BotApiArgs args)
    {
        lock (_gate)
        {
            return _commands.TryGetValue(args.String("language_code") ?? "", out var list) ? list : [];
        }
    }

    internal bool DeleteMyCommands(BotApiArgs args)
    {
        lock (_gate)
        {
            _commands.Remove(args.String("language_code") ?? "");
        }

        return true;
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

    // ---------------------------------------------------------------- helpers (callers hold the lock)

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void CheckText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw BotApiException.BadRequest("message text is empty");
        }

        if (text.Length > 4096)
        {
            throw BotApiException.BadRequest("message is too long");
        }
    }

    private static InlineKeyboardMarkup? InlineKeyboard(BotApiArgs args)
    {
        var node = args.Json("reply_markup", "reply keyboard markup");
        if (node is not JsonObject obj || obj["inline_keyboard"] is null)
        {
            return null; // reply keyboards, force_reply and remove_keyboard are not kept
        }

        var markup = args.Object<InlineKeyboardMarkup>("reply_markup", "reply keyboard markup")!;
        foreach (var button in markup.InlineKeyboard.SelectMany(row => row))
        {
            if (string.IsNullOrEmpty(button.Text))
            {
                throw BotApiException.BadRequest("can't parse inline keyboard button: Text must be non-empty");
            }

            if (button.CallbackData is { } data && (data.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(data) > 64))
            {
                throw BotApiException.BadRequest("BUTTON_DATA_INVALID");
            }

            if (button.CallbackData is null && button.Url is null)
            {
                throw BotApiException.BadRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
            }
        }

        return markup;
    }

    private static IReadOnlyList<IReadOnlyList<BotButton>> Buttons(InlineKeyboardMarkup? markup) =>
        markup is null
            ? []
            : [.. markup.InlineKeyboard.Select(row => (IReadOnlyList<BotButton>)[.. row.Select(b => new BotButton(b.Text, b.CallbackData, b.Url))])];

    private static bool SameButtons(IReadOnlyList<IReadOnlyList<BotButton>> a, IReadOnlyList<IReadOnlyList<BotButton>> b) =>
        a.Count == b.Count && a.Zip(b).All(rows => rows.First.SequenceEqual(rows.Second));

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
        ReplyToMessage = m.ReplyToMessage,
        ReplyMarkup = m.ReplyMarkup,
    };

    private static User ToUser(SimUser user) => new()
    {
        Id = user.Id,
        IsBot = false,
        FirstName = user.FirstName,
        Username = user.Username,
        LanguageCode = user.LanguageCode,
    };

    private DateTimeOffset Now() => _time.GetUtcNow();

    private string ChatInstance(long chatId) =>
        unchecked((chatId * 1_000_003L) ^ (_options.BotId << 7)).ToString(CultureInfo.InvariantCulture);

    private SimUser UserOrAdd(long userId) =>
        _users.TryGetValue(userId, out var user) ? user : AddUser(userId, $"User{userId}");

    private Chat KnownChat(long chatId) =>
        _chats.TryGetValue(chatId, out var chat) ? chat : throw BotApiException.BadRequest("chat not found");

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

    private List<DateTimeOffset> Times(long chatId)
    {
        if (!_acceptedTimes.TryGetValue(chatId, out var list))
        {
            _acceptedTimes[chatId] = list = [];
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

    private Message NewUserMessage(long chatId, long userId, int? replyToMessageId)
    {
        var user = UserOrAdd(userId);
        if (chatId == userId)
        {
            _blocked.Remove(userId); // writing to the bot again is how a user unblocks it
        }

        Message? replied = null;
        if (replyToMessageId is { } replyId && !_messages.TryGetValue((chatId, replyId), out replied))
        {
            throw new InvalidOperationException($"Chat {chatId} has no message {replyId} to reply to.");
        }

        return new Message
        {
            Id = NextMessageId(chatId),
            From = ToUser(user),
            Chat = _chats[chatId],
            Date = Now().UtcDateTime,
            ReplyToMessage = replied is null ? null : WithoutReply(replied),
        };
    }

    private Message Deliver(Message message, string kind, Func<Message, Update> wrap, bool store = true)
    {
        if (store)
        {
            _messages[(message.Chat.Id, message.Id)] = message;
        }

        Enqueue(kind, id =>
        {
            var update = wrap(message);
            update.Id = id;
            return update;
        });
        return message;
    }

    /// <summary>Adds an update unless getUpdates' allowed_updates excludes its kind (as Telegram does, at creation).</summary>
    private void Enqueue(string kind, Func<int, Update> build)
    {
        if (!_allowedUpdates.Contains(kind))
        {
            return;
        }

        _pending.Add(build(_nextUpdateId++));
        var arrived = _updateArrived;
        _updateArrived = NewSignal();
        arrived.TrySetResult();
    }

    /// <summary>getUpdates' offset: ids below a positive offset are confirmed; a negative one keeps only the last -offset.</summary>
    private void Confirm(long offset)
    {
        if (offset > 0)
        {
            _pending.RemoveAll(u => u.Id < offset);
        }
        else if (offset < 0)
        {
            var keep = (int)Math.Min(-offset, int.MaxValue);
            if (_pending.Count > keep)
            {
                _pending.RemoveRange(0, _pending.Count - keep);
            }
        }
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

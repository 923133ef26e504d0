using System.Text.Json.Nodes;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.LocalBotApi;

// The Telegram semantics of each Bot API method the server routes: the update queue and its confirmation by offset,
// long polls and their conflicts, send limits, replies, edits, callback answers, webhook and command settings.
public sealed partial class SimulatedTelegram
{
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
        var (replyTo, allowWithoutReply) = ReadReplyTo(args);
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

            if (textToo && current.Text is null)
            {
                throw BotApiException.BadRequest("there is no text in the message to edit");
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
                Text = textToo ? newText! : m.Text,
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

    // ---------------------------------------------------------------- helpers (callers hold the lock)

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

    /// <summary>
    /// getUpdates' offset: ids below a positive offset are confirmed; a negative one keeps only the last -offset. As
    /// Telegram's server (tdlib's TQueue) does, an offset more than 10 beyond the next id to be given is not of this id
    /// sequence (the ids started again after it was handed out): it confirms nothing, and the queue is answered from its head.
    /// </summary>
    private void Confirm(long offset)
    {
        if (offset > (long)_nextUpdateId + 10)
        {
            return;
        }

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

    /// <summary>reply_parameters (or the older reply_to_message_id and allow_sending_without_reply).</summary>
    private static (int? MessageId, bool AllowWithoutReply) ReadReplyTo(BotApiArgs args)
    {
        var replyParameters = args.Object<ReplyParameters>("reply_parameters", "reply parameters");
        return (replyParameters?.MessageId ?? args.Int("reply_to_message_id"),
            replyParameters?.AllowSendingWithoutReply ?? args.Bool("allow_sending_without_reply"));
    }

    private Chat KnownChat(long chatId) =>
        _chats.TryGetValue(chatId, out var chat) ? chat : throw BotApiException.BadRequest("chat not found");

    private List<DateTimeOffset> Times(long chatId)
    {
        if (!_acceptedTimes.TryGetValue(chatId, out var list))
        {
            _acceptedTimes[chatId] = list = [];
        }

        return list;
    }

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
}

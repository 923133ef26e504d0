using System.Globalization;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace CareBot.LocalBotApi;

// The simulated people: users who write to the bot, edit and press buttons, write in groups, block and unblock it.
public sealed partial class SimulatedTelegram
{
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

    /// <summary>
    /// The user sends a photo in their private chat, with an optional caption (a command caption such as
    /// "/visit 小明 去家访了" too), optionally as a reply. The update carries Message.Photo: the sizes Telegram makes, smallest
    /// first, each with a new file_id the server remembers so the bot can send it again; the original size is last.
    /// </summary>
    public Message UserSendsPhoto(long userId, string? caption = null, int? replyToMessageId = null, int width = 1280, int height = 960)
    {
        lock (_gate)
        {
            var message = NewUserMessage(userId, userId, replyToMessageId);
            message.Photo = NewPhoto(width, height);
            message.Caption = string.IsNullOrEmpty(caption) ? null : caption;
            return Deliver(message, "message", m => new Update { Message = m });
        }
    }

    /// <summary>
    /// The user sends a voice note (Message.Voice: a new file_id the server remembers, the duration, mime_type "audio/ogg",
    /// file_size), with an optional caption, optionally as a reply.
    /// </summary>
    public Message UserSendsVoice(long userId, int durationSeconds = 5, string? caption = null, int? replyToMessageId = null)
    {
        lock (_gate)
        {
            var voice = NewVoice(durationSeconds);
            var message = NewUserMessage(userId, userId, replyToMessageId);
            message.Voice = voice;
            message.Caption = string.IsNullOrEmpty(caption) ? null : caption;
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

    /// <summary>The user edits one of their own earlier messages (an edited_message update): its text, or a photo's or voice note's caption.</summary>
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
            if (original.Photo is not null || original.Voice is not null)
            {
                edited.Caption = newText;
            }
            else
            {
                edited.Text = newText;
            }

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

    // ---------------------------------------------------------------- helpers (callers hold the lock)

    private static User ToUser(SimUser user) => new()
    {
        Id = user.Id,
        IsBot = false,
        FirstName = user.FirstName,
        Username = user.Username,
        LanguageCode = user.LanguageCode,
    };

    private string ChatInstance(long chatId) =>
        unchecked((chatId * 1_000_003L) ^ (_options.BotId << 7)).ToString(CultureInfo.InvariantCulture);

    private SimUser UserOrAdd(long userId) =>
        _users.TryGetValue(userId, out var user) ? user : AddUser(userId, $"User{userId}");

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
}

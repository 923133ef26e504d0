using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json.Nodes;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.LocalBotApi;

/// <summary>What kind of file a file_id names, in TDLib's words (they appear in its "can't use file of type" errors).</summary>
internal enum StoredFileKind
{
    Photo,
    VoiceNote,
}

/// <summary>A file the server knows: a photo size (with the smaller sizes of its photo) or a voice note.</summary>
internal sealed record StoredFile(StoredFileKind Kind, PhotoSize[]? PhotoSizes, Voice? Voice);

// The media methods: sendPhoto, sendVoice, sendMediaGroup and copyMessage, with the same checks, send limits and
// inbox records as sendMessage, and the files the server knows (made when a simulated user sends a photo or a voice
// note, and re-sent by the bot by file_id). Uploads are not kept: a file is always named by a file_id.
public sealed partial class SimulatedTelegram
{
    private const int MaxCaptionLength = 1024;
    private const string PhotoIdPrefix = "AgACAgUAAxkBAAI";
    private const string VoiceIdPrefix = "AwACAgUAAxkBAAI";

    private static readonly int[] PhotoSides = [90, 320, 800, 1280];

    private readonly Dictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private Random? _fileRandom;
    private long _fileCounter;
    private long _mediaGroupCounter;

    /// <summary>Builds one message of a send: fills in the content of the prepared message and of its inbox record.</summary>
    private delegate BotMessage FillMessage(Message message, BotMessage record);

    /// <summary>Whether <paramref name="fileId"/> names a file the server made (a bot can send it).</summary>
    public bool KnowsFile(string fileId)
    {
        lock (_gate)
        {
            return _files.ContainsKey(fileId);
        }
    }

    internal Message SendPhoto(BotApiArgs args) =>
        SendOneFile(args, "photo", StoredFileKind.Photo, (file, fileId, caption) => (m, r) => Photo(m, r, fileId, file.PhotoSizes!, caption));

    internal Message SendVoice(BotApiArgs args) =>
        SendOneFile(args, "voice", StoredFileKind.VoiceNote, (file, fileId, caption) => (m, r) => VoiceNote(m, r, fileId, file.Voice!, caption));

    /// <summary>sendPhoto / sendVoice: one message carrying a file the server made, with a caption and buttons.</summary>
    private Message SendOneFile(BotApiArgs args, string parameter, StoredFileKind kind, Func<StoredFile, string, string?, FillMessage> fill)
    {
        var chatId = args.ChatId();
        var fileId = FileParameter(args, parameter);
        var caption = CaptionParameter(args);
        var reply = ReadReplyTo(args);
        var keyboard = InlineKeyboard(args);
        Message[] sent;
        List<(BotMessage, List<TaskCompletionSource<BotMessage>>)> news;
        lock (_gate)
        {
            news = SendLocked(chatId, reply, keyboard, [fill(StoredFileOf(fileId, kind), fileId, caption)], out sent);
        }

        AnnounceAll(news);
        return sent[0];
    }

    /// <summary>An album of 2–10 photos by file_id; one message per item, sharing a media_group_id. Reads no reply_markup.</summary>
    internal Message[] SendMediaGroup(BotApiArgs args)
    {
        var chatId = args.ChatId();
        var items = AlbumItems(args);
        var reply = ReadReplyTo(args);
        Message[] sent;
        List<(BotMessage, List<TaskCompletionSource<BotMessage>>)> news;
        lock (_gate)
        {
            var groupId = (17_000_000_000_000_000L + ++_mediaGroupCounter).ToString(CultureInfo.InvariantCulture);
            var fills = new List<FillMessage>();
            foreach (var (fileId, caption) in items)
            {
                var sizes = StoredFileOf(fileId, StoredFileKind.Photo).PhotoSizes!;
                fills.Add((m, r) =>
                {
                    m.MediaGroupId = groupId;
                    return Photo(m, r, fileId, sizes, caption) with { MediaGroupId = groupId };
                });
            }

            news = SendLocked(chatId, reply, keyboard: null, fills, out sent);
        }

        AnnounceAll(news);
        return sent;
    }

    /// <summary>Copies a text, photo, voice or sticker message without "forwarded from"; caption, when given, replaces a media caption.</summary>
    internal MessageId CopyMessage(BotApiArgs args)
    {
        var chatId = args.ChatId();
        var fromChatId = args.ChatId("from_chat_id");
        var messageId = args.Int("message_id") ?? throw BotApiException.BadRequest("message identifier is not specified");
        var newCaption = args.Has("caption") ? CaptionParameter(args) ?? "" : null;
        var reply = ReadReplyTo(args);
        var keyboard = InlineKeyboard(args);
        Message[] sent;
        List<(BotMessage, List<TaskCompletionSource<BotMessage>>)> news;
        lock (_gate)
        {
            KnownChat(fromChatId);
            if (!_messages.TryGetValue((fromChatId, messageId), out var original))
            {
                throw BotApiException.BadRequest("message to copy not found");
            }

            var caption = newCaption is null ? original.Caption : newCaption.Length == 0 ? null : newCaption;
            FillMessage fill = original switch
            {
                { Photo: { Length: > 0 } sizes } => (m, r) => Photo(m, r, sizes[^1].FileId, sizes, caption),
                { Voice: { } voice } => (m, r) => VoiceNote(m, r, voice.FileId, voice, caption),
                { Sticker: { } sticker } => (m, r) =>
                {
                    m.Sticker = sticker;
                    return r with { Kind = BotMessageKind.Sticker, FileId = sticker.FileId };
                },
                { Text: { } text } => (m, r) =>
                {
                    m.Text = text;
                    return r with { Text = text };
                },
                _ => throw BotApiException.BadRequest("message can't be copied"),
            };
            FillMessage copied = (m, r) => fill(m, r) with { CopiedFrom = (fromChatId, messageId) };
            news = SendLocked(chatId, reply, keyboard, [copied], out sent);
        }

        AnnounceAll(news);
        return new MessageId { Id = sent[0].Id };
    }

    // ---------------------------------------------------------------- files the simulated users make (callers hold the lock)

    /// <summary>A new photo as Telegram stores one: sizes of longest side 90, 320, 800 and 1280 below the original, then the original (at most 2560).</summary>
    private PhotoSize[] NewPhoto(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}: a photo has a positive width and height.");
        }

        var longest = Math.Max(width, height);
        var sides = PhotoSides.Where(side => side < longest).Append(Math.Min(longest, 2560));
        var sizes = new List<PhotoSize>();
        foreach (var side in sides)
        {
            var w = Math.Max(1, (int)Math.Round((double)width * side / longest));
            var h = Math.Max(1, (int)Math.Round((double)height * side / longest));
            sizes.Add(new PhotoSize
            {
                FileId = NewFileId(PhotoIdPrefix, 36),
                FileUniqueId = NewFileId("AQAD", 12),
                Width = w,
                Height = h,
                FileSize = Math.Max(1_000, (long)w * h / 8), // about what a JPEG of that size takes
            });
        }

        PhotoSize[] all = [.. sizes];
        for (var i = 0; i < all.Length; i++)
        {
            _files[all[i].FileId] = new StoredFile(StoredFileKind.Photo, all[..(i + 1)], null);
        }

        return all;
    }

    private Voice NewVoice(int durationSeconds)
    {
        if (durationSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(durationSeconds), durationSeconds, "A voice note lasts at least a second.");
        }

        var voice = new Voice
        {
            FileId = NewFileId(VoiceIdPrefix, 36),
            FileUniqueId = NewFileId("AgAD", 12),
            Duration = durationSeconds,
            MimeType = "audio/ogg",
            FileSize = 2_000L * durationSeconds, // Opus at about 16 kbit/s
        };
        _files[voice.FileId] = new StoredFile(StoredFileKind.VoiceNote, null, voice);
        return voice;
    }

    /// <summary>Unique (a counter), opaque (seeded random bytes) and URL-safe (base64url, no padding).</summary>
    private string NewFileId(string prefix, int randomBytes)
    {
        _fileRandom ??= new Random(_options.Seed ^ 0x0F11E5);
        var bytes = new byte[8 + randomBytes];
        BinaryPrimitives.WriteInt64BigEndian(bytes, ++_fileCounter);
        _fileRandom.NextBytes(bytes.AsSpan(8));
        return prefix + Base64Url.EncodeToString(bytes);
    }

    // ---------------------------------------------------------------- helpers

    private static BotMessage Photo(Message message, BotMessage record, string fileId, PhotoSize[] sizes, string? caption)
    {
        message.Photo = sizes;
        message.Caption = caption;
        return record with { Text = caption ?? "", Kind = BotMessageKind.Photo, FileId = fileId, Caption = caption };
    }

    private static BotMessage VoiceNote(Message message, BotMessage record, string fileId, Voice voice, string? caption)
    {
        message.Voice = voice;
        message.Caption = caption;
        return record with { Text = caption ?? "", Kind = BotMessageKind.Voice, FileId = fileId, Caption = caption };
    }

    /// <summary>A file parameter: a file_id string. URLs name no file the server knows; uploads are not kept.</summary>
    private static string FileParameter(BotApiArgs args, string name)
    {
        var value = args.String(name);
        if (value is null && !args.HasUpload(name))
        {
            throw BotApiException.BadRequest($"there is no {name} in the request");
        }

        if (value is null || value.StartsWith("attach://", StringComparison.Ordinal))
        {
            throw BotApiException.BadRequest("file uploads are not supported by the local Bot API server; send a file_id");
        }

        return value;
    }

    private static string? CaptionParameter(BotApiArgs args)
    {
        var caption = args.String("caption");
        return caption is null ? null : CheckCaption(caption);
    }

    private static string? CheckCaption(string caption)
    {
        if (caption.Length > MaxCaptionLength)
        {
            throw BotApiException.BadRequest("message caption is too long");
        }

        return caption.Length == 0 ? null : caption;
    }

    private static List<(string FileId, string? Caption)> AlbumItems(BotApiArgs args)
    {
        var node = args.Json("media", "media") ?? throw BotApiException.BadRequest("parameter \"media\" is required");
        if (node is not JsonArray array)
        {
            throw BotApiException.BadRequest("can't parse media JSON object");
        }

        if (array.Count == 0)
        {
            throw BotApiException.BadRequest("there are no messages to send");
        }

        if (array.Count > 10)
        {
            throw BotApiException.BadRequest("too many messages to send as an album");
        }

        if (array.Count < 2)
        {
            throw BotApiException.BadRequest("media must include 2-10 items");
        }

        var items = new List<(string, string?)>();
        foreach (var item in array)
        {
            if (item is not JsonObject media)
            {
                throw BotApiException.BadRequest("can't parse InputMedia: media not found");
            }

            var type = Str(media["type"]);
            if (type != "photo")
            {
                throw BotApiException.BadRequest($"can't parse InputMedia: type \"{type}\" is unsupported");
            }

            var fileId = Str(media["media"]) ?? throw BotApiException.BadRequest("can't parse InputMedia: media not found");
            if (fileId.StartsWith("attach://", StringComparison.Ordinal))
            {
                throw BotApiException.BadRequest("file uploads are not supported by the local Bot API server; send a file_id");
            }

            var caption = Str(media["caption"]);
            items.Add((fileId, caption is null ? null : CheckCaption(caption)));
        }

        return items;

        static string? Str(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>The stored file a file_id names, of the kind wanted (caller holds the lock).</summary>
    private StoredFile StoredFileOf(string fileId, StoredFileKind wanted)
    {
        if (!_files.TryGetValue(fileId, out var file))
        {
            throw BotApiException.BadRequest("wrong file identifier/HTTP URL specified");
        }

        if (file.Kind != wanted)
        {
            throw BotApiException.BadRequest($"can't use file of type {file.Kind} as {wanted}");
        }

        return file;
    }

    /// <summary>
    /// Delivers one message per fill to a chat, as sendMessage does (caller holds the lock): chat known, not blocked,
    /// reply found, room under the send limits for all of them, then stored, recorded and counted.
    /// </summary>
    private List<(BotMessage, List<TaskCompletionSource<BotMessage>>)> SendLocked(
        long chatId, (int? MessageId, bool AllowWithoutReply) reply, InlineKeyboardMarkup? keyboard, IReadOnlyList<FillMessage> fills, out Message[] sent)
    {
        var chat = KnownChat(chatId);
        if (_blocked.Contains(chatId))
        {
            throw new BotApiException(403, "Forbidden: bot was blocked by the user");
        }

        Message? replied = null;
        if (reply.MessageId is { } replyId && !_messages.TryGetValue((chatId, replyId), out replied) && !reply.AllowWithoutReply)
        {
            throw BotApiException.BadRequest("message to be replied not found");
        }

        var now = Now();
        if (_limiter.RetryAfter(chatId, now, fills.Count) is { } retryAfter)
        {
            _rateLimitRejections++;
            throw BotApiException.TooManyRequests(retryAfter);
        }

        _limiter.Accepted(chatId, now, fills.Count);
        _mediaAccepted += fills.Count;
        var news = new List<(BotMessage, List<TaskCompletionSource<BotMessage>>)>();
        sent = new Message[fills.Count];
        for (var i = 0; i < fills.Count; i++)
        {
            Times(chatId).Add(now);
            var message = new Message
            {
                Id = NextMessageId(chatId),
                From = Bot,
                Chat = chat,
                Date = now.UtcDateTime,
                ReplyToMessage = replied is null ? null : WithoutReply(replied),
                ReplyMarkup = keyboard,
            };
            var record = fills[i](message, new BotMessage(chatId, message.Id, "", Buttons(keyboard), replied?.Id, now));
            _messages[(chatId, message.Id)] = message;
            BotMessages(chatId).Add(record);
            news.Add((record, Matching(record)));
            sent[i] = message;
        }

        return news;
    }

    private void AnnounceAll(List<(BotMessage Record, List<TaskCompletionSource<BotMessage>> Woken)> news)
    {
        foreach (var (record, woken) in news)
        {
            Announce(record, woken);
        }
    }
}

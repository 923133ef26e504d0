using System.Net;
using System.Text.Json;
using CareBot.LocalBotApi;
using Microsoft.Extensions.Time.Testing;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace CareBot.Worker.Tests.LocalBotApi;

/// <summary>
/// Photos and voice notes on the local Bot API server (issue 13): simulated users send them, the bot re-sends them by
/// file_id through the real Telegram.Bot client, and the users' inboxes show the media kind, file id and caption.
/// </summary>
public sealed class LocalBotApiMediaTests : LocalBotApiTestBase
{
    private static readonly DateTimeOffset Start0 = DateTimeOffset.Parse("2026-03-01T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_users_photo_with_a_command_caption_arrives_with_its_sizes_and_server_made_file_ids()
    {
        await using var server = await Start();
        var bot = Client(server);
        var reminder = await bot.SendMessage(Mentor, "小明该家访了");

        server.UserSendsPhoto(Mentor, "/visit 小明 去家访了", replyToMessageId: reminder.Id, width: 1600, height: 1200);
        var message = Assert.Single(await bot.GetUpdates()).Message!;

        Assert.Equal(MessageType.Photo, message.Type);
        Assert.Equal("/visit 小明 去家访了", message.Caption);
        Assert.Null(message.Text);
        Assert.Equal(reminder.Id, message.ReplyToMessage!.Id);
        var photo = message.Photo!;
        Assert.Equal([(90, 68), (320, 240), (800, 600), (1280, 960), (1600, 1200)], photo.Select(p => (p.Width, p.Height)));
        Assert.All(photo, p => Assert.True(p.FileSize > 0));
        Assert.Equal(photo.Length, photo.Select(p => p.FileId).Distinct().Count());
        Assert.Equal(photo.Length, photo.Select(p => p.FileUniqueId).Distinct().Count());
        Assert.All(photo, p => Assert.Matches("^[A-Za-z0-9_-]{20,}$", p.FileId)); // URL-safe, opaque
        Assert.All(photo, p => Assert.True(server.Telegram.KnowsFile(p.FileId)));
        Assert.False(server.Telegram.KnowsFile("AgACAgUAAxkBAAInvented"));
    }

    [Fact]
    public async Task A_users_voice_note_arrives_as_ogg_with_duration_and_caption_and_raw_JSON_is_Telegram_shaped()
    {
        await using var server = await Start();
        var bot = Client(server);

        server.UserSendsVoice(Parent, durationSeconds: 12, caption: "孩子的声音");
        server.UserSendsVoice(Parent);
        using var json = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/getUpdates")));
        var updates = await bot.GetUpdates();

        var voice = updates[0].Message!.Voice!;
        Assert.Equal(MessageType.Voice, updates[0].Message!.Type);
        Assert.Equal((12, "audio/ogg"), (voice.Duration, voice.MimeType));
        Assert.True(voice.FileSize > 0);
        Assert.Equal("孩子的声音", updates[0].Message!.Caption);
        Assert.Null(updates[1].Message!.Caption);
        Assert.NotEqual(voice.FileId, updates[1].Message!.Voice!.FileId);
        Assert.NotEqual(voice.FileUniqueId, updates[1].Message!.Voice!.FileUniqueId);
        var raw = json.RootElement.GetProperty("result")[0].GetProperty("message").GetProperty("voice");
        Assert.Equal(voice.FileId, raw.GetProperty("file_id").GetString());
        Assert.Equal(12, raw.GetProperty("duration").GetInt32());
        Assert.Equal("audio/ogg", raw.GetProperty("mime_type").GetString());
    }

    [Fact]
    public async Task The_bot_resends_a_users_photo_by_file_id_with_caption_and_buttons_and_the_inbox_shows_it()
    {
        await using var server = await Start();
        var bot = Client(server);
        var photo = server.UserSendsPhoto(Mentor, "家访照片").Photo!;
        var fileId = photo[^1].FileId;

        var sent = await bot.SendPhoto(Parent, InputFile.FromFileId(fileId), caption: "老师今天去看了小明",
            replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("谢谢", "thanks")));

        Assert.Equal(MessageType.Photo, sent.Type);
        Assert.Equal(photo.Select(p => p.FileUniqueId), sent.Photo!.Select(p => p.FileUniqueId));
        Assert.Equal("老师今天去看了小明", sent.Caption);
        Assert.True(sent.From!.IsBot);
        var shown = Assert.Single(server.MessagesTo(Parent));
        Assert.Equal((BotMessageKind.Photo, fileId, "老师今天去看了小明"), (shown.Kind, shown.FileId, shown.Caption));
        Assert.Equal("老师今天去看了小明", shown.Text); // text checks see the caption
        Assert.Equal("thanks", Assert.Single(shown.Buttons).CallbackData);
        Assert.Equal(sent.Id, shown.MessageId);
    }

    [Fact]
    public async Task The_bot_resends_a_voice_note_and_a_smaller_photo_size_sends_only_the_sizes_up_to_it()
    {
        await using var server = await Start(o => o.PerChatInterval = TimeSpan.Zero);
        var bot = Client(server);
        var voiceId = server.UserSendsVoice(Parent, 8).Voice!.FileId;
        var photo = server.UserSendsPhoto(Parent).Photo!;

        var voice = await bot.SendVoice(Mentor, InputFile.FromFileId(voiceId), caption: "家长留言");
        var small = await bot.SendPhoto(Mentor, photo[1].FileId);

        Assert.Equal((voiceId, 8, "家长留言"), (voice.Voice!.FileId, voice.Voice.Duration, voice.Caption));
        Assert.Equal([photo[0].FileId, photo[1].FileId], small.Photo!.Select(p => p.FileId));
        Assert.Null(small.Caption);
        Assert.Equal(
            [(BotMessageKind.Voice, voiceId, "家长留言", "家长留言"), (BotMessageKind.Photo, photo[1].FileId, null, "")],
            server.MessagesTo(Mentor).Select(m => (m.Kind, m.FileId, m.Caption, m.Text)));
    }

    [Fact]
    public async Task Unknown_or_wrong_kind_file_ids_and_long_captions_are_400_and_deliver_nothing()
    {
        await using var server = await Start(fake: new FakeTimeProvider(Start0));
        var bot = Client(server);
        var voiceId = server.UserSendsVoice(Parent).Voice!.FileId;
        var photoId = server.UserSendsPhoto(Parent).Photo![^1].FileId;

        var unknown = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendPhoto(Mentor, "AgACAgUAAxkBAAInvented"));
        var unknownVoice = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendVoice(Mentor, InputFile.FromUri("https://example.org/a.ogg")));
        var voiceAsPhoto = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendPhoto(Mentor, voiceId));
        var photoAsVoice = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendVoice(Mentor, photoId));
        var longCaption = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendPhoto(Mentor, photoId, caption: new string('好', 1025)));

        Assert.Equal((400, "Bad Request: wrong file identifier/HTTP URL specified"), (unknown.ErrorCode, unknown.Message));
        Assert.Equal("Bad Request: wrong file identifier/HTTP URL specified", unknownVoice.Message);
        Assert.Equal("Bad Request: can't use file of type VoiceNote as Photo", voiceAsPhoto.Message);
        Assert.Equal("Bad Request: can't use file of type Photo as VoiceNote", photoAsVoice.Message);
        Assert.Equal("Bad Request: message caption is too long", longCaption.Message);
        Assert.Empty(server.MessagesTo(Mentor));
        Assert.Equal(0, server.Stats.MediaMessagesAccepted);
        Assert.Equal(5, server.Stats.MediaCalls);
    }

    [Fact]
    public async Task SendMediaGroup_sends_an_album_with_captions_and_one_media_group_id()
    {
        await using var server = await Start();
        var bot = Client(server);
        var ids = Enumerable.Range(0, 3).Select(_ => server.UserSendsPhoto(Mentor).Photo![^1].FileId).ToList();
        var question = server.UserSends(Parent, "最近怎么样?");

        var album = await bot.SendMediaGroup(Parent,
            [new InputMediaPhoto(ids[0]) { Caption = "家访" }, new InputMediaPhoto(ids[1]), new InputMediaPhoto(ids[2]) { Caption = "作业" }],
            replyParameters: question.Id);

        Assert.Equal(3, album.Length);
        Assert.Single(album.Select(m => m.MediaGroupId).Distinct());
        Assert.NotNull(album[0].MediaGroupId);
        Assert.All(album, m => Assert.Equal(question.Id, m.ReplyToMessage!.Id));
        Assert.Equal(["家访", null, "作业"], album.Select(m => m.Caption));
        var shown = server.MessagesTo(Parent);
        Assert.Equal(ids, shown.Select(m => m.FileId));
        Assert.All(shown, m => Assert.Equal((BotMessageKind.Photo, album[0].MediaGroupId), (m.Kind, m.MediaGroupId)));
        Assert.Equal(album.Select(m => m.Id), shown.Select(m => m.MessageId));
        Assert.Equal(3, server.Stats.MediaMessagesAccepted);
    }

    [Fact]
    public async Task SendMediaGroup_needs_2_to_10_known_photos()
    {
        await using var server = await Start(o => o.PerChatInterval = TimeSpan.Zero);
        var bot = Client(server);
        var photo = server.UserSendsPhoto(Mentor).Photo![^1].FileId;
        var voice = server.UserSendsVoice(Mentor).Voice!.FileId;
        InputMediaPhoto[] Photos(int n) => [.. Enumerable.Range(0, n).Select(_ => new InputMediaPhoto(photo))];

        var one = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMediaGroup(Parent, Photos(1)));
        var eleven = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMediaGroup(Parent, Photos(11)));
        var withVoice = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMediaGroup(Parent, [new InputMediaPhoto(photo), new InputMediaPhoto(voice)]));
        var withUnknown = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMediaGroup(Parent, [new InputMediaPhoto(photo), new InputMediaPhoto("nope")]));
        var ten = await bot.SendMediaGroup(Parent, Photos(10));

        Assert.Equal("Bad Request: media must include 2-10 items", one.Message);
        Assert.Equal("Bad Request: too many messages to send as an album", eleven.Message);
        Assert.Equal("Bad Request: can't use file of type VoiceNote as Photo", withVoice.Message);
        Assert.Equal("Bad Request: wrong file identifier/HTTP URL specified", withUnknown.Message);
        Assert.Equal(10, ten.Length);
        Assert.Equal(10, server.MessagesTo(Parent).Count); // the refused albums delivered nothing
    }

    [Fact]
    public async Task CopyMessage_copies_text_photo_and_voice_without_forward_origin_and_can_replace_the_caption()
    {
        await using var server = await Start(o => o.PerChatInterval = TimeSpan.Zero);
        var bot = Client(server);
        var text = server.UserSends(Parent, "谢谢老师");
        var photo = server.UserSendsPhoto(Parent, "小明的画");
        var voice = server.UserSendsVoice(Parent, 3, "语音");

        var textCopy = await bot.CopyMessage(Mentor, Parent, text.Id);
        var photoCopy = await bot.CopyMessage(Mentor, Parent, photo.Id);
        var voiceCopy = await bot.CopyMessage(Mentor, Parent, voice.Id, caption: "王芳的语音");
        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.CopyMessage(Mentor, Parent, 9999));
        server.UserSends(Mentor, "收到", replyToMessageId: photoCopy.Id);
        var reply = (await bot.GetUpdates())[^1].Message!;

        Assert.Equal("Bad Request: message to copy not found", missing.Message);
        var shown = server.MessagesTo(Mentor);
        Assert.Equal([textCopy.Id, photoCopy.Id, voiceCopy.Id], shown.Select(m => m.MessageId));
        Assert.Equal(
            [(BotMessageKind.Text, null, null, "谢谢老师"), (BotMessageKind.Photo, photo.Photo![^1].FileId, "小明的画", "小明的画"), (BotMessageKind.Voice, voice.Voice!.FileId, "王芳的语音", "王芳的语音")],
            shown.Select(m => (m.Kind, m.FileId, m.Caption, m.Text)));
        Assert.All(shown, m => Assert.Equal(Parent, m.CopiedFrom!.Value.ChatId));
        var copied = reply.ReplyToMessage!;
        Assert.True(copied.From!.IsBot);
        Assert.Null(copied.ForwardOrigin);
        Assert.Equal(photo.Photo.Select(p => p.FileId), copied.Photo!.Select(p => p.FileId));
    }

    [Fact]
    public async Task Media_sends_share_the_send_limits_and_an_album_counts_one_per_item()
    {
        var time = new FakeTimeProvider(Start0);
        await using var server = await Start(o => o.GlobalPerSecond = 5, fake: time);
        var bot = Client(server);
        var photo = server.UserSendsPhoto(Mentor).Photo![^1].FileId;
        server.AddUser(3003, "张伟");

        await bot.SendMessage(Parent, "周报");
        var sameChat = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendPhoto(Parent, photo));
        await bot.SendMediaGroup(Mentor, [new InputMediaPhoto(photo), new InputMediaPhoto(photo), new InputMediaPhoto(photo)]);
        var overGlobal = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMediaGroup(3003, [new InputMediaPhoto(photo), new InputMediaPhoto(photo)]));
        await bot.SendPhoto(3003, photo); // the fifth message of the second
        time.Advance(TimeSpan.FromSeconds(1));
        var albumChatWaits = await Assert.ThrowsAsync<ApiRequestException>(() => bot.CopyMessage(Mentor, Mentor, 1));
        time.Advance(TimeSpan.FromSeconds(2));
        await bot.CopyMessage(Mentor, Parent, 1); // three items, three intervals

        Assert.Equal((429, 1), (sameChat.ErrorCode, sameChat.Parameters!.RetryAfter!.Value));
        Assert.Equal(429, overGlobal.ErrorCode);
        Assert.Equal(429, albumChatWaits.ErrorCode);
        Assert.Equal(2, albumChatWaits.Parameters!.RetryAfter);
        Assert.Equal(3, server.Stats.RateLimitRejections);
        Assert.Equal(4, server.Telegram.AcceptedSendTimes(Mentor).Count);
        Assert.Equal(6, server.Telegram.AcceptedSendTimes().Count);
    }

    [Fact]
    public async Task Blocked_users_get_403_for_media_and_nothing_is_delivered()
    {
        await using var server = await Start();
        var bot = Client(server);
        var photo = server.UserSendsPhoto(Mentor).Photo![^1].FileId;
        var text = server.UserSends(Mentor, "请转告家长");
        server.Block(Parent);

        var sendPhoto = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendPhoto(Parent, photo));
        var copy = await Assert.ThrowsAsync<ApiRequestException>(() => bot.CopyMessage(Parent, Mentor, text.Id));

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (sendPhoto.ErrorCode, sendPhoto.Message));
        Assert.Equal(403, copy.ErrorCode);
        Assert.Empty(server.MessagesTo(Parent));
        Assert.Equal(
            [("sendPhoto", (long?)Parent, (int?)403), ("copyMessage", Parent, 403)],
            server.Telegram.Calls.Select(c => (c.Method, c.ChatId, c.Status)));
    }

    [Fact]
    public async Task Faults_hit_media_sends_like_sendMessage_and_a_dropped_album_is_still_delivered()
    {
        await using var server = await Start(o => { o.DropRate = 1; o.PerChatInterval = TimeSpan.Zero; });
        var bot = Client(server);
        var photo = server.UserSendsPhoto(Mentor).Photo![^1].FileId;

        var dropped = await Assert.ThrowsAsync<RequestException>(() => bot.SendMediaGroup(Parent, [new InputMediaPhoto(photo), new InputMediaPhoto(photo)]));
        var droppedCopy = await Assert.ThrowsAsync<RequestException>(() => bot.CopyMessage(Parent, Mentor, 1));

        Assert.Null(dropped.HttpStatusCode);
        Assert.Null(droppedCopy.HttpStatusCode);
        var shown = server.MessagesTo(Parent);
        Assert.Equal(3, shown.Count);
        Assert.All(shown, m => Assert.True(m.ResponseDropped)); // delivered, but the bot could not know
        Assert.Equal(2, server.Stats.DroppedButDelivered);
        Assert.Equal(2, server.Stats.Faults(FaultKind.Drop));
        await UntilCallsLogged(server, 2);
        Assert.Equal([null, null], server.Telegram.Calls.Select(c => c.Status));
    }

    [Fact]
    public async Task Photo_parameters_work_as_form_query_and_multipart_and_uploads_are_refused()
    {
        await using var server = await Start(o => o.PerChatInterval = TimeSpan.Zero);
        var photo = server.UserSendsPhoto(Mentor).Photo![^1].FileId;
        var chat = Parent.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["chat_id"] = chat, ["photo"] = photo, ["caption"] = "表单" });
        using var multipart = new MultipartFormDataContent
        {
            { new StringContent(chat), "chat_id" },
            { new StringContent($$"""[{"type":"photo","media":"{{photo}}","caption":"一"},{"type":"photo","media":"{{photo}}"}]"""), "media" },
        };
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(chat), "chat_id" },
            { new ByteArrayContent([0xFF, 0xD8, 0xFF]), "photo", "a.jpg" },
        };

        using var formResponse = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendPhoto"), form);
        using var queryResponse = await Http.GetAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendPhoto?chat_id={chat}&photo={photo}"));
        using var multipartResponse = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendMediaGroup"), multipart);
        using var uploadResponse = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendPhoto"), upload);
        using var missing = await Http.GetAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendVoice?chat_id={chat}"));

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest],
            new[] { formResponse, queryResponse, multipartResponse, uploadResponse, missing }.Select(r => r.StatusCode));
        Assert.Contains("file uploads are not supported", await uploadResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("there is no voice in the request", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var album = JsonDocument.Parse(await multipartResponse.Content.ReadAsStringAsync());
        Assert.Equal(2, album.RootElement.GetProperty("result").GetArrayLength());
        Assert.Equal(["表单", "", "一", ""], server.MessagesTo(Parent).Select(m => m.Text));
        Assert.All(server.MessagesTo(Parent), m => Assert.Equal(photo, m.FileId));
    }
}

using System.Net;
using System.Text;
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
/// The local Bot API server against the documented Bot API behaviour, driven by the real
/// Telegram.Bot client over HTTP on 127.0.0.1 (its own 429 retry switched off).
/// </summary>
public sealed class LocalBotApiServerTests : LocalBotApiTestBase
{
    [Fact]
    public async Task GetMe_returns_the_bot()
    {
        await using var server = await Start();
        var me = await Client(server).GetMe();

        Assert.True(me.IsBot);
        Assert.Equal(server.BotUsername, me.Username);
        Assert.StartsWith("http://127.0.0.1:", server.BaseUrl, StringComparison.Ordinal);
        Assert.StartsWith(me.Id + ":", server.Token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_token_gets_401_unauthorized()
    {
        await using var server = await Start();
        var stranger = new TelegramBotClient(new TelegramBotClientOptions("123456789:AAEwrongwrongwrongwrongwrongwrongwro", server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 }, Http);

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => stranger.GetMe());

        Assert.Equal(401, ex.ErrorCode);
        Assert.Equal("Unauthorized", ex.Message);
    }

    [Fact]
    public async Task Unknown_method_gets_404_not_found_with_the_Telegram_body()
    {
        await using var server = await Start();
        using var response = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendTeleportation"), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":404,"description":"Not Found"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Update_is_returned_again_until_a_higher_offset_confirms_it()
    {
        await using var server = await Start();
        var bot = Client(server);
        server.UserSends(Parent, "你好");

        var first = await bot.GetUpdates();
        var again = await bot.GetUpdates();
        var confirmed = await bot.GetUpdates(offset: first[0].Id + 1);

        var update = Assert.Single(first);
        Assert.Equal(update.Id, Assert.Single(again).Id);
        Assert.Equal("你好", update.Message!.Text);
        Assert.Equal(Parent, update.Message.Chat.Id);
        Assert.Empty(confirmed);
        Assert.Empty(await bot.GetUpdates());
        Assert.Equal(0, server.Telegram.PendingUpdateCount);
    }

    [Fact]
    public async Task Offset_confirms_only_updates_below_it_and_limit_caps_the_batch()
    {
        await using var server = await Start();
        var bot = Client(server);
        for (var i = 1; i <= 5; i++)
        {
            server.UserSends(Parent, $"m{i}");
        }

        var all = await bot.GetUpdates(limit: 2);
        var rest = await bot.GetUpdates(offset: all[1].Id + 1);

        Assert.Equal(["m1", "m2"], all.Select(u => u.Message!.Text));
        Assert.Equal(["m3", "m4", "m5"], rest.Select(u => u.Message!.Text));
        Assert.True(rest.Zip(rest.Skip(1)).All(p => p.Second.Id == p.First.Id + 1), "update ids rise by one");
    }

    [Fact]
    public async Task Negative_offset_keeps_only_the_last_updates_and_forgets_the_rest()
    {
        await using var server = await Start();
        var bot = Client(server);
        for (var i = 1; i <= 4; i++)
        {
            server.UserSends(Parent, $"m{i}");
        }

        var last = await bot.GetUpdates(offset: -1);
        var after = await bot.GetUpdates();

        Assert.Equal("m4", Assert.Single(last).Message!.Text);
        Assert.Equal("m4", Assert.Single(after).Message!.Text);
    }

    [Fact]
    public async Task Long_poll_returns_as_soon_as_a_user_writes()
    {
        const int pollSeconds = 20;
        await using var server = await Start();
        var bot = Client(server);

        server.UserSends(Parent, "warm-up");
        var warmUp = await bot.GetUpdates();

        var poll = bot.GetUpdates(offset: warmUp[0].Id + 1, timeout: pollSeconds);
        await UntilPollWaits(server);
        var wrote = ServerClock.GetUtcNow();
        server.UserSends(Parent, "在吗?");
        var updates = await poll;

        Assert.Equal("在吗?", Assert.Single(updates).Message!.Text);
        var call = LastCall(server, "getUpdates");
        Assert.Equal(200, call.Status);
        // On the server's clock: answered once the user wrote, long before the poll's own timeout.
        Assert.InRange(call.AnsweredAt, wrote, wrote + TimeSpan.FromSeconds(pollSeconds / 4));
    }

    [Fact]
    public async Task Long_poll_returns_empty_after_the_timeout_when_nothing_comes()
    {
        await using var server = await Start();

        var updates = await Client(server).GetUpdates(timeout: 1);

        Assert.Empty(updates);
        var call = LastCall(server, "getUpdates");
        Assert.Equal(200, call.Status);
        // On the server's clock: held for the second asked for, then answered (not held to the 50 s maximum).
        Assert.InRange(call.Took, TimeSpan.FromSeconds(1) - TimerSlack, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Disposing_the_server_ends_a_waiting_long_poll_at_once()
    {
        var server = await Start();
        var poll = Client(server).GetUpdates(timeout: 30);
        await UntilPollWaits(server);
        var disposing = ServerClock.GetUtcNow();

        await server.DisposeAsync();
        var updates = await poll;

        Assert.Empty(updates);
        var call = LastCall(server, "getUpdates");
        Assert.Equal(200, call.Status);
        // On the server's clock: ended by the server's own shutdown, before its host's 3 s shutdown timeout would
        // have cut the connection, and long before the poll's 30 s.
        Assert.InRange(call.AnsweredAt, disposing, disposing + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_second_getUpdates_terminates_the_waiting_one_with_409_conflict()
    {
        await using var server = await Start();
        var bot = Client(server);

        var first = bot.GetUpdates(timeout: 5);
        await UntilPollWaits(server);
        var second = bot.GetUpdates(timeout: 1);

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => first);
        Assert.Equal(409, ex.ErrorCode);
        Assert.Contains("terminated by other getUpdates request", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await second);
    }

    [Fact]
    public async Task AllowedUpdates_drops_later_updates_of_other_kinds()
    {
        await using var server = await Start();
        var bot = Client(server);
        var sent = await bot.SendMessage(Parent, "选一个", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("好", "ok")));

        await bot.GetUpdates(allowedUpdates: [UpdateType.CallbackQuery]);
        server.UserSends(Parent, "ignored");
        server.UserPressesButton(Parent, sent.Id, "ok");

        Assert.Equal(UpdateType.CallbackQuery, Assert.Single(await bot.GetUpdates()).Type);
    }

    [Fact]
    public async Task SendMessage_with_inline_buttons_arrives_in_the_chat_with_its_buttons()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T11:00:00.750Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await Start(fake: time);
        var bot = Client(server);
        var markup = new InlineKeyboardMarkup([
            [InlineKeyboardButton.WithCallbackData("已家访", "visit:7"), InlineKeyboardButton.WithCallbackData("稍后", "later:7")],
            [InlineKeyboardButton.WithUrl("帮助", "https://example.org/help")],
        ]);

        var sent = await bot.SendMessage(Parent, "小明本周需要家访", ParseMode.Html, replyMarkup: markup);

        Assert.Equal(Parent, sent.Chat.Id);
        Assert.Equal(ChatType.Private, sent.Chat.Type);
        Assert.True(sent.From!.IsBot);
        Assert.Equal("小明本周需要家访", sent.Text);
        Assert.Equal("visit:7", sent.ReplyMarkup!.InlineKeyboard.First().First().CallbackData);
        Assert.Equal(new DateTime(2026, 3, 1, 11, 0, 0, DateTimeKind.Utc), sent.Date); // the server's clock, in unix seconds
        var shown = Assert.Single(server.MessagesTo(Parent));
        Assert.Equal(sent.Id, shown.MessageId);
        Assert.Equal("小明本周需要家访", shown.Text);
        Assert.Equal([new BotButton("已家访", "visit:7", null), new BotButton("稍后", "later:7", null), new BotButton("帮助", null, "https://example.org/help")], shown.Buttons);
        Assert.Equal(2, shown.Keyboard.Count);
    }

    [Fact]
    public async Task Button_press_arrives_as_a_callback_query_with_its_data_and_can_be_answered()
    {
        await using var server = await Start();
        var bot = Client(server);
        var sent = await bot.SendMessage(Mentor, "家访完成了吗?", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("完成", "done:42")));

        server.UserPressesButton(Mentor, sent.Id, "done:42");
        var update = Assert.Single(await bot.GetUpdates());
        await bot.AnswerCallbackQuery(update.CallbackQuery!.Id, "已记录");

        var query = update.CallbackQuery;
        Assert.Equal(UpdateType.CallbackQuery, update.Type);
        Assert.Equal("done:42", query.Data);
        Assert.Equal(Mentor, query.From.Id);
        Assert.Equal(sent.Id, query.Message!.Id);
        Assert.Equal(Mentor, query.Message.Chat.Id);
        Assert.False(string.IsNullOrEmpty(query.ChatInstance));
        Assert.Equal("已记录", Assert.Single(server.Telegram.CallbackAnswers).Text);
        await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerCallbackQuery(query.Id));
    }

    [Fact]
    public async Task Replies_link_both_ways()
    {
        await using var server = await Start(o => o.PerChatInterval = TimeSpan.Zero);
        var bot = Client(server);
        var question = server.UserSends(Parent, "孩子最近怎么样?");

        var answer = await bot.SendMessage(Parent, "很好", replyParameters: question.Id);
        server.UserSends(Parent, "谢谢老师", replyToMessageId: answer.Id);
        var updates = await bot.GetUpdates();
        var legacy = await bot.SendRequest(new global::Telegram.Bot.Requests.SendMessageRequest { ChatId = Parent, Text = "不客气", ReplyParameters = new ReplyParameters { MessageId = updates[1].Message!.Id } });

        Assert.Equal(question.Id, answer.ReplyToMessage!.Id);
        Assert.Equal(question.Id, server.MessagesTo(Parent)[0].ReplyToMessageId);
        Assert.Equal(answer.Id, updates[1].Message!.ReplyToMessage!.Id);
        Assert.True(updates[1].Message!.ReplyToMessage!.From!.IsBot);
        Assert.Equal(updates[1].Message!.Id, legacy.ReplyToMessage!.Id);
        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, "?", replyParameters: 9999));
        Assert.Equal("Bad Request: message to be replied not found", missing.Message);
    }

    [Fact]
    public async Task Text_over_4096_characters_or_empty_is_400()
    {
        await using var server = await Start();
        var bot = Client(server);

        var tooLong = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, new string('好', 4097)));
        var empty = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, "  "));
        var fits = await bot.SendMessage(Parent, new string('好', 4096));

        Assert.Equal((400, "Bad Request: message is too long"), (tooLong.ErrorCode, tooLong.Message));
        Assert.Equal((400, "Bad Request: message text is empty"), (empty.ErrorCode, empty.Message));
        Assert.Equal(4096, fits.Text!.Length);
    }

    [Fact]
    public async Task Unknown_chat_is_400_chat_not_found()
    {
        await using var server = await Start();

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => Client(server).SendMessage(555_555, "hello"));

        Assert.Equal((400, "Bad Request: chat not found"), (ex.ErrorCode, ex.Message));
    }

    [Fact]
    public async Task Blocked_user_gives_403_until_they_write_to_the_bot_again()
    {
        await using var server = await Start(fake: new FakeTimeProvider());
        var bot = Client(server);
        server.Block(Parent);

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, "本周报告"));
        server.UserSends(Parent, "/start");
        var delivered = await bot.SendMessage(Parent, "欢迎回来");

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (ex.ErrorCode, ex.Message));
        Assert.Equal("欢迎回来", Assert.Single(server.MessagesTo(Parent)).Text);
        Assert.Equal(delivered.Id, server.MessagesTo(Parent)[0].MessageId);
    }

    [Fact]
    public async Task Edits_change_text_and_buttons_and_an_identical_edit_is_400()
    {
        await using var server = await Start();
        var bot = Client(server);
        var sent = await bot.SendMessage(Mentor, "请选择", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("A", "a")));

        await bot.EditMessageReplyMarkup(Mentor, sent.Id, replyMarkup: null);
        var edited = await bot.EditMessageText(Mentor, sent.Id, "已选择 A");
        var same = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(Mentor, sent.Id, "已选择 A"));
        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(Mentor, 999, "x"));

        Assert.Equal("已选择 A", edited.Text);
        Assert.NotNull(edited.EditDate);
        var shown = Assert.Single(server.MessagesTo(Mentor));
        Assert.Equal(("已选择 A", 2), (shown.Text, shown.EditCount));
        Assert.Empty(shown.Buttons);
        Assert.StartsWith("Bad Request: message is not modified", same.Message, StringComparison.Ordinal);
        Assert.Equal("Bad Request: message to edit not found", missing.Message);
    }

    [Fact]
    public async Task User_edits_stickers_and_group_messages_arrive_as_Telegram_sends_them()
    {
        await using var server = await Start();
        var bot = Client(server);
        server.AddUser(Parent, "王芳", "zh-hans", "wangfang");
        var original = server.UserSends(Parent, "周六有空");

        server.UserEdits(Parent, original.Id, "周日有空");
        server.UserSendsSticker(Parent, "🙏");
        server.GroupMessage(-100_123, Parent, "大家好");
        var updates = await bot.GetUpdates();

        Assert.Equal([UpdateType.Message, UpdateType.EditedMessage, UpdateType.Message, UpdateType.Message], updates.Select(u => u.Type));
        var from = updates[0].Message!.From!;
        Assert.Equal((Parent, false, "王芳", "wangfang", "zh-hans"), (from.Id, from.IsBot, from.FirstName, from.Username, from.LanguageCode));
        Assert.Equal((original.Id, "周日有空"), (updates[1].EditedMessage!.Id, updates[1].EditedMessage!.Text));
        Assert.NotNull(updates[1].EditedMessage!.EditDate);
        Assert.Null(updates[2].Message!.Text);
        Assert.Equal("🙏", updates[2].Message!.Sticker!.Emoji);
        Assert.Equal(MessageType.Sticker, updates[2].Message!.Type);
        Assert.Equal((-100_123L, ChatType.Group), (updates[3].Message!.Chat.Id, updates[3].Message!.Chat.Type));
    }

    [Fact]
    public async Task Form_and_query_string_parameters_work_and_the_JSON_is_Telegram_shaped()
    {
        await using var server = await Start(fake: new FakeTimeProvider()); // the clock stands still: the second send is within the second
        server.AddUser(Parent, "王芳");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["chat_id"] = Parent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["text"] = "表单",
            ["reply_markup"] = """{"inline_keyboard":[[{"text":"好","callback_data":"ok"}]]}""",
        });

        using var formResponse = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/SENDMESSAGE"), form);
        using var queryResponse = await Http.GetAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendMessage?chat_id={Parent}&text=query"));
        using var json = JsonDocument.Parse(await formResponse.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, formResponse.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, queryResponse.StatusCode); // same chat within a second
        var result = json.RootElement.GetProperty("result");
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(1, result.GetProperty("message_id").GetInt32());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("date").ValueKind);
        Assert.Equal("private", result.GetProperty("chat").GetProperty("type").GetString());
        Assert.Equal("王芳", result.GetProperty("chat").GetProperty("first_name").GetString());
        Assert.True(result.GetProperty("from").GetProperty("is_bot").GetBoolean());
        Assert.False(result.GetProperty("chat").TryGetProperty("is_bot", out _));
        Assert.Equal("ok", result.GetProperty("reply_markup").GetProperty("inline_keyboard")[0][0].GetProperty("callback_data").GetString());
        using var limited = JsonDocument.Parse(await queryResponse.Content.ReadAsStringAsync());
        Assert.Equal(1, limited.RootElement.GetProperty("parameters").GetProperty("retry_after").GetInt32());
    }

    [Fact]
    public async Task Raw_updates_carry_the_fields_Telegram_always_sends()
    {
        await using var server = await Start();
        var sent = await Client(server).SendMessage(Parent, "选", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("好", "ok")));
        server.UserSends(Parent, "hi");
        server.UserPressesButton(Parent, sent.Id, "ok");
        server.UserSendsSticker(Parent);

        using var json = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/getUpdates")));

        var updates = json.RootElement.GetProperty("result");
        var from = updates[0].GetProperty("message").GetProperty("from");
        Assert.Equal(Parent, from.GetProperty("id").GetInt64());
        Assert.False(from.GetProperty("is_bot").GetBoolean());
        Assert.Equal("王芳", from.GetProperty("first_name").GetString());
        Assert.Equal("zh", from.GetProperty("language_code").GetString());
        var query = updates[1].GetProperty("callback_query");
        Assert.Equal("ok", query.GetProperty("data").GetString());
        Assert.Equal(sent.Id, query.GetProperty("message").GetProperty("message_id").GetInt32());
        Assert.Equal(JsonValueKind.String, query.GetProperty("chat_instance").ValueKind);
        Assert.False(query.GetProperty("from").GetProperty("is_bot").GetBoolean());
        var sticker = updates[2].GetProperty("message").GetProperty("sticker");
        Assert.False(updates[2].GetProperty("message").TryGetProperty("text", out _));
        Assert.False(sticker.GetProperty("is_animated").GetBoolean());
        Assert.Equal(updates[0].GetProperty("update_id").GetInt32() + 2, updates[2].GetProperty("update_id").GetInt32());
    }

    [Fact]
    public async Task Multipart_parameters_work_as_Telegram_reads_them()
    {
        await using var server = await Start();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Mentor.ToString(System.Globalization.CultureInfo.InvariantCulture)), "chat_id" },
            { new StringContent("多部分"), "text" },
            { new StringContent("""{"inline_keyboard":[[{"text":"是","callback_data":"yes"}]]}"""), "reply_markup" },
        };

        using var response = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendMessage"), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = Assert.Single(server.MessagesTo(Mentor));
        Assert.Equal(("多部分", "yes"), (shown.Text, shown.Buttons[0].CallbackData));
    }

    [Fact]
    public async Task Malformed_reply_markup_is_400_like_Telegram()
    {
        await using var server = await Start();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["chat_id"] = Mentor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["text"] = "x",
            ["reply_markup"] = "{not json",
        });

        using var response = await Http.PostAsync(new Uri($"{server.BaseUrl}/bot{server.Token}/sendMessage"), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("can't parse reply keyboard markup JSON object", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.MessagesTo(Mentor));
    }

    [Fact]
    public async Task WaitForMessage_and_OnBotMessage_see_what_the_bot_sends()
    {
        await using var server = await Start();
        var bot = Client(server);
        var seen = new List<string>();
        server.OnBotMessage += (_, m) => { lock (seen) { seen.Add(m.Text); } };

        var waiting = server.WaitForMessageAsync(Parent, m => m.Text.Contains("周报", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await bot.SendMessage(Parent, "本周周报:一切都好");
        var found = await waiting;
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForMessageAsync(Parent, m => m.Text == "never", TimeSpan.FromMilliseconds(100)));

        Assert.Equal("本周周报:一切都好", found.Text);
        Assert.Equal(["本周周报:一切都好"], seen);
        Assert.Contains("本周周报", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_webhook_and_delete_behave_like_Telegram()
    {
        await using var server = await Start();
        var bot = Client(server);

        await bot.DeleteWebhook(dropPendingUpdates: false);
        await bot.SetMyCommands([new BotCommand { Command = "mine", Description = "我的孩子" }]);
        var commands = await bot.GetMyCommands();
        var sent = await bot.SendMessage(Parent, "删除我");
        await bot.DeleteMessage(Parent, sent.Id);

        Assert.Equal("mine", Assert.Single(commands).Command);
        Assert.True(Assert.Single(server.MessagesTo(Parent)).Deleted);
        Assert.Equal(string.Empty, (await bot.GetWebhookInfo()).Url);
    }
}

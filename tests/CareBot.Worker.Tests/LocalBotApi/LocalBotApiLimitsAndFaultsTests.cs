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

/// <summary>The local Bot API server's send limits (on its own clock) and its injected faults.</summary>
public sealed class LocalBotApiLimitsAndFaultsTests : LocalBotApiTestBase
{
    [Fact]
    public async Task Second_message_to_a_chat_within_a_second_gets_429_with_retry_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await Start(fake: time);
        var bot = Client(server);

        await bot.SendMessage(Parent, "one");
        time.Advance(TimeSpan.FromMilliseconds(500));
        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, "two"));
        await bot.SendMessage(Mentor, "other chat is fine");
        time.Advance(TimeSpan.FromMilliseconds(460)); // within the 50 ms tolerance of a full second
        await bot.SendMessage(Parent, "two again");

        Assert.Equal(429, ex.ErrorCode);
        Assert.Equal(1, ex.Parameters!.RetryAfter);
        Assert.Equal("Too Many Requests: retry after 1", ex.Message);
        Assert.Equal(["one", "two again"], server.MessagesTo(Parent).Select(m => m.Text));
        var stats = server.Stats;
        Assert.Equal((4, 3, 1, 1), (stats.SendMessageCalls, stats.SendMessageAccepted, stats.TooManyRequestsAnswers, stats.RateLimitRejections));
        var times = server.Telegram.AcceptedSendTimes(Parent);
        Assert.Equal(TimeSpan.FromMilliseconds(960), times[1] - times[0]);
    }

    [Fact]
    public async Task Global_limit_answers_429_past_30_messages_in_a_sliding_second()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await Start(fake: time);
        var bot = Client(server);
        for (var chat = 1; chat <= 31; chat++)
        {
            server.AddUser(chat, $"家长{chat}");
        }

        for (var chat = 1; chat <= 30; chat++)
        {
            await bot.SendMessage(chat, "周报");
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(31, "周报"));
        time.Advance(TimeSpan.FromMilliseconds(700)); // the first sends leave the window
        await bot.SendMessage(31, "周报");

        Assert.Equal(429, ex.ErrorCode);
        Assert.True(ex.Parameters!.RetryAfter >= 1);
        Assert.Equal(31, server.Stats.SendMessageAccepted);
        var all = server.Telegram.AcceptedSendTimes();
        Assert.All(all, t => Assert.True(all.Count(u => u > t - TimeSpan.FromSeconds(1) && u <= t) <= 30));
    }

    [Fact]
    public async Task Injected_429s_appear_at_about_their_rate()
    {
        await using var server = await Start(o =>
        {
            o.Fault429Rate = 0.10;
            o.FaultRetryAfterSeconds = 3;
            o.GlobalPerSecond = 1_000_000;
        });
        var results = await SendToManyChats(server, 1000);

        var tooMany = results.OfType<ApiRequestException>().ToList();
        Assert.InRange(tooMany.Count, 60, 140);
        Assert.All(tooMany, ex => Assert.Equal((429, 3), (ex.ErrorCode, ex.Parameters!.RetryAfter!.Value)));
        Assert.Equal(tooMany.Count, server.Stats.Faults(FaultKind.TooManyRequests));
        Assert.Equal(tooMany.Count, server.Stats.TooManyRequestsAnswers);
        Assert.Equal(0, server.Stats.RateLimitRejections);
        Assert.Equal(1000 - tooMany.Count, server.Stats.SendMessageAccepted);
    }

    [Fact]
    public async Task Injected_5xx_and_dropped_responses_appear_at_about_their_rates_and_drops_are_delivered()
    {
        await using var server = await Start(o =>
        {
            o.Fault5xxRate = 0.05;
            o.DropRate = 0.05;
            o.GlobalPerSecond = 1_000_000;
        });
        var results = await SendToManyChats(server, 600);

        var stats = server.Stats;
        // As Telegram.Bot reports them: 500 (JSON body) as ApiRequestException, 502 (HTML page) as a RequestException
        // with the status, a dropped response as a RequestException without one (HttpRequestException inside).
        var serverErrors = results.Count(ex => ex is ApiRequestException { ErrorCode: 500 } or RequestException { HttpStatusCode: HttpStatusCode.BadGateway });
        var dropped = results.Count(ex => ex is RequestException { HttpStatusCode: null, InnerException: HttpRequestException } and not ApiRequestException);
        Assert.InRange(stats.Faults(FaultKind.ServerError), 12, 54);
        Assert.InRange(stats.Faults(FaultKind.Drop), 12, 54);
        Assert.Equal(stats.Faults(FaultKind.ServerError), serverErrors);
        Assert.Equal(stats.Faults(FaultKind.Drop), dropped);
        Assert.Equal(dropped, stats.DroppedButDelivered);
        var delivered = Enumerable.Range(0, 600).SelectMany(i => server.MessagesTo(10_000 + i)).ToList();
        Assert.Equal(600 - serverErrors, delivered.Count);
        Assert.Equal(dropped, delivered.Count(m => m.ResponseDropped));
        var calls = server.Telegram.Calls.Where(c => c.Is("sendMessage")).ToList();
        Assert.Equal(600, calls.Count);
        Assert.Equal(serverErrors, calls.Count(c => c.Status is 500 or 502));
        Assert.Equal(dropped, calls.Count(c => c.Status is null)); // no answer went out
    }

    [Fact]
    public async Task Every_call_is_logged_with_its_chat_and_status_on_the_server_clock()
    {
        var start = DateTimeOffset.Parse("2026-03-01T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var time = new FakeTimeProvider(start);
        await using var server = await Start(fake: time);
        var bot = Client(server);
        server.Block(Mentor);

        await bot.SendMessage(Parent, "周报");
        await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Parent, "同一秒内"));
        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Mentor, "提醒"));
        time.Advance(TimeSpan.FromSeconds(5));
        await bot.GetMe();

        var calls = server.Telegram.Calls;
        Assert.Equal(
            [("sendMessage", Parent, 200), ("sendMessage", Parent, 429), ("sendMessage", Mentor, 403), ("getMe", null, 200)],
            calls.Select(c => (c.Method, c.ChatId, c.Status)));
        Assert.Equal([start, start, start.AddSeconds(5), start.AddSeconds(10)], calls.Select(c => c.ReceivedAt));
        Assert.All(calls, c => Assert.Equal(c.ReceivedAt, c.AnsweredAt)); // this clock stood still during each call
    }

    [Fact]
    public async Task Faults_are_repeatable_for_a_seed()
    {
        async Task<int> FaultsWith(int seed)
        {
            await using var server = await Start(o => { o.Seed = seed; o.Fault429Rate = 0.2; o.GlobalPerSecond = 1_000_000; });
            await SendToManyChats(server, 100);
            return server.Stats.Faults(FaultKind.TooManyRequests);
        }

        Assert.Equal(await FaultsWith(7), await FaultsWith(7));
    }

    [Fact]
    public async Task Slow_responses_arrive_late_but_arrive()
    {
        var slowDelay = TimeSpan.FromMilliseconds(400);
        await using var server = await Start(o => { o.SlowRate = 1; o.SlowDelay = slowDelay; });

        await Client(server).SendMessage(Parent, "慢");

        var call = LastCall(server, "sendMessage");
        Assert.Equal(200, call.Status);
        Assert.True(call.Took >= slowDelay - TimerSlack, $"the server answered after {call.Took} by its clock"); // held for SlowDelay first
        Assert.Equal(1, server.Stats.Faults(FaultKind.Slow));
        Assert.Single(server.MessagesTo(Parent));
    }
}

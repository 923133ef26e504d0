using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace CareBot.LocalBotApi;

/// <summary>
/// A Telegram Bot API compatible HTTP server on 127.0.0.1 for end-to-end tests and <c>carebot demo</c>:
/// routes <c>/bot{token}/{method}</c> (GET or POST; query, JSON, form or multipart parameters; files by file_id), answers
/// the way Telegram does, and lets tests play the users through <see cref="Telegram"/>.
/// </summary>
public sealed class LocalBotApiServer : IAsyncDisposable
{
    private const string BadGatewayPage =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";

    /// <summary>Writes ' and non-ASCII text as they are (as Telegram does), not as \u escapes.</summary>
    private static readonly JsonSerializerOptions Envelope = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;
    private readonly LocalBotApiOptions _options;
    private readonly Dictionary<string, Func<BotApiArgs, CancellationToken, Task<object>>> _methods;

    private LocalBotApiServer(WebApplication app, LocalBotApiOptions options, SimulatedTelegram telegram, string token)
    {
        _app = app;
        _options = options;
        Telegram = telegram;
        Token = token;
        _methods = new(StringComparer.OrdinalIgnoreCase)
        {
            ["getMe"] = (_, _) => Task.FromResult<object>(telegram.Bot),
            ["getUpdates"] = async (args, ct) => await telegram.GetUpdatesAsync(args, ct),
            ["sendMessage"] = (args, _) => Task.FromResult<object>(telegram.SendMessage(args)),
            ["sendPhoto"] = (args, _) => Task.FromResult<object>(telegram.SendPhoto(args)),
            ["sendVoice"] = (args, _) => Task.FromResult<object>(telegram.SendVoice(args)),
            ["sendMediaGroup"] = (args, _) => Task.FromResult<object>(telegram.SendMediaGroup(args)),
            ["copyMessage"] = (args, _) => Task.FromResult<object>(telegram.CopyMessage(args)),
            ["editMessageText"] = (args, _) => Task.FromResult<object>(telegram.EditMessage(args, textToo: true)),
            ["editMessageReplyMarkup"] = (args, _) => Task.FromResult<object>(telegram.EditMessage(args, textToo: false)),
            ["deleteMessage"] = (args, _) => Task.FromResult<object>(telegram.DeleteMessage(args)),
            ["answerCallbackQuery"] = (args, _) => Task.FromResult<object>(telegram.AnswerCallbackQuery(args)),
            ["deleteWebhook"] = (args, _) => Task.FromResult<object>(telegram.DeleteWebhook(args)),
            ["getWebhookInfo"] = (_, _) => Task.FromResult<object>(telegram.GetWebhookInfo()),
            ["setMyCommands"] = (args, _) => Task.FromResult<object>(telegram.SetMyCommands(args)),
            ["getMyCommands"] = (args, _) => Task.FromResult<object>(telegram.GetMyCommands(args)),
            ["deleteMyCommands"] = (args, _) => Task.FromResult<object>(telegram.DeleteMyCommands(args)),
        };
    }

    /// <summary>"http://127.0.0.1:NNNNN", for <c>TelegramBotClientOptions(token, baseUrl)</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The one token the server accepts; any other gets 401.</summary>
    public string Token { get; }

    public string BotUsername => Telegram.Bot.Username!;

    /// <summary>
    /// The settings that point a CareBot worker at this server (configuration keys; environment variables use
    /// "__" for ":"). The demo, the end-to-end tests, the crash suite and the benchmarks all start from these.
    /// </summary>
    public Dictionary<string, string?> WorkerSettings(int pollTimeoutSeconds = 1) => new()
    {
        ["Telegram:ApiBaseUrl"] = BaseUrl,
        ["Telegram:BotToken"] = Token,
        ["Telegram:BotUsername"] = BotUsername,
        ["Telegram:PollTimeoutSeconds"] = pollTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The simulated Telegram side: users, chats, counters.</summary>
    public SimulatedTelegram Telegram { get; }

    public static async Task<LocalBotApiServer> StartAsync(LocalBotApiOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var telegram = new SimulatedTelegram(options); // validates the options
        var token = options.Token ?? MakeToken(options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear(); // the embedding app's appsettings.json is not ours
        builder.Configuration.AddInMemoryCollection();
        // As a setting (not Kestrel's Listen) so ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS, which container images set,
        // neither apply nor cause an "Overriding address(es)" warning.
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{IPAddress.Loopback}:{options.Port}"));
        // An outage (RefuseConnectionsUntil): a new connection is cut before a byte of HTTP is read.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async connection =>
        {
            if (telegram.Refuses())
            {
                connection.Abort();
                return;
            }

            await next(connection);
        })));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>(); // Ctrl-C belongs to the host that embeds us
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is { } configure)
        {
            configure(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(options.MinimumLogLevel);
        }

        var app = builder.Build();
        var server = new LocalBotApiServer(app, options, telegram, token);
        app.MapMethods("/bot{token}/{method}", [HttpMethods.Get, HttpMethods.Post], server.HandleAsync);
        app.MapFallback(context => WriteErrorAsync(context, 404, "Not Found", null));
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = "http://127.0.0.1:" + new Uri(address).Port.ToString(CultureInfo.InvariantCulture);
        return server;
    }

    // The simulated-user side, forwarded for convenience.
    public event EventHandler<BotMessage>? OnBotMessage
    {
        add => Telegram.OnBotMessage += value;
        remove => Telegram.OnBotMessage -= value;
    }

    public LocalBotApiStats Stats => Telegram.Stats;

    public SimUser AddUser(long id, string firstName, string languageCode = "zh", string? username = null) =>
        Telegram.AddUser(id, firstName, languageCode, username);

    public Message UserSends(long userId, string text, int? replyToMessageId = null) =>
        Telegram.UserSends(userId, text, replyToMessageId);

    public Message UserSendsSticker(long userId, string emoji = "👍") => Telegram.UserSendsSticker(userId, emoji);

    /// <summary>The user sends a photo (new file ids, remembered by the server), with an optional caption such as "/visit 小明 去家访了".</summary>
    public Message UserSendsPhoto(long userId, string? caption = null, int? replyToMessageId = null, int width = 1280, int height = 960) =>
        Telegram.UserSendsPhoto(userId, caption, replyToMessageId, width, height);

    /// <summary>The user sends a voice note (audio/ogg, a new file id remembered by the server).</summary>
    public Message UserSendsVoice(long userId, int durationSeconds = 5, string? caption = null, int? replyToMessageId = null) =>
        Telegram.UserSendsVoice(userId, durationSeconds, caption, replyToMessageId);

    public Message UserEdits(long userId, int messageId, string newText) => Telegram.UserEdits(userId, messageId, newText);

    public CallbackQuery UserPressesButton(long userId, int botMessageId, string data) =>
        Telegram.UserPressesButton(userId, botMessageId, data);

    public Message GroupMessage(long groupChatId, long userId, string text) => Telegram.GroupMessage(groupChatId, userId, text);

    public void Block(long userId) => Telegram.Block(userId);

    public void Unblock(long userId) => Telegram.Unblock(userId);

    public IReadOnlyList<BotMessage> MessagesTo(long chatId) => Telegram.MessagesTo(chatId);

    public Task<BotMessage> WaitForMessageAsync(long chatId, Func<BotMessage, bool> predicate, TimeSpan timeout, CancellationToken ct = default) =>
        Telegram.WaitForMessageAsync(chatId, predicate, timeout, ct);

    public async ValueTask DisposeAsync()
    {
        Telegram.Shutdown();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Telegram.Dispose();
    }

    private static string MakeToken(LocalBotApiOptions options)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        var random = new Random(options.Seed ^ 0x5EED);
        var secret = new StringBuilder("AAE");
        while (secret.Length < 35)
        {
            secret.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{options.BotId}:{secret}");
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Telegram.Refuses())
        {
            context.Abort(); // a kept-alive connection opened before the outage is cut too
            return;
        }

        var token = context.Request.RouteValues["token"] as string;
        var method = context.Request.RouteValues["method"] as string ?? "";
        if (!string.Equals(token, Token, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 401, "Unauthorized", null);
            return;
        }

        if (!_methods.TryGetValue(method, out var handle))
        {
            await WriteErrorAsync(context, 404, "Not Found", null);
            return;
        }

        var aborted = context.RequestAborted;
        var call = Telegram.BeginCall(method);
        var fault = call.Fault;
        BotApiArgs? args = null;
        int? answered = null;
        try
        {
            if (fault.Slow)
            {
                await Task.Delay(_options.SlowDelay, TimeProvider.System, aborted);
            }

            switch (fault.Failure)
            {
                case FaultKind.TooManyRequests:
                    throw BotApiException.TooManyRequests(_options.FaultRetryAfterSeconds);
                case FaultKind.ServerError when fault.ServerErrorStatus == 502:
                    context.Response.StatusCode = 502;
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync(BadGatewayPage, aborted);
                    answered = 502;
                    return;
                case FaultKind.ServerError:
                    throw new BotApiException(500, "Internal Server Error");
            }

            args = await BotApiArgs.ReadAsync(context.Request, aborted);
            var result = await handle(args, aborted);
            if (fault.Failure == FaultKind.Drop)
            {
                Telegram.ResponseDropped(method, result, args.ChatIdIfAny());
                context.Abort();
                return;
            }

            await WriteOkAsync(context, result);
            answered = 200;
        }
        catch (BotApiException ex)
        {
            if (fault.Failure == FaultKind.Drop)
            {
                context.Abort();
                return;
            }

            if (ex.ErrorCode == 429)
            {
                Telegram.CountTooManyRequests();
            }

            await WriteErrorAsync(context, ex.ErrorCode, ex.Message, ex.RetryAfter);
            answered = ex.ErrorCode;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the client went away; there is nobody to answer
        }
        finally
        {
            Telegram.EndCall(call, args?.ChatIdIfAny(), answered);
        }
    }

    private static async Task WriteOkAsync(HttpContext context, object result)
    {
        var node = JsonSerializer.SerializeToNode(result, result.GetType(), JsonBotAPI.Options);
        TelegramJson.AddAlwaysPresentFields(node);
        var body = new JsonObject
        {
            ["ok"] = true,
            ["result"] = node,
        };
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Envelope), context.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext context, int code, string description, int? retryAfter)
    {
        var body = new JsonObject
        {
            ["ok"] = false,
            ["error_code"] = code,
            ["description"] = description,
        };
        if (retryAfter is { } seconds)
        {
            body["parameters"] = new JsonObject { ["retry_after"] = seconds };
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Envelope), context.RequestAborted);
    }

    /// <summary>Starts and stops with the server object, never on its own (no Ctrl-C handling).</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;

namespace CareBot.Worker.Hosting;

/// <summary>The composition root: one extension method per area.</summary>
public static class CareHost
{
    /// <summary>
    /// A host builder with appsettings.json (from the working folder, else beside the executable), environment
    /// variables and <paramref name="overrides"/> (highest), Serilog from the <c>Serilog</c> section, and the care core.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = ContentRoot(),
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Services.AddSerilog((_, lc) => lc.ReadFrom.Configuration(builder.Configuration));
        builder.Services.AddCareCore();

        // A relative Storage:DatabasePath is beside appsettings.json, not wherever the command happens to run,
        // so every verb and the worker find the same database.
        var root = builder.Environment.ContentRootPath;
        builder.Services.PostConfigure<StorageOptions>(o => o.DatabasePath = DatabasePath(o.DatabasePath, root));
        return builder;
    }

    /// <summary>The database file as every verb and the worker see it: relative paths are taken from the content root.</summary>
    public static string DatabasePath(string? configured, string contentRoot) =>
        Path.GetFullPath(Path.Combine(contentRoot, string.IsNullOrWhiteSpace(configured) ? new StorageOptions().DatabasePath : configured));

    /// <summary>The database file a verb with these settings would open.</summary>
    public static string DatabasePath(IDictionary<string, string?>? overrides)
    {
        var builder = CreateBuilder([], overrides);
        return DatabasePath(builder.Configuration["Storage:DatabasePath"], builder.Environment.ContentRootPath);
    }

    private static string ContentRoot() =>
        File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? Directory.GetCurrentDirectory() : AppContext.BaseDirectory;

    /// <summary>Options, clock, storage and the chat core. Options are validated at start.</summary>
    public static IServiceCollection AddCareCore(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<CareOptions>().BindConfiguration(CareOptions.Section);
        services.AddSingleton<IValidateOptions<CareOptions>, CareOptionsValidator>();
        services.AddOptionsWithValidateOnStart<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Storage:DatabasePath: must be set.");
        services.AddOptionsWithValidateOnStart<TelegramOptions>().BindConfiguration(TelegramOptions.Section)
            .Validate(o => o.ApiBaseUrl is null || Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "Telegram:ApiBaseUrl: must be an absolute http(s) URL.")
            .Validate(o => o.PollTimeoutSeconds is >= 0 and <= 50, "Telegram:PollTimeoutSeconds: must be 0–50.");
        services.AddOptionsWithValidateOnStart<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section)
            .Validate(o => o.GlobalPerSecond is > 0 and <= 1000, "Delivery:GlobalPerSecond: must be above 0 and at most 1000.")
            .Validate(o => o.PerChatIntervalMs is >= 0 and <= 60_000, "Delivery:PerChatIntervalMs: must be 0–60000.")
            .Validate(o => o.MaxAttempts is >= 1 and <= 100, "Delivery:MaxAttempts: must be 1–100.");

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new CareClock(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<CareOptions>>().Value.TimeZone));
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new CareDb(storage.DatabasePath, storage.Password);
        });
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<InviteService>();
        services.AddSingleton(sp => new ChatHandler(
            sp.GetRequiredService<CareDb>(),
            sp.GetRequiredService<CareClock>(),
            sp.GetRequiredService<OutboxStore>(),
            sp.GetRequiredService<InviteService>(),
            sp.GetRequiredService<IOptions<CareOptions>>().Value));
        services.AddSingleton<IChatHandler>(sp => sp.GetRequiredService<ChatHandler>());
        services.AddSingleton<UpdateProcessor>();
        services.AddSingleton<OutboxSignal>();
        return services;
    }

    /// <summary>Checkpoints the database on a timer; the container disposes it (checkpoint and close) at shutdown.</summary>
    public static IServiceCollection AddCareStorage(this IServiceCollection services)
    {
        services.AddSingleton<StorageFailureWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageFailureWatch>());
        services.AddHostedService<CheckpointService>();
        services.AddHostedService<AdminRequestService>();
        return services;
    }

    /// <summary>The Telegram channel: the client, the poller and the outbox dispatcher.</summary>
    public static IServiceCollection AddTelegramChannel(this IServiceCollection services)
    {
        services.AddHttpClient("telegram").ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(100));
        services.AddSingleton<global::Telegram.Bot.ITelegramBotClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            if (string.IsNullOrWhiteSpace(o.BotToken))
            {
                throw new ConfigurationErrorException(MissingTokenMessage);
            }

            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("telegram");
            var clientOptions = new global::Telegram.Bot.TelegramBotClientOptions(o.BotToken, string.IsNullOrWhiteSpace(o.ApiBaseUrl) ? null : o.ApiBaseUrl)
            {
                // The dispatcher honours retry_after itself and counts it; the client must not retry behind its back.
                RetryThreshold = 0,
                RetryCount = 0,
            };
            return new global::Telegram.Bot.TelegramBotClient(clientOptions, http);
        });
        services.AddSingleton<IChatSender, TelegramChatSender>();
        services.AddSingleton<TelegramPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<TelegramPoller>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    public const string MissingTokenMessage =
        "Telegram:BotToken is not set. Get a token from @BotFather and set the environment variable Telegram__BotToken=<token> (never in appsettings.json). To try CareBot without a token: carebot demo";

    /// <summary>Resolves and validates every option now, so a bad setting stops start-up with a message naming the key.</summary>
    public static void ValidateSettings(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<CareOptions>>().Value;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        _ = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
    }
}

/// <summary>Moves LiteDB's log into the data file every few minutes.</summary>
internal sealed class CheckpointService(CareDb db, TimeProvider time, ILogger<CheckpointService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    db.Checkpoint();
                }
                catch (StorageFailedException)
                {
                    // StorageFailureWatch has said it and stops the worker.
                    return;
                }
                catch (Exception ex) when (ex is LiteDB.LiteException or IOException)
                {
                    logger.LogError(ex, "Database checkpoint failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the container disposes the database, which checkpoints and closes it.
        }
    }
}

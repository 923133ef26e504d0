using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.Worker.Cluster;
using CareBot.Worker.Delivery;
using CareBot.Worker.Jobs;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// Settings problems are told in <paramref name="language"/> (the verb's <c>--lang</c>; Chinese by default).
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null, string? language = null)
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

        // The bot token never reaches a sink, whatever the levels (Telegram puts it in every request URL).
        builder.Services.AddSerilog((services, lc) => lc.ReadFrom.Configuration(builder.Configuration)
            .Enrich.With(new SecretRedactor(() => BotToken(services))));
        builder.Services.AddSingleton(new CliLanguage(language ?? Texts.Chinese));
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

    /// <summary>
    /// The validated <c>Storage</c> settings a verb with these settings would use (the database file as a full path),
    /// without opening the database. Only that section is validated.
    /// </summary>
    public static StorageOptions StorageSettings(IDictionary<string, string?>? overrides, string? language = null)
    {
        using var host = CreateBuilder([], overrides, language).Build();
        return host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
    }

    private static string? BotToken(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<TelegramOptions>>().Value.BotToken;
        }
        catch (OptionsValidationException)
        {
            return null; // a bad Telegram section stops start-up before anything is sent
        }
    }

    internal static string ContentRoot() =>
        File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? Directory.GetCurrentDirectory() : AppContext.BaseDirectory;

    /// <summary>Settings (validated at start), clock, storage and the chat core.</summary>
    public static IServiceCollection AddCareCore(this IServiceCollection services)
    {
        services.AddCareSettings();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            // CareBot:TimeZone applies while the worker runs: the clock reads the last good, parsed zone.
            var care = sp.GetRequiredService<IOptionsMonitor<CareOptions>>();
            return new CareClock(sp.GetRequiredService<TimeProvider>(), () => care.CurrentValue.Zone!);
        });
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            // A database from before schools is upgraded in place to the configured school (or the first, or "default").
            var schools = sp.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
            return StorageProviders.Open(storage, schools.UpgradeTo, sp.GetRequiredService<TimeProvider>());
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
        services.AddSingleton(TelegramPoller.Channel);
        services.AddSingleton<UpdateProcessor>();
        services.AddSingleton<OutboxSignal>();
        return services;
    }

    /// <summary>
    /// The running worker, composed in one place for <c>carebot run</c>, the demo and the tests: storage and what runs
    /// beside it, the Telegram channel (poller and dispatcher), the scheduled jobs, and on PostgreSQL the cluster
    /// (several workers on one database; nothing on LiteDB).
    /// </summary>
    public static IHostApplicationBuilder AddCareWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCareStorage().AddTelegramChannel().AddCareJobs();
        return builder.AddCareCluster();
    }

    /// <summary>
    /// Beside the database: checkpoints on a timer (the container disposes the database, checkpoint and close, at
    /// shutdown), admin requests from the command line, and the heartbeat file <c>carebot status</c> reads.
    /// </summary>
    public static IServiceCollection AddCareStorage(this IServiceCollection services)
    {
        services.AddSingleton<StorageFailureWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageFailureWatch>());
        services.AddHostedService<CheckpointService>();
        services.AddHostedService<AdminRequestService>();
        services.TryAddSingleton<WorkerActivity>();
        services.AddHostedService<HeartbeatService>();
        return services;
    }

    /// <summary>The Telegram channel: the client, the poller and the outbox dispatcher.</summary>
    public static IServiceCollection AddTelegramChannel(this IServiceCollection services)
    {
        // No request logging on this client: its handlers would log every URL, and every Bot API URL holds the token.
        services.AddHttpClient("telegram").ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(100)).RemoveAllLoggers();
        services.AddSingleton<global::Telegram.Bot.ITelegramBotClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            if (string.IsNullOrWhiteSpace(o.BotToken))
            {
                throw new ConfigurationErrorException(Texts.Get(sp.GetRequiredService<CliLanguage>().Code, "settings.missing_token"));
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
        services.TryAddSingleton<WorkerActivity>();
        services.AddSingleton<TelegramPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<TelegramPoller>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
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
                catch (Exception ex) when (ex is StorageFaultException or StorageBusyException or IOException)
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

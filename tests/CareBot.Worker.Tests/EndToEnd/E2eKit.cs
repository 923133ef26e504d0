using CareBot.Tests.Shared;
using CareBot.Storage.Postgres;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Worker.Cli;
using CareBot.Worker.Cluster;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>Real time plus an offset the test moves forward: timers stay real, "today" jumps.</summary>
internal sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private TimeSpan _offset = start - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;

    public void JumpTo(DateTimeOffset when) => _offset = when - System.GetUtcNow();
}

/// <summary>The real worker host against the local Bot API server on 127.0.0.1, with a temp LiteDB file.</summary>
internal sealed class E2eKit : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-e2e-").FullName;
    private CatchUpWatch? _catchUp;

    private E2eKit(LocalBotApiServer server, ShiftedTimeProvider time, StoreKind store, string? connectionString)
    {
        Server = server;
        Time = time;
        Store = store;
        ConnectionString = store == StoreKind.Postgres ? connectionString ?? TestStores.NewPostgresDatabase() : null;
    }

    /// <summary>The provider the worker runs on: a LiteDB file in <see cref="Folder"/>, or a new PostgreSQL database.</summary>
    public StoreKind Store { get; }

    /// <summary>The PostgreSQL database of this kit (null on LiteDB).</summary>
    public string? ConnectionString { get; }

    /// <summary>The Storage settings of the kit's database, for the worker and for a command line verb beside it.</summary>
    public Dictionary<string, string?> StorageSettings() => new()
    {
        ["Storage:DatabasePath"] = DatabasePath,
        ["Storage:Provider"] = Store == StoreKind.Postgres ? StorageOptions.PostgreSQL : StorageOptions.LiteDb,
        ["Storage:ConnectionString"] = ConnectionString,
    };

    /// <summary>
    /// The services a command line verb runs with. On LiteDB the verb hands itself to the running worker (request
    /// files), so it runs on the worker's shifted clock; on PostgreSQL a verb connects by itself, with the real clock,
    /// so the kit runs it with the worker's services to keep the scenario's dates.
    /// </summary>
    public IServiceProvider? CliServices => Store == StoreKind.Postgres ? Host?.Services : null;

    /// <summary>The kit's database, opened apart from the worker (before it runs, or after it stopped).</summary>
    public CareDb OpenDb() => ConnectionString is null ? new LiteCareDb(DatabasePath) : new PgCareDb(ConnectionString);

    public LocalBotApiServer Server { get; }
    public ShiftedTimeProvider Time { get; }
    public IHost? Host { get; private set; }
    public string DatabasePath => Path.Combine(_dir, "carebot.db");

    /// <param name="start">The worker's "now" at the start.</param>
    /// <param name="server">Changes to the local Bot API server's settings (its clock is the worker's).</param>
    /// <param name="store">The storage provider the worker runs on.</param>
    /// <param name="connectionString">On PostgreSQL, the database to use (a private cluster's), else a new one on the shared server.</param>
    public static async Task<E2eKit> StartAsync(DateTimeOffset start, Action<LocalBotApiOptions>? server = null, StoreKind store = StoreKind.LiteDb, string? connectionString = null)
    {
        var time = new ShiftedTimeProvider(start);
        var options = new LocalBotApiOptions();
        if (server is not null)
        {
            options.TimeProvider = time;
            server(options);
        }

        return new(await LocalBotApiServer.StartAsync(options), time, store, connectionString);
    }

    /// <summary>Imports a sample roster (one child per mentor) before the worker runs.</summary>
    public void Seed(int children, Action<CareDb>? more = null)
    {
        using var db = OpenDb();
        var result = new RosterImporter(db, Time, 3).Import(new MemoryStream(RosterSample.Create(children, perCarer: 1)), "sample.csv", RosterEncoding.Auto, "zh", "test");
        Assert.True(result.Succeeded, string.Join("\n", result.FormatProblems()));
        more?.Invoke(db);
    }

    public void WithDb(Action<CareDb> action)
    {
        if (Host is not null)
        {
            action(Host.Services.GetRequiredService<CareDb>());
            return;
        }

        using var db = OpenDb();
        action(db);
    }

    /// <summary>The folder of the database; tests may put their own files (settings, logs) there.</summary>
    public string Folder => _dir;

    /// <param name="settings">Extra settings (highest precedence).</param>
    /// <param name="configure">Runs on the builder before the worker's services are added (e.g. to add a settings file).</param>
    public async Task StartWorkerAsync(IDictionary<string, string?>? settings = null, Action<HostApplicationBuilder>? configure = null)
    {
        var overrides = new Dictionary<string, string?>(Server.WorkerSettings())
        {
            ["CareBot:QuietHours"] = "00:00-00:00",
            ["CareBot:Admins:0:Name"] = "刘校长",
            ["CareBot:Admins:0:Phone"] = "13600000001",
        };
        foreach (var (key, value) in StorageSettings().Concat(settings ?? new Dictionary<string, string?>()))
        {
            overrides[key] = value;
        }

        Host = CliApp.BuildHost(overrides, b =>
        {
            configure?.Invoke(b);
            b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            b.AddCareWorker();
        });
        // Attached before the scheduler starts, so the start-up catch-up cannot run unseen.
        var scheduler = await Host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        _catchUp = new CatchUpWatch();
        scheduler.ListenerManager.AddJobListener(_catchUp, [Matchers.Key(CatchUpJob.Key)]);
        await Host.StartAsync();
    }

    public async Task StopWorkerAsync()
    {
        if (Host is null)
        {
            return;
        }

        await Host.StopAsync();
        Host.Dispose();
        Host = null;
    }

    public CarePlanRunner Runner => Host!.Services.GetRequiredService<CarePlanRunner>();

    /// <summary>Until the start-up catch-up job of the running worker has run (its Quartz job listener says so).</summary>
    public Task WaitForStartUpCatchUpAsync(int timeoutSeconds = 20) =>
        _catchUp!.Ran.Task.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds));

    /// <summary>Until no outbox row waits to be sent or is being sent (read in the worker's turn on its database).</summary>
    public Task WaitForIdleOutboxAsync(int timeoutSeconds = 20)
    {
        var db = Host!.Services.GetRequiredService<CareDb>();
        return UntilAsync(
            () => Task.FromResult(!db.Read(tx => tx.Outbox.Exists(o => o.Status == OutboxStatus.Pending || o.Status == OutboxStatus.Sending))),
            timeoutSeconds,
            "an idle outbox");
    }

    private static Task UntilAsync(Func<Task<bool>> condition, int timeoutSeconds, string what) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(timeoutSeconds), what);

    /// <summary>
    /// The next bot message to <paramref name="chat"/> containing <paramref name="contains"/>. The test answers it
    /// at once, faster than a person could: the worker must still match such a reply to the message it answers.
    /// </summary>
    public async Task<BotMessage> Expect(long chat, string contains, int timeoutSeconds = 20) =>
        await Server.WaitForMessageAsync(chat, m => m.Text.Contains(contains, StringComparison.Ordinal), TimeSpan.FromSeconds(timeoutSeconds));

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Completes when the start-up catch-up job has run.</summary>
    private sealed class CatchUpWatch : IJobListener
    {
        public TaskCompletionSource Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "e2e-start-up-catch-up";

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            Ran.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}

using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using CareBot.Worker.Cli;
using CareBot.Worker.Cluster;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CareBot.Worker.Tests.Cluster;

/// <summary>One running worker of a <see cref="ClusterKit"/>: the real host, its folder (heartbeat file) and its lease.</summary>
internal sealed class ClusterWorker(string name, IHost host, string folder)
{
    public string Name { get; } = name;
    public IHost Host { get; } = host;
    public string Folder { get; } = folder;
    public bool Running { get; set; } = true;
    public LeaderLease Lease => Host.Services.GetRequiredService<LeaderLease>();
    public string NodeId => Host.Services.GetRequiredService<WorkerNode>().Id;
    public WorkerActivity Activity => Host.Services.GetRequiredService<WorkerActivity>();
    public CareDb Db => Host.Services.GetRequiredService<CareDb>();
    public string DatabasePath => Path.Combine(Folder, "carebot.db");
}

/// <summary>
/// Several real worker hosts (in this process) on one PostgreSQL database against the local Bot API server on
/// 127.0.0.1, each with a folder of its own, and the clock each is given.
/// </summary>
internal sealed class ClusterKit : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-cluster-").FullName;
    private readonly List<ClusterWorker> _workers = [];

    private ClusterKit(LocalBotApiServer server, ShiftedTimeProvider time, string connectionString)
    {
        Server = server;
        Time = time;
        ConnectionString = connectionString;
    }

    public LocalBotApiServer Server { get; }
    public ShiftedTimeProvider Time { get; }
    public string ConnectionString { get; }
    public IReadOnlyList<ClusterWorker> Workers => _workers;
    public IEnumerable<ClusterWorker> Running => _workers.Where(w => w.Running);

    public static async Task<ClusterKit> StartAsync(DateTimeOffset start, string? connectionString = null) =>
        new(await LocalBotApiServer.StartAsync(new LocalBotApiOptions()), new ShiftedTimeProvider(start), connectionString ?? TestStores.NewPostgresDatabase());

    /// <summary>Imports a sample roster and links the first mentor to <paramref name="mentorUser"/> (a user of the bot server).</summary>
    public void Seed(int children, long mentorUser)
    {
        using var db = new PgCareDb(ConnectionString);
        var result = new RosterImporter(db, Time, 3).Import(new MemoryStream(RosterSample.Create(children, perCarer: 1)), "sample.csv", RosterEncoding.Auto, "zh", "test");
        Assert.True(result.Succeeded, string.Join("\n", result.FormatProblems()));
        var mentor = db.Read(tx => tx.People.FindAll().OrderBy(p => p.Id).First(p => p.IsCarer));
        (mentor.Chat, mentor.Status) = (TelegramChats.At(mentorUser), Reachability.Reachable);
        db.Write(tx => tx.People.Update(mentor));
        Server.AddUser(mentorUser, "王老师");
    }

    /// <summary>Starts one more worker on the shared database (<paramref name="services"/>: a change to its services, for a test).</summary>
    public async Task<ClusterWorker> StartWorkerAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var name = "node" + (_workers.Count + 1);
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var overrides = new Dictionary<string, string?>(Server.WorkerSettings())
        {
            ["CareBot:QuietHours"] = "00:00-00:00",
            ["CareBot:Admins:0:Name"] = "刘校长",
            ["CareBot:Admins:0:Phone"] = "13600000001",
            ["Storage:DatabasePath"] = Path.Combine(folder, "carebot.db"),
            ["Storage:Provider"] = StorageOptions.PostgreSQL,
            ["Storage:ConnectionString"] = ConnectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var host = CliApp.BuildHost(overrides, b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            b.AddCareWorker();
            services?.Invoke(b.Services);
        });
        await host.StartAsync();
        var worker = new ClusterWorker(name, host, folder);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>A graceful stop (StopAsync), as SIGTERM does.</summary>
    public static async Task StopAsync(ClusterWorker worker)
    {
        if (!worker.Running)
        {
            return;
        }

        worker.Running = false;
        await worker.Host.StopAsync();
        worker.Host.Dispose();
    }

    /// <summary>The worker that polls now, once exactly one of the running workers leads (else times out).</summary>
    public async Task<ClusterWorker> LeaderAsync(TimeSpan timeout)
    {
        await Poll.UntilAsync(() => Running.Count(w => w.Lease.IsLeader) == 1, timeout, "exactly one leading worker");
        return Running.Single(w => w.Lease.IsLeader);
    }

    /// <summary>Ends a server session from outside, as a dropped network connection would.</summary>
    public static void Terminate(int sessionPid)
    {
        using var connection = new NpgsqlConnection(PgServer.AdminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", sessionPid);
        command.ExecuteScalar();
    }

    /// <summary>getUpdates calls the bot server answered with 409 Conflict (two pollers at once).</summary>
    public int Conflicts => Server.Telegram.Calls.Count(c => c.Is("getUpdates") && c.Status == 409);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await StopAsync(worker);
        }

        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

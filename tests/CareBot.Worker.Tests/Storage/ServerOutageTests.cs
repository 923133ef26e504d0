using CareBot.Core.Model;
using CareBot.Tests.Shared;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CareBot.Worker.Tests.Storage;

/// <summary>
/// Issue 21: the PostgreSQL server goes away while the worker runs. A message sent meanwhile is not confirmed to
/// Telegram, so it comes again and is answered once the server is back; a server gone longer than
/// Storage:GiveUpAfterSeconds stops the worker as failed (exit code 1), to be restarted.
/// </summary>
public sealed class ServerOutageTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 91001;

    private static async Task<E2eKit> StartAsync(PgServer.Cluster cluster, int giveUpAfterSeconds)
    {
        var kit = await E2eKit.StartAsync(Monday0900, store: StoreKind.Postgres, connectionString: cluster.ConnectionString);
        kit.Seed(1, db =>
        {
            var mentor = db.Read(tx => tx.People.FindAll().First(p => p.IsCarer));
            (mentor.Chat, mentor.Status) = (TelegramChats.At(MentorUser), Reachability.Reachable);
            db.Write(tx => tx.People.Update(mentor));
        });
        kit.Server.AddUser(MentorUser, "王老师");
        await kit.StartWorkerAsync(new Dictionary<string, string?> { ["Storage:GiveUpAfterSeconds"] = giveUpAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return kit;
    }

    [Fact]
    public async Task A_message_sent_while_the_server_is_down_is_answered_once_it_is_back()
    {
        using var cluster = PgServer.StartPrivateCluster();
        await using var kit = await StartAsync(cluster, 300);
        kit.Server.UserSends(MentorUser, "/mine");
        await kit.Expect(MentorUser, "我的结对孩子");
        await Task.Delay(TimeSpan.FromSeconds(1)); // its Sent mark reaches the disk (a mark is not flushed at once; a crash right after it may send it again)

        cluster.StopImmediate();
        kit.Server.UserSends(MentorUser, "/mine");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the poller meets the gone server and retries
        Assert.Single(kit.Server.MessagesTo(MentorUser), m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal));
        cluster.StartServer();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (kit.Server.MessagesTo(MentorUser).Count(m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal)) < 2)
        {
            await Task.Delay(100, timeout.Token);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, kit.Server.MessagesTo(MentorUser).Count(m => m.Text.Contains("我的结对孩子", StringComparison.Ordinal))); // answered once
        var watch = kit.Host!.Services.GetRequiredService<StorageFailureWatch>();
        Assert.False(watch.Tripped);
    }

    [Fact]
    public async Task A_server_gone_longer_than_the_give_up_time_stops_the_worker_as_failed()
    {
        using var cluster = PgServer.StartPrivateCluster();
        await using var kit = await StartAsync(cluster, 10);
        var lifetime = kit.Host!.Services.GetRequiredService<IHostApplicationLifetime>();
        var watch = kit.Host.Services.GetRequiredService<StorageFailureWatch>();

        cluster.StopImmediate();
        kit.Server.UserSends(MentorUser, "/help");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested); // not before the give-up time

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.True(watch.Tripped);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_at_start_is_one_line_naming_the_setting_without_the_password()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nobody listens on

        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSQL",
            ["Storage:ConnectionString"] = $"Host=127.0.0.1;Port={port};Database=carebot;Username=carebot;Password=s3cret-pw;Timeout=3",
        };
        var (code, _, err) = await Cli.CliRun.RunAsync(settings, "report", "--lang", "en");

        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("Storage:ConnectionString", err, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", err, StringComparison.Ordinal);
    }
}

/// <summary><c>carebot status</c> (the Docker HEALTHCHECK) reads the heartbeat of a worker on PostgreSQL, which has no database file.</summary>
public sealed class StatusOnPostgresTests
{
    [Fact]
    public async Task Status_is_healthy_while_a_worker_on_PostgreSQL_beats()
    {
        await using var kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)), store: StoreKind.Postgres);
        kit.Seed(1);
        var settings = kit.StorageSettings();
        settings["Storage:DatabasePath"] = Path.Combine(kit.Folder, "state", "carebot.db"); // a folder the worker makes
        await kit.StartWorkerAsync(settings);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int code;
        string err;
        do
        {
            await Task.Delay(200, timeout.Token);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            code = CareBot.Worker.Cli.StatusCommand.Run(settings, "en", kit.Time, stdout, stderr);
            err = stderr.ToString();
        }
        while (code != 0 && !timeout.IsCancellationRequested);

        Assert.True(code == 0, err);
        await kit.StopWorkerAsync();
        using var after = new StringWriter();
        Assert.Equal(1, CareBot.Worker.Cli.StatusCommand.Run(settings, "en", kit.Time, TextWriter.Null, after)); // no worker: unhealthy
    }
}

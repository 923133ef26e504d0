using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace CareBot.Worker.Tests.Jobs;

/// <summary>The services the jobs expect (registered here as the host would), a fake clock in Asia/Shanghai, and a school.</summary>
internal sealed class JobsWorld : IAsyncDisposable
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <param name="logging">Where the jobs' logs go (none unless given).</param>
    public JobsWorld(DateTimeOffset localNow, Dictionary<string, string?>? settings = null, Action<ILoggingBuilder>? logging = null)
    {
        Time = new FakeTimeProvider(localNow.ToUniversalTime());
        Config = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        Db = LiteCareDb.InMemory();
        var services = new ServiceCollection();
        services.AddLogging(b => logging?.Invoke(b));
        services.AddSingleton<IHostApplicationLifetime>(new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
        services.AddSingleton<IConfiguration>(Config);
        services.AddSingleton<CareBot.Core.Storage.CareDb>(Db);
        services.AddSingleton<TimeProvider>(Time);
        services.AddCareSettings();
        services.AddSingleton(sp => new CareClock(Time, () => sp.GetRequiredService<IOptionsMonitor<CareOptions>>().CurrentValue.Zone!));
        services.AddSingleton<OutboxStore>();
        services.AddCareJobs();
        Provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; }
    public IConfigurationRoot Config { get; }
    public CareDb Db { get; }
    public ServiceProvider Provider { get; }

    public static DateTimeOffset Local(int y, int m, int d, int h = 8, int min = 0) => new(y, m, d, h, min, 0, Shanghai);

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    public Task<IScheduler> Scheduler() => Get<ISchedulerFactory>().GetScheduler().AsTask();

    /// <summary>A mentor, a child paired since September and its reachable father.</summary>
    public void School()
    {
        Db.Write(tx => tx.People.Insert(new Person { Id = 1, Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor, Chat = TelegramChats.At(101), Status = Reachability.Reachable }));
        Db.Write(tx => tx.People.Insert(new Person { Id = 2, Name = "李爸爸", Phone = "13800000002", Roles = Roles.Parent, Chat = TelegramChats.At(102), Status = Reachability.Reachable }));
        Db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "小明", Parents = [new ParentLink { PersonId = 2, Relation = ParentRelation.Father }] }));
        Db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = 1, ChildId = "S1", Role = PairingRole.Mentor, CreatedUtc = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc) }));
    }

    public List<OutboxMessage> Rows(OutboxKind kind) => Db.Read(tx => tx.Outbox.FindAll().Where(o => o.Kind == kind).ToList());

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        Db.Dispose();
    }
}

using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Worker.Tests.Jobs;

public class CareJobsHostTests
{
    [Fact]
    public async Task Starting_the_host_runs_the_catch_up_through_Quartz_once()
    {
        var time = new FakeTimeProvider(JobsWorld.Local(2026, 11, 30, 8).ToUniversalTime()); // Monday after a missed Sunday
        using var db = LiteCareDb.InMemory();
        db.Write(tx => tx.People.Insert(new Person { Id = 2, Name = "李爸爸", Phone = "13800000002", Roles = Roles.Parent, Chat = TelegramChats.At(102), Status = Reachability.Reachable }));
        db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "小明", Parents = [new ParentLink { PersonId = 2, Relation = ParentRelation.Father }] }));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<CareBot.Core.Storage.CareDb>(db);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(new CareClock(time, "Asia/Shanghai"));
        builder.Services.AddSingleton<OutboxStore>();
        builder.Services.AddCareSettings();
        builder.Services.AddCareJobs();
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (db.Read(tx => tx.Outbox.Count()) == 0)
            {
                await Task.Delay(50, cts.Token);
                time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal("weekly:2:S1:2026-W48", Assert.Single(db.Read(tx => tx.Outbox.FindAll().ToList())).Key);
    }
}

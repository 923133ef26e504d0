using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Outbox;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Cluster;

/// <summary>Several workers on one PostgreSQL database. Nothing changes on LiteDB (one worker, Quartz's RAM store).</summary>
public static class ClusterSetup
{
    /// <summary>How often each node's scheduler tells the others it is alive, and how late it may be before they recover its firings.</summary>
    public static readonly TimeSpan CheckinInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan CheckinMisfireThreshold = TimeSpan.FromSeconds(10);

    /// <summary>Whether <c>Storage:Provider</c> names PostgreSQL in <paramref name="builder"/>'s settings.</summary>
    public static bool IsCluster(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return string.Equals(builder.Configuration[StorageOptions.Section + ":" + nameof(StorageOptions.Provider)], StorageOptions.PostgreSQL, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// On PostgreSQL (after <c>AddCareStorage</c>, <c>AddTelegramChannel</c> and <c>AddCareJobs</c>): Quartz on its
    /// clustered AdoJobStore in the same database (schema made by <see cref="ClusterDatabase"/>; missed cron fires are
    /// left to the start-up catch-up, never fired late for the wrong week), the planner runs once per slot across the
    /// nodes (<see cref="PlanSlots"/>), one poller (<see cref="LeaderLease"/>) with fenced updates
    /// (<see cref="LeaderFence"/>), and this node's row in <c>carebot_workers</c> (<see cref="NodeBeatService"/>).
    /// Does nothing on LiteDB.
    /// </summary>
    public static IHostApplicationBuilder AddCareCluster(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsCluster(builder))
        {
            return builder;
        }

        var services = builder.Services;
        var node = new WorkerNode(builder.Configuration);
        services.AddSingleton(node);
        // The outbox's claims name this node, so a row one node holds under its lease is no other's to send.
        services.AddSingleton(new OutboxSender(node.Id, OutboxSender.DefaultLease));
        services.AddSingleton(sp => new ClusterDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString ?? ""));
        services.AddSingleton<IPlanSlots, PlanSlots>();

        services.AddSingleton<LeaderLease>();
        services.AddSingleton<IPollLeadership>(sp => sp.GetRequiredService<LeaderLease>());
        services.AddHostedService(sp => sp.GetRequiredService<LeaderLease>());
        services.AddSingleton<IUpdateFence, LeaderFence>();
        services.AddSingleton<NodeBeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeBeatService>());

        services.ConfigureAllQuartzSchedulers(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = ClusterDatabase.SchedulerName;
                o.InstanceId = node.Id;
                // A cron fire missed while every node was down is not fired late (it would plan the week of "now",
                // which has not finished): the start-up catch-up plans the missed fire's own week, once per slot.
                o.DefaultMisfireHandling = DefaultMisfireHandling.DoNothing;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(data => data.DataSourceFactory = sp => sp.GetRequiredService<ClusterDatabase>().Data);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = CheckinInterval;
                    c.CheckinMisfireThreshold = CheckinMisfireThreshold;
                });
                store.UseSystemTextJsonSerializer();
            });
        });
        return builder;
    }
}

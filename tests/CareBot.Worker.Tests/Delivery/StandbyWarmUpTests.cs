using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Storage.LiteDb;
using CareBot.Tests.Shared;
using CareBot.Worker.Cluster;
using CareBot.Worker.Delivery;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>
/// Issue 22: a standby's sender gets its sending path ready before it may lead (so a failover sends at full rate at
/// once), and doing so claims, changes and sends nothing.
/// </summary>
public sealed class StandbyWarmUpTests : IAsyncLifetime
{
    private readonly CareDb _db = LiteCareDb.InMemory();
    private LocalBotApiServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());

    public async Task DisposeAsync()
    {
        _db.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A node that never leads.</summary>
    private sealed class NeverLeads : IPollLeadership
    {
        public async Task<CancellationToken> WaitToLeadAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
            return CancellationToken.None;
        }
    }

    [Fact]
    public async Task A_standby_readies_its_sending_path_without_claiming_changing_or_sending_a_row()
    {
        _server.AddUser(601, "李老师");
        var person = new Person { Name = "李老师", Phone = "13800000601", Roles = Roles.Mentor, Chat = TelegramChats.At(601), Status = Reachability.Reachable };
        _db.Write(tx => tx.People.Insert(person));
        var outbox = new OutboxStore(_db, TimeProvider.System, new OutboxSender("standby-node", OutboxSender.DefaultLease));
        for (var i = 0; i < 3; i++)
        {
            outbox.Enqueue(new OutboxMessage { Key = $"due:{i}", PersonId = person.Id, Chat = person.Chat, Text = $"通知 {i}", Priority = OutboxPriority.Reply });
        }

        var before = _db.Read(tx => tx.Outbox.FindAll().OrderBy(o => o.Id).ToList());
        var bot = new TelegramBotClient(new TelegramBotClientOptions(_server.Token, _server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 });
        var delivery = Options.Create(new DeliveryOptions { GlobalPerSecond = 30, PerChatIntervalMs = 0 });
        using var signal = new OutboxSignal();
        using var dispatcher = new OutboxDispatcher(_db, outbox, [new TelegramChatSender(bot, delivery)], signal, TimeProvider.System,
            new CareClock(TimeProvider.System, "Asia/Shanghai"), delivery, Options.Create(new CareOptions { QuietHours = "00:00-00:00" }),
            NullLogger<OutboxDispatcher>.Instance, leadership: new NeverLeads());

        await dispatcher.StartAsync(CancellationToken.None);
        await dispatcher.WarmedUp.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // anything it would wrongly do next has time to show
        await dispatcher.StopAsync(CancellationToken.None);

        var after = _db.Read(tx => tx.Outbox.FindAll().OrderBy(o => o.Id).ToList());
        Assert.Equal(3, after.Count);
        Assert.All(after, row =>
        {
            var was = before.Single(b => b.Id == row.Id);
            Assert.Equal((OutboxStatus.Pending, 0, (string?)null, (DateTime?)null), (row.Status, row.Attempts, row.ClaimedBy, row.LeaseUntilUtc));
            Assert.Equal((was.Status, was.Attempts, was.Chat, was.Text), (row.Status, row.Attempts, row.Chat, row.Text));
        });
        Assert.Empty(_server.Telegram.Calls);
    }
}

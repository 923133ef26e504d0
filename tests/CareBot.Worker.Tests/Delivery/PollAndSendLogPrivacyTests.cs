using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Worker.Delivery;
using CareBot.Worker.Hosting;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>
/// The poller, the update processor and the dispatcher at their most talkative (Trace), against the local Bot API
/// server, while a mentor logs a visit with a note and a parent writes a message with a phone number in it: each of
/// the two paths logs (so the check can fail), and no name, note or phone appears.
/// </summary>
public sealed class PollAndSendLogPrivacyTests
{
    private const string Secret = "秘密笔记";

    [Fact]
    public async Task Polling_handling_and_sending_log_ids_only()
    {
        await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions());
        using var db = LiteCareDb.InMemory();
        var time = TimeProvider.System;
        var clock = new CareClock(time, "Asia/Shanghai");
        var outbox = new OutboxStore(db, time);
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        using var signal = new OutboxSignal();

        var mentor = new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor, Chat = TelegramChats.At(501), Status = Reachability.Reachable };
        var father = new Person { Name = "张大山", Phone = "13700000001", Roles = Roles.Parent, Chat = TelegramChats.At(601), Status = Reachability.Reachable };
        db.Write(tx =>
        {
            tx.People.InsertBulk([mentor, father]);
            tx.Children.Insert(new Child { Id = "S001", Name = "张小红", Class = "三年级二班", Notes = Secret, Parents = [new ParentLink { PersonId = father.Id, Relation = ParentRelation.Father }] });
            tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = "S001", Role = PairingRole.Mentor });
        });
        server.AddUser(501, "王老师");
        server.AddUser(601, "张大山");

        var options = new CareOptions { QuietHours = "00:00-00:00" };
        var handler = new ChatHandler(db, clock, outbox, new InviteService(db, time), options);
        var processor = new UpdateProcessor(db, handler, outbox, time, factory.CreateLogger<UpdateProcessor>(), CareBot.Worker.Telegram.TelegramPoller.Channel);
        var bot = new TelegramBotClient(new TelegramBotClientOptions(server.Token, server.BaseUrl) { RetryThreshold = 0, RetryCount = 0 });
        var delivery = Options.Create(new DeliveryOptions { PerChatIntervalMs = 0 });
        using var poller = new TelegramPoller(bot, processor, db, outbox, signal, time, Options.Create(new TelegramOptions { PollTimeoutSeconds = 1 }), new WorkerActivity(time), factory.CreateLogger<TelegramPoller>());
        using var dispatcher = new OutboxDispatcher(db, outbox, [new TelegramChatSender(bot, delivery)], signal, time, clock, delivery, Options.Create(options), factory.CreateLogger<OutboxDispatcher>());

        await poller.StartAsync(CancellationToken.None);
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            server.UserSends(501, $"/visit 张小红 {Secret}家访");
            server.UserSends(601, $"{Secret}爸爸的话 13700000001");
            await server.WaitForMessageAsync(501, m => m.Text.Contains("爸爸的话", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            await server.WaitForMessageAsync(501, m => m.Text.Contains("已记录", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
            await poller.StopAsync(CancellationToken.None);
        }

        // Each path logged, so a name it logged would be caught.
        Assert.True(capture.CountFrom(nameof(TelegramPoller)) > 0, "the poller logged nothing");
        Assert.True(capture.CountFrom(nameof(OutboxDispatcher)) > 0, "the dispatcher logged nothing");
        capture.AssertHoldsNone([Secret, "张小红", "张大山", "王老师", "爸爸的话"]);
    }
}

using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Chat;

public class UpdateProcessorTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="UpdateProcessorTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    public UpdateProcessorTests() => _db = TestStores.Open(Store);

    private readonly CareDb _db;
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes a record and a reply, then fails while <see cref="FailuresLeft"/> is above zero.</summary>
    private sealed class FlakyHandler(OutboxStore outbox) : IChatHandler
    {
        public int FailuresLeft { get; set; }

        public HandleOutcome Handle(CareTx tx, IncomingMessage message)
        {
            tx.Records.Insert(new CareRecord { ChildId = "S1", Text = message.Text ?? "" });
            outbox.Enqueue(tx, new OutboxMessage { Key = $"r:{message.UpdateId}", Chat = message.Chat, Text = "ok" });
            if (FailuresLeft-- > 0)
            {
                throw new InvalidOperationException("boom");
            }

            return HandleOutcome.None;
        }
    }

    [Fact]
    public void A_failed_attempt_writes_nothing_and_a_retry_applies_the_update_once()
    {
        var handler = new FlakyHandler(new OutboxStore(_db, _time)) { FailuresLeft = 1 };
        var processor = new UpdateProcessor(_db, handler, new OutboxStore(_db, _time), _time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);
        var message = new IncomingMessage(10, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, "note");

        Assert.Throws<InvalidOperationException>(() => processor.Process(message));
        Assert.Equal(0, _db.Read(tx => tx.Records.Count()));
        Assert.Equal(0, _db.Read(tx => tx.Outbox.Count()));
        Assert.Equal(0, processor.Offset);

        processor.Process(message);
        processor.Process(message);
        Assert.Equal(1, _db.Read(tx => tx.Records.Count()));
        Assert.Equal(1, _db.Read(tx => tx.Outbox.Count()));
        Assert.Equal(11, processor.Offset);
    }

    [Fact]
    public void An_update_that_keeps_failing_is_recorded_with_its_error_and_skipped()
    {
        var handler = new FlakyHandler(new OutboxStore(_db, _time)) { FailuresLeft = 100 };
        var processor = new UpdateProcessor(_db, handler, new OutboxStore(_db, _time), _time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);
        var bad = new IncomingMessage(20, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, "poison");

        for (var i = 1; i < UpdateProcessor.MaxAttempts; i++)
        {
            Assert.Throws<InvalidOperationException>(() => processor.Process(bad));
        }

        Assert.NotNull(processor.Process(bad));
        var apology = Assert.Single(_db.Read(tx => tx.Outbox.Find(o => o.Chat == TelegramChats.At(1) && o.Text.Contains("没能保存")).ToList()));
        Assert.Equal(OutboxPriority.Reply, apology.Priority);
        var recorded = _db.Read(tx => tx.Updates.FindById(20));
        Assert.Equal(nameof(InvalidOperationException), recorded.Error);
        Assert.Equal(21, processor.Offset);
        Assert.Equal(0, _db.Read(tx => tx.Records.Count()));

        handler.FailuresLeft = 0;
        processor.Process(new IncomingMessage(21, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, "next"));
        Assert.Equal(1, _db.Read(tx => tx.Records.Count()));
        Assert.Equal(22, processor.Offset);
    }

    [Fact]
    public void A_storage_failure_is_never_counted_towards_skipping_an_update()
    {
        var handler = new ThrowingHandler(new StorageBusyException("lock timeout"));
        var processor = new UpdateProcessor(_db, handler, new OutboxStore(_db, _time), _time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);
        var message = new IncomingMessage(30, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, "note");

        for (var i = 0; i < UpdateProcessor.MaxAttempts * 2; i++)
        {
            Assert.Throws<StorageBusyException>(() => processor.Process(message));
        }

        Assert.Null(_db.Read(tx => tx.Updates.FindById(30)));
        Assert.Equal(0, processor.Offset);
    }

    [Fact]
    public void Any_other_storage_error_is_counted_so_one_message_cannot_block_everyone()
    {
        var handler = new ThrowingHandler(new DuplicateKeyException("records"));
        var processor = new UpdateProcessor(_db, handler, new OutboxStore(_db, _time), _time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);
        var message = new IncomingMessage(31, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, "note");

        for (var i = 1; i < UpdateProcessor.MaxAttempts; i++)
        {
            Assert.Throws<DuplicateKeyException>(() => processor.Process(message));
        }

        processor.Process(message);
        Assert.Equal("DuplicateKeyException", _db.Read(tx => tx.Updates.FindById(31).Error));
        Assert.Equal(32, processor.Offset);
    }

    private sealed class ThrowingHandler(Exception ex) : IChatHandler
    {
        public HandleOutcome Handle(CareTx tx, IncomingMessage message) => throw ex;
    }

    [Fact]
    public void Long_texts_are_split_at_line_breaks_within_telegrams_limit()
    {
        var text = string.Join('\n', Enumerable.Range(0, 900).Select(i => $"第{i}行：孩子本周表现很好"));
        var parts = OutboxStore.Split(text);
        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, OutboxStore.MaxMessageLength));
        Assert.Equal(text.Replace("\n", "", StringComparison.Ordinal), string.Concat(parts).Replace("\n", "", StringComparison.Ordinal));
        Assert.Single(OutboxStore.Split("短消息"));
    }

    [Fact]
    public void Pruning_deletes_only_finished_rows_older_than_the_cut_off()
    {
        var store = new OutboxStore(_db, _time);
        foreach (var (key, status) in new[] { ("old-sent", OutboxStatus.Sent), ("old-failed", OutboxStatus.Failed), ("old-pending", OutboxStatus.Pending) })
        {
            store.Enqueue(new OutboxMessage { Key = key, Chat = TelegramChats.At(1), Text = "x" });
            var row = _db.Read(tx => tx.Outbox.FindOne(o => o.Key == key));
            row.Status = status;
            _db.Write(tx => tx.Outbox.Update(row));
        }

        _time.Advance(TimeSpan.FromDays(100));
        store.Enqueue(new OutboxMessage { Key = "new-sent", Chat = TelegramChats.At(1), Text = "x" });
        store.MarkSent(_db.Read(tx => tx.Outbox.FindOne(o => o.Key == "new-sent")), 5);

        Assert.Equal(2, store.PruneFinished(_time.GetUtcNow().UtcDateTime.AddDays(-90)));
        Assert.Equal(["new-sent", "old-pending"], _db.Read(tx => tx.Outbox.FindAll().Select(o => o.Key).Order().ToArray()));
        Assert.Equal(1, store.PendingCount());
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class UpdateProcessorTestsOnPostgres : UpdateProcessorTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

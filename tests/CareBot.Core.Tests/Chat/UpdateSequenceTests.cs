using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Chat;

/// <summary>Issue 19: update ids that start again are new updates; a redelivery within one id sequence stays a no-op.</summary>
public class UpdateSequenceTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="UpdateSequenceTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    public UpdateSequenceTests() => _db = TestStores.Open(Store);

    private readonly CareDb _db;
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Saves one record and one reply (keyed by the update id, as chat replies are) per update it handles.</summary>
    private sealed class CountingHandler(OutboxStore outbox) : IChatHandler
    {
        public HandleOutcome Handle(CareTx tx, IncomingMessage message)
        {
            tx.Records.Insert(new CareRecord { ChildId = "S1", Text = message.Text ?? "" });
            outbox.Enqueue(tx, new OutboxMessage { Key = OutboxStore.ReplyKey(message.UpdateId, message.Chat, 0), Chat = message.Chat, Text = "ok" });
            return HandleOutcome.None;
        }
    }

    private UpdateProcessor Processor() => new(_db, new CountingHandler(new OutboxStore(_db, _time)), new OutboxStore(_db, _time), _time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram);

    private static IncomingMessage Text(long updateId, string text) => new(updateId, TelegramChats.At(1), ChatKind.Private, IncomingKind.Text, text);

    private int Records() => _db.Read(tx => tx.Records.Count());

    [Fact]
    public void After_the_ids_start_again_an_update_with_an_old_id_is_applied_and_its_redelivery_is_not()
    {
        var processor = Processor();
        Assert.NotNull(processor.Process(Text(1, "first"), "m:1:1"));
        Assert.NotNull(processor.Process(Text(2, "second"), "m:1:2"));
        Assert.Equal((0L, 3L), (processor.Sequence, processor.Offset));

        // The same update again (same id, same fingerprint) is recorded: a redelivery, not a sign of new ids.
        Assert.True(processor.IsRecorded(1, "m:1:1"));
        Assert.Null(processor.Process(Text(1, "first"), "m:1:1"));
        Assert.Equal(2, Records());

        // The server's ids went back to 1: another message with id 1 is not what was recorded under it.
        Assert.False(processor.IsRecorded(1, "m:1:7"));
        Assert.False(processor.IsRecorded(1, null));
        Assert.Equal(1, processor.BeginSequence());
        Assert.Equal((1L, 0L), (processor.Sequence, processor.Offset));

        Assert.NotNull(processor.Process(Text(1, "new first"), "m:1:7"));
        Assert.Equal(3, Records());
        Assert.Equal(3, _db.Read(tx => tx.Outbox.Count())); // its reply is its own, not taken for the old update's
        Assert.Equal(2, processor.Offset);

        // Redelivered in the new sequence (a crash before the next getUpdates): a no-op.
        Assert.Null(processor.Process(Text(1, "new first"), "m:1:7"));
        Assert.Equal(3, Records());
        Assert.Equal(3, _db.Read(tx => tx.Updates.Count()));
        Assert.Contains(_db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "telegram.sequence");
    }

    [Fact]
    public void Records_of_the_first_sequence_keep_their_plain_update_id()
    {
        var processor = Processor();
        processor.Process(Text(41, "x"), "m:1:41");
        Assert.NotNull(_db.Read(tx => tx.Updates.FindById(41L)));
        Assert.Equal((1L << 32) | 41L, UpdateProcessor.RecordId(1, 41));
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class UpdateSequenceTestsOnPostgres : UpdateSequenceTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using Npgsql;

namespace CareBot.Core.Tests.Storage.Postgres;

/// <summary>
/// What the outbox does only on a server, where several workers share it: a claim passes over a row another
/// transaction has locked (SKIP LOCKED) instead of waiting for it, and a row added or released by another process
/// wakes a listener at its commit (LISTEN/NOTIFY).
/// </summary>
public sealed class OutboxWakeAndSkipTests : IDisposable
{
    private static readonly DateTime T0 = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private readonly string _connectionString = PgServer.CreateDatabase();

    public void Dispose() => PgServer.DropDatabase(_connectionString);

    private static OutboxMessage Message(string key, OutboxStatus status = OutboxStatus.Pending) =>
        new() { Key = key, PersonId = 1, Chat = TelegramChats.At(100), Text = "hi", Status = status, CreatedUtc = T0, NotBeforeUtc = T0 };

    [Fact]
    public async Task A_claim_passes_over_a_row_another_transaction_has_locked_instead_of_waiting_for_it()
    {
        using var db = new PgCareDb(_connectionString);
        db.Write(tx =>
        {
            tx.Outbox.Insert(Message("locked"));
            tx.Outbox.Insert(Message("free"));
        });
        var lockedId = db.Read(tx => tx.Outbox.FindOne(o => o.Key == "locked")!.Id);

        await using var other = new NpgsqlConnection(_connectionString);
        await other.OpenAsync();
        await using var holding = await other.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT id FROM outbox WHERE id = @id FOR UPDATE", other, holding))
        {
            lockRow.Parameters.AddWithValue("id", lockedId);
            Assert.Equal(lockedId, (long)(await lockRow.ExecuteScalarAsync())!);
        }

        var claim = Task.Run(() => db.ClaimOutbox(new OutboxClaim(10, T0, "node-a", T0.AddSeconds(30))));
        var finished = await Task.WhenAny(claim, Task.Delay(TimeSpan.FromSeconds(10))) == claim;

        Assert.True(finished, "the claim waited for the locked row");
        Assert.Equal(["free"], (await claim).Select(o => o.Key));

        await holding.RollbackAsync();
        Assert.Equal(["locked"], db.ClaimOutbox(new OutboxClaim(10, T0, "node-b", T0.AddSeconds(30))).Select(o => o.Key));
    }

    [Fact]
    public void A_row_added_or_released_by_another_process_wakes_the_listener_at_its_commit_and_a_sent_mark_does_not()
    {
        using var sender = new PgCareDb(_connectionString);
        using var other = new PgCareDb(_connectionString); // another worker on the same database
        using var woken = new SemaphoreSlim(0);
        using var watch = sender.WatchOutbox(() => woken.Release());
        Assert.True(woken.Wait(TimeSpan.FromSeconds(10)), "no first call once listening"); // listening: look once
        while (woken.Wait(TimeSpan.FromMilliseconds(200)))
        {
        }

        other.Write(tx =>
        {
            tx.Outbox.Insert(Message("added"));
            Assert.False(woken.Wait(TimeSpan.FromMilliseconds(300)), "woken before the commit");
        });
        Assert.True(woken.Wait(TimeSpan.FromSeconds(10)), "an added row woke nobody");

        var held = Message("held", OutboxStatus.Held);
        other.Write(tx => tx.Outbox.Insert(held));
        Assert.True(woken.Wait(TimeSpan.FromSeconds(10)));
        while (woken.Wait(TimeSpan.FromMilliseconds(200)))
        {
        }

        other.Mark(tx =>
        {
            var added = tx.Outbox.FindOne(o => o.Key == "added")!;
            added.Status = OutboxStatus.Sent;
            tx.Outbox.Update(added);
        });
        Assert.False(woken.Wait(TimeSpan.FromSeconds(1)), "a sent mark woke the sender");

        held.Status = OutboxStatus.Pending;
        other.Write(tx => tx.Outbox.Update(held));
        Assert.True(woken.Wait(TimeSpan.FromSeconds(10)), "a released row woke nobody");
    }
}

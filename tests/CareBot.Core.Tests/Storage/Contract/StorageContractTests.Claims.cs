using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>The outbox claim (<see cref="CareDb.ClaimOutbox"/>): what is due, in what order, and one sender per row while its lease holds.</summary>
public abstract partial class StorageContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static OutboxMessage Bulk(OutboxMessage message)
    {
        message.Priority = OutboxPriority.Bulk;
        return message;
    }

    private static OutboxClaim ClaimFor(string owner, DateTime now, int max = 100) => new(max, now, owner, now + Lease);

    [Fact]
    public void The_outbox_claim_takes_what_is_due_replies_first_and_stamps_its_sender_and_lease()
    {
        Db.Write(tx =>
        {
            tx.Outbox.Insert(Bulk(NewMessage("bulk-1")));
            tx.Outbox.Insert(NewMessage("reply-pending"));
            tx.Outbox.Insert(Bulk(NewMessage("bulk-cut-off", OutboxStatus.Sending)));
            tx.Outbox.Insert(NewMessage("reply-cut-off", OutboxStatus.Sending));
            tx.Outbox.Insert(NewMessage("later", notBefore: T0.AddHours(1)));
            tx.Outbox.Insert(NewMessage("sent", OutboxStatus.Sent));
            tx.Outbox.Insert(NewMessage("held", OutboxStatus.Held));
        });

        var claimed = Db.ClaimOutbox(ClaimFor("node-a", T0));

        Assert.Equal(["reply-cut-off", "reply-pending", "bulk-cut-off", "bulk-1"], claimed.Select(o => o.Key));
        Assert.All(claimed, o => Assert.Equal(("node-a", T0 + Lease), (o.ClaimedBy, o.LeaseUntilUtc)));
        var stored = Db.Read(tx => tx.Outbox.FindAll().ToDictionary(o => o.Key));
        Assert.All(claimed, o => Assert.Equal(("node-a", (DateTime?)(T0 + Lease)), (stored[o.Key].ClaimedBy, stored[o.Key].LeaseUntilUtc)));
        Assert.Null(stored["later"].ClaimedBy);
        Assert.Equal(OutboxStatus.Pending, stored["reply-pending"].Status); // a claim changes nothing else

        Assert.Equal(["reply-cut-off", "reply-pending"], Db.ClaimOutbox(ClaimFor("node-a", T0, max: 2)).Select(o => o.Key));
    }

    [Fact]
    public void A_claim_of_no_rows_takes_and_changes_nothing()
    {
        Db.Write(tx =>
        {
            tx.Outbox.Insert(NewMessage("m1"));
            tx.Outbox.Insert(Bulk(NewMessage("m2", OutboxStatus.Sending)));
        });
        var before = Db.Read(tx => tx.Outbox.FindAll().OrderBy(o => o.Id).Select(o => (o.Key, o.Status, o.ClaimedBy, o.LeaseUntilUtc)).ToList());

        // What a standby's sender runs to get its sending path ready (OutboxDispatcher.WarmUp).
        Assert.Empty(Db.ClaimOutbox(ClaimFor("standby", T0, max: 0)));

        Assert.Equal(before, Db.Read(tx => tx.Outbox.FindAll().OrderBy(o => o.Id).Select(o => (o.Key, o.Status, o.ClaimedBy, o.LeaseUntilUtc)).ToList()));
        Assert.Equal(["m1", "m2"], Db.ClaimOutbox(ClaimFor("leader", T0)).Select(o => o.Key)); // still there for a real claim
    }

    [Fact]
    public void A_row_another_sender_holds_is_left_to_it_until_its_lease_ends_and_its_own_sender_takes_it_again()
    {
        Db.Write(tx =>
        {
            tx.Outbox.Insert(NewMessage("m1"));
            tx.Outbox.Insert(NewMessage("m2"));
        });
        Assert.Equal(2, Db.ClaimOutbox(ClaimFor("node-a", T0)).Count);
        Db.Write(tx => tx.Outbox.Insert(NewMessage("m3")));

        Assert.Equal(["m3"], Db.ClaimOutbox(ClaimFor("node-b", T0.AddSeconds(5))).Select(o => o.Key));
        Assert.Equal(["m1", "m2"], Db.ClaimOutbox(ClaimFor("node-a", T0.AddSeconds(6))).Select(o => o.Key)); // renewed
        Assert.Empty(Db.ClaimOutbox(ClaimFor("node-c", T0.AddSeconds(7))));

        // node-a's lease (renewed at 6 s) ends at 36 s; node-b's on m3 (from 5 s) at 35 s.
        Assert.Empty(Db.ClaimOutbox(ClaimFor("node-c", T0.AddSeconds(34))));
        Assert.Equal(["m3"], Db.ClaimOutbox(ClaimFor("node-c", T0.AddSeconds(35))).Select(o => o.Key));
        Assert.Equal(["m1", "m2", "m3"], Db.ClaimOutbox(ClaimFor("node-c", T0.AddSeconds(36))).Select(o => o.Key)); // m3 is its own now
    }

    [Fact]
    public void Two_senders_claiming_at_once_never_take_the_same_row()
    {
        const int Rows = 300;
        Db.Write(tx =>
        {
            for (var i = 0; i < Rows; i++)
            {
                tx.Outbox.Insert(NewMessage("m" + i));
            }
        });

        var taken = new[] { new List<long>(), new List<long>() };
        var threads = Enumerable.Range(0, 2).Select(n => new Thread(() =>
        {
            while (true)
            {
                var claimed = Db.ClaimOutbox(ClaimFor("node-" + n, T0, max: 7));
                if (claimed.Count == 0)
                {
                    return;
                }

                taken[n].AddRange(claimed.Select(o => o.Id));
                Db.Mark(tx =>
                {
                    foreach (var row in claimed)
                    {
                        row.Status = OutboxStatus.Sent;
                        tx.Outbox.Update(row);
                    }
                });
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(taken[0].Intersect(taken[1]));
        Assert.Equal(Rows, taken[0].Count + taken[1].Count);
        Assert.Equal(Rows, Db.Read(tx => tx.Outbox.Count(o => o.Status == OutboxStatus.Sent)));
    }
}

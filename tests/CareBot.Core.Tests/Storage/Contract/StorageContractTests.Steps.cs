using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>
/// The steps of <see cref="CareTx"/> a provider may take in one statement (<see cref="CareTx.SaveRecord"/>,
/// <see cref="CareTx.SaveProcessed"/>, <see cref="CareTx.ChannelState"/>, <see cref="CareTx.ChildrenOfCarerAndState"/>).
/// </summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public void SaveRecord_numbers_the_record_and_audits_it_by_its_new_id()
    {
        Db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = "S1", AuthorId = 1, Kind = CareKind.Talk, LocalDate = new DateOnly(2024, 5, 6), AtUtc = T0, Text = "first" }));

        var saved = Db.Write(tx => tx.SaveRecord(new CareRecord { ChildId = "S2", AuthorId = 7, Kind = CareKind.Visit, LocalDate = new DateOnly(2024, 5, 6), AtUtc = T0, Text = "家访" }, "person:7"));

        Assert.Equal(2, saved.Id);
        Assert.Equal("家访", Db.Read(tx => tx.Records.FindById(2).Text));
        var audit = Assert.Single(Db.Read(tx => tx.Audit.FindAll().ToList()));
        Assert.Equal(("person:7", "record.visit", "S2", "record:2", T0), (audit.Actor, audit.Action, audit.ChildId, audit.Detail, audit.AtUtc));
        Assert.NotEqual(0, audit.Id);
    }

    [Fact]
    public void SaveProcessed_stores_the_update_and_the_offset_and_a_taken_update_id_leaves_the_offset_as_it_was()
    {
        Db.Write(tx => tx.SaveProcessed(new ProcessedUpdate { Id = 41, AtUtc = T0, Attempts = 1 }, new StateEntry { Id = "chan.offset", Value = 42 }));
        Db.Write(tx => tx.SaveProcessed(new ProcessedUpdate { Id = 40, AtUtc = T0, Attempts = 1, Error = "Ignored" }, null));

        Assert.Equal(42, Db.Read(tx => tx.State.FindById("CHAN.OFFSET").Value));
        Assert.Equal([40L, 41L], Db.Read(tx => tx.Updates.FindAll().Select(u => u.Id).ToList()));
        Assert.Equal("Ignored", Db.Read(tx => tx.Updates.FindById(40).Error));

        var thrown = false;
        Db.Write(tx =>
        {
            try
            {
                tx.SaveProcessed(new ProcessedUpdate { Id = 41, AtUtc = T0, Attempts = 2 }, new StateEntry { Id = "chan.offset", Value = 99 });
            }
            catch (DuplicateKeyException)
            {
                thrown = true;
            }

            // The turn goes on after the refused step.
            tx.State.Upsert(new StateEntry { Id = "chan.other", Value = 1 });
        });

        Assert.True(thrown);
        Assert.Equal(42, Db.Read(tx => tx.State.FindById("chan.offset").Value));
        Assert.Equal(1, Db.Read(tx => tx.Updates.FindById(41).Attempts));
        Assert.Equal(1, Db.Read(tx => tx.State.FindById("chan.other").Value));
    }

    [Fact]
    public void ChannelState_reads_both_entries_the_fences_and_the_update_recorded_under_the_id_of_the_current_sequence()
    {
        Db.Write(tx => tx.Updates.Insert(new ProcessedUpdate { Id = 41, AtUtc = T0, Attempts = 1, Fingerprint = "plain" }));

        var before = Db.Read(tx => tx.ChannelState("chan.sequence", "chan.offset", 41));
        Assert.Equal((null, null, "plain"), (before.Sequence, before.Offset, before.Recorded?.Fingerprint));
        Assert.Null(Db.Read(tx => tx.ChannelState("chan.sequence", "chan.offset", 42)).Recorded);

        Db.Write(tx =>
        {
            tx.State.Upsert(new StateEntry { Id = "chan.sequence", Value = 1 });
            tx.State.Upsert(new StateEntry { Id = "chan.offset", Value = 7 });
            tx.Updates.Insert(new ProcessedUpdate { Id = UpdateProcessor.RecordId(1, 41), Sequence = 1, AtUtc = T0, Attempts = 1, Fingerprint = "again" });
        });

        var after = Db.Read(tx => tx.ChannelState("CHAN.SEQUENCE", "chan.offset", 41));
        Assert.Equal((1L, 7L, "again"), (after.Sequence?.Value, after.Offset?.Value, after.Recorded?.Fingerprint));
        Assert.Null(after.Fence); // none asked for

        // A fence's entry (the cluster's epoch) comes in the same look-up; null when there is none.
        Assert.Null(Db.Read(tx => tx.ChannelState("chan.sequence", "chan.offset", 41, "chan.epoch")).Fence);
        Db.Write(tx => tx.State.Upsert(new StateEntry { Id = "chan.epoch", Value = 3 }));
        var fenced = Db.Read(tx => tx.ChannelState("chan.sequence", "chan.offset", 41, "Chan.Epoch"));
        Assert.Equal((1L, 7L, "again", 3L), (fenced.Sequence?.Value, fenced.Offset?.Value, fenced.Recorded?.Fingerprint, fenced.Fence?.Value));
    }

    [Fact]
    public void ChildrenOfCarerAndState_reads_the_carers_children_in_key_order_and_the_entry()
    {
        Db.Write(tx =>
        {
            tx.Children.Insert([NewChild("S3"), NewChild("S1"), NewChild("S2")]);
            tx.Pairings.Insert([new Pairing { CarerId = 5, ChildId = "S3" }, new Pairing { CarerId = 5, ChildId = "s1" }, new Pairing { CarerId = 6, ChildId = "S2" }]);
        });

        var (children, none) = Db.Read(tx => tx.ChildrenOfCarerAndState(5, "mine-shown:5"));
        Assert.Equal(["S1", "S3"], children.Select(c => c.Id));
        Assert.Null(none);

        Db.Write(tx => tx.State.Upsert(new StateEntry { Id = "mine-shown:5", Value = 99 }));
        var (again, entry) = Db.Read(tx => tx.ChildrenOfCarerAndState(5, "MINE-SHOWN:5"));
        Assert.Equal(["S1", "S3"], again.Select(c => c.Id));
        Assert.Equal(99, entry?.Value);
        Assert.Empty(Db.Read(tx => tx.ChildrenOfCarerAndState(7, "mine-shown:7")).Children);
    }
}

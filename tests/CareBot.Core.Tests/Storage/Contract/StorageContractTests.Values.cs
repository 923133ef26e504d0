using CareBot.Tests.Shared;
using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>Values (dates, money, case), predicates, named queries, capacity and the schema version.</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public void Twenty_thousand_children_inserted_in_bulk_come_back_by_slices_in_key_order()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"school{i % 7}/{i:D6}").ToList();
        var watch = Stopwatch.StartNew();
        var inserted = Db.Write(tx => tx.Children.InsertBulk(ids.Select(id => NewChild(id, 1 + (id.GetHashCode(StringComparison.Ordinal) & 0xFF))), batchSize: 5000));
        var insertTime = watch.Elapsed;
        watch.Restart();
        var read = Db.ReadInSlices(tx => tx.Children, c => c.Id, slice: 5000).Select(c => c.Id).ToList();

        Assert.Equal(20_000, inserted);
        Assert.Equal(20_000, Db.Read(tx => tx.Children.Count()));
        Assert.Equal(ids.Order(StringComparer.OrdinalIgnoreCase), read);
        Console.WriteLine($"{GetType().Name}: 20,000 children inserted in {insertTime.TotalMilliseconds:0} ms, read by slices in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void A_missing_value_never_satisfies_an_ordering_comparison_in_find_count_and_exists()
    {
        // C# reads null < 100 as false; LiteDB orders null before every value. The contract is C#'s reading.
        Db.Write(tx =>
        {
            tx.Outbox.Insert(NewMessage("not sent"));
            var fifty = NewMessage("message 50");
            fifty.ChannelMessageId = 50;
            tx.Outbox.Insert(fifty);
            var fiveHundred = NewMessage("message 500");
            fiveHundred.ChannelMessageId = 500;
            tx.Outbox.Insert(fiveHundred);
        });

        Assert.Equal(["message 50"], Db.Read(tx => tx.Outbox.Find(o => o.ChannelMessageId < 100).Select(o => o.Key).ToList()));
        Assert.Equal(1, Db.Read(tx => tx.Outbox.Count(o => o.ChannelMessageId < 100)));
        Assert.Equal(1, Db.Read(tx => tx.Outbox.CountUpTo(o => o.ChannelMessageId <= 100, 10)));
        Assert.False(Db.Read(tx => tx.Outbox.Exists(o => o.ChannelMessageId < 10)));
        Assert.Equal(2, Db.Read(tx => tx.Outbox.Count(o => o.ChannelMessageId >= 50)));
        Assert.Equal(2, Db.Read(tx => tx.Outbox.Count(o => o.ChannelMessageId != 50)));
    }

    [Fact]
    public void DateTimes_come_back_as_UTC_to_the_millisecond()
    {
        var at = T0.AddTicks(1_234_567); // 123.4567 ms past the second
        var id = Db.Write(tx => tx.Audit.Insert(new AuditEntry { AtUtc = at, Actor = "cli", Action = "test" }));
        var back = Db.Read(tx => tx.Audit.FindById(id));

        Assert.Equal(DateTimeKind.Utc, back.AtUtc.Kind);
        Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc), back.AtUtc);

        // Predicates compare the stored (whole millisecond) value. A bound with a fraction of a millisecond (a clock's
        // "now") answers <= and > the same whether the provider cuts the bound to the millisecond (LiteDB) or not.
        var stored = back.AtUtc;
        var halfAfter = stored.AddTicks(5_000);
        var halfBefore = stored.AddTicks(-5_000);
        Assert.Single(Db.Read(tx => tx.Audit.Find(a => a.AtUtc <= halfAfter).ToList()));
        Assert.Empty(Db.Read(tx => tx.Audit.Find(a => a.AtUtc > halfAfter).ToList()));
        Assert.Single(Db.Read(tx => tx.Audit.Find(a => a.AtUtc > halfBefore).ToList()));
        var msBefore = stored.AddMilliseconds(-1);
        Assert.Empty(Db.Read(tx => tx.Audit.Find(a => a.AtUtc <= msBefore).ToList()));
        Assert.Single(Db.Read(tx => tx.Audit.Find(a => a.AtUtc == stored).ToList()));
        Assert.Single(Db.Read(tx => tx.Audit.Find(a => a.AtUtc >= stored && a.AtUtc <= stored).ToList()));
        Assert.Empty(Db.Read(tx => tx.Audit.Find(a => a.AtUtc > stored).ToList()));
    }

    [Fact]
    public void DateOnly_comparisons_in_predicates_pick_the_right_days()
    {
        var days = new[] { new DateOnly(2023, 12, 31), new DateOnly(2024, 1, 5), new DateOnly(2024, 1, 15), new DateOnly(2024, 2, 1), new DateOnly(2024, 10, 2) };
        Db.Write(tx =>
        {
            foreach (var d in days)
            {
                tx.Records.Insert(new CareRecord { ChildId = "s/1", Kind = CareKind.Visit, LocalDate = d, AtUtc = T0 });
            }
        });

        var from = new DateOnly(2024, 1, 5);
        var to = new DateOnly(2024, 2, 1);
        Assert.Equal([days[1], days[2]], Db.Read(tx => tx.Records.Find(r => r.LocalDate >= from && r.LocalDate < to).Select(r => r.LocalDate).ToList()));
        Assert.Equal([days[3], days[4]], Db.Read(tx => tx.Records.Find(r => r.LocalDate >= to).Select(r => r.LocalDate).ToList()));
        var mid = days[2];
        Assert.Equal([days[2]], Db.Read(tx => tx.Records.Find(r => r.LocalDate == mid).Select(r => r.LocalDate).ToList()));
        Assert.Equal(4, Db.Read(tx => tx.Records.Count(r => r.LocalDate != mid)));
        Assert.Equal([days[0], days[4]], Db.Read(tx => tx.Records.Find(r => r.LocalDate < from || r.LocalDate > to).Select(r => r.LocalDate).ToList()));
    }

    [Fact]
    public void Decimal_amounts_come_back_exact()
    {
        var amounts = new[] { 0.1m, 0.2m, 12.50m, 999_999.99m, 1_000_000m, 0.01m, 1234.5678m };
        Db.Write(tx =>
        {
            foreach (var a in amounts)
            {
                tx.Aid.Insert(new AidEntry { ChildId = "s/1", Kind = "助学金", Amount = a, Date = new DateOnly(2024, 9, 1), RecordedBy = "cli", AtUtc = T0 });
            }
        });

        var back = Db.Read(tx => tx.Aid.FindAll().Select(a => a.Amount).ToList());
        Assert.Equal(amounts, back);
        Assert.Equal(2_001_247.3678m, back.Sum());
        Assert.Equal("12.50", back[2].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, Db.Read(tx => tx.Aid.Count(a => a.Amount > 1000m && a.Amount < 1_000_000m)));
    }

    [Fact]
    public void Child_ids_and_phones_match_without_regard_to_case_and_StartsWith_too()
    {
        Db.Write(tx =>
        {
            tx.Children.Insert(NewChild("School-A/X01"));
            tx.Children.Insert(NewChild("school-b/x02"));
            tx.Pairings.Insert(new Pairing { CarerId = 4, ChildId = "School-A/X01" });
            tx.People.Insert(NewPerson("13800138000"));
            tx.People.Insert(new Person { Name = "ext", Phone = "+86-Ext-12", Roles = Roles.Parent });
            tx.State.Insert(new StateEntry { Id = "Admin.Request/1", Value = 1 });
            tx.State.Insert(new StateEntry { Id = "admin.request/2", Value = 2 });
            tx.State.Insert(new StateEntry { Id = "other/3", Value = 3 });
        });

        var given = "school-a/x01";
        Assert.Equal("School-A/X01", Db.Read(tx => tx.Children.FindOne(c => c.Id == given)?.Id));
        Assert.Equal(4, Db.Read(tx => tx.Pairings.FindOne(p => p.ChildId == "SCHOOL-A/x01")?.CarerId));
        Assert.True(Db.Read(tx => tx.Pairings.Exists(p => p.CarerId == 4 && p.ChildId.Equals("school-A/X01"))));
        Assert.Equal("ext", Db.Read(tx => tx.People.FindOne(p => p.Phone == "+86-EXT-12")?.Name));
        Assert.Equal("13800138000", Db.Read(tx => tx.People.FindOne(p => p.Phone == "13800138000")?.Phone));
        Assert.Equal([1L, 2L], Db.Read(tx => tx.State.Find(e => e.Id.StartsWith("ADMIN.request/")).Select(e => e.Value).ToList()));
        Assert.Equal(["School-A/X01", "school-b/x02"], Db.Read(tx => tx.Children.Find(c => c.Id.StartsWith("SCHOOL-")).Select(c => c.Id).ToList()));
        Assert.Single(Db.Read(tx => tx.Children.Find(c => c.Id != "SCHOOL-A/X01").ToList()));
        Assert.Throws<DuplicateKeyException>(() => Db.Write(tx => tx.People.Insert(new Person { Name = "dup", Phone = "+86-ext-12" })));
    }

    [Fact]
    public void Predicates_SQL_cannot_say_give_the_same_answer_as_in_memory()
    {
        Db.Write(tx =>
        {
            tx.People.Insert(new Person { Name = "a", Phone = "1", Roles = Roles.Mentor, Chat = TelegramChats.At(11), Status = Reachability.Reachable });
            tx.People.Insert(new Person { Name = "b", Phone = "2", Roles = Roles.Mentor | Roles.Parent, Status = Reachability.Blocked, Chat = TelegramChats.At(12) });
            tx.People.Insert(new Person { Name = "c", Phone = "3", Roles = Roles.Parent, UpdatesPaused = true });
            tx.People.Insert(new Person { Name = "d", Phone = "4", Roles = Roles.Admin | Roles.Volunteer, Chat = TelegramChats.At(14), Status = Reachability.Reachable });
            tx.People.Insert(new Person { Name = "e", Phone = "5", Roles = Roles.None });
        });

        var mentors = Db.Read(tx => tx.People.Find(p => (p.Roles & Roles.Mentor) != 0).Select(p => p.Name).ToList());
        var names = new List<string> { "A", "c", "z" };
        var named = Db.Read(tx => tx.People.Find(p => names.Contains(p.Name)).Select(p => p.Name).ToList());
        var ids = new[] { 2, 4, 9 };
        var byId = Db.Read(tx => tx.People.Find(p => ids.Contains(p.Id)).Select(p => p.Name).ToList());
        var notMentors = Db.Read(tx => tx.People.Find(p => !((p.Roles & Roles.Mentor) != 0) && p.Roles != Roles.None).Select(p => p.Name).ToList());
        var either = Db.Read(tx => tx.People.Find(p => p.UpdatesPaused || (p.Chat != null && p.Status == Reachability.Blocked)).Select(p => p.Name).ToList());
        var reachableAdmins = Db.Read(tx => tx.People.Count(p => p.Chat != null && (p.Roles & Roles.Admin) == Roles.Admin));
        var notPaused = Db.Read(tx => tx.People.Find(p => !p.UpdatesPaused && p.Chat == null).Select(p => p.Name).ToList());

        Assert.Equal(["a", "b"], mentors);
        Assert.Equal(["a", "c"], named);
        Assert.Equal(["b", "d"], byId);
        Assert.Equal(["c", "d"], notMentors);
        Assert.Equal(["b", "c"], either);
        Assert.Equal(1, reachableAdmins);
        Assert.Equal(["e"], notPaused);
    }

    [Fact]
    public void A_limit_counts_only_documents_that_match_the_whole_predicate()
    {
        Db.Write(tx =>
        {
            for (var i = 0; i < 6; i++)
            {
                tx.People.Insert(new Person { Name = "p" + i, Phone = "p" + i, Roles = i < 4 ? Roles.Parent : Roles.Mentor, Status = Reachability.Reachable });
            }
        });

        Assert.Equal("p4", Db.Read(tx => tx.People.FindOne(p => (p.Roles & Roles.Mentor) != 0 && p.Status == Reachability.Reachable)?.Name));
        Assert.True(Db.Read(tx => tx.People.Exists(p => (p.Roles & Roles.Mentor) == Roles.Mentor && p.Status == Reachability.Reachable)));
        Assert.Equal(2, Db.Read(tx => tx.People.CountUpTo(p => (p.Roles & Roles.Mentor) != 0 && p.Status == Reachability.Reachable, 5)));
        Assert.Equal(["p5"], Db.Read(tx => tx.People.Find(p => (p.Roles & Roles.Mentor) != 0 && p.Status == Reachability.Reachable, skip: 1, limit: 1).Select(p => p.Name).ToList()));
        Assert.Equal(["p4"], Db.Read(tx => tx.People.FindOrdered(p => (p.Roles & Roles.Mentor) != 0 && p.Status == Reachability.Reachable, p => p.Id, 1).Select(p => p.Name).ToList()));
    }

    [Fact]
    public void ChildrenOfParent_finds_the_children_of_one_parent_only()
    {
        Db.Write(tx =>
        {
            tx.Children.Insert(NewChild("s/1", 1, 2));
            tx.Children.Insert(NewChild("s/2", 2));
            tx.Children.Insert(NewChild("s/3", 3));
            tx.Children.Insert(NewChild("s/4", 12, 21));
        });

        Assert.Equal(["s/1", "s/2"], Db.Read(tx => tx.ChildrenOfParent(2).Select(c => c.Id).Order(StringComparer.Ordinal).ToList()));
        Assert.Equal(["s/4"], Db.Read(tx => tx.ChildrenOfParent(21).Select(c => c.Id).ToList()));
        Assert.True(Db.Read(tx => tx.IsParentOfAny(3)));
        Assert.False(Db.Read(tx => tx.IsParentOfAny(4)));
        Assert.Empty(Db.Read(tx => tx.ChildrenOfParent(4).ToList()));
    }

    [Fact]
    public void CountUpTo_stops_at_the_cap_and_Count_and_Exists_agree()
    {
        Db.Write(tx =>
        {
            for (var i = 0; i < 10; i++)
            {
                tx.Outbox.Insert(NewMessage("k" + i, i < 7 ? OutboxStatus.Failed : OutboxStatus.Sent));
            }
        });

        Assert.Equal(3, Db.Read(tx => tx.Outbox.CountUpTo(o => o.Status == OutboxStatus.Failed, 3)));
        Assert.Equal(7, Db.Read(tx => tx.Outbox.CountUpTo(o => o.Status == OutboxStatus.Failed, 50)));
        Assert.Equal(7, Db.Read(tx => tx.Outbox.Count(o => o.Status == OutboxStatus.Failed)));
        Assert.Equal(10, Db.Read(tx => tx.Outbox.Count()));
        Assert.True(Db.Read(tx => tx.Outbox.Exists(o => o.Key == "K9")));
        Assert.False(Db.Read(tx => tx.Outbox.Exists(o => o.Status == OutboxStatus.Held)));
        Assert.Equal(2, Db.Read(tx => tx.Outbox.Find(o => o.Status == OutboxStatus.Failed, skip: 5).Count()));
    }

    [Fact]
    public void Select_projects_members_into_anonymous_types()
    {
        Db.Write(tx =>
        {
            tx.People.Insert(new Person { Name = "a", Phone = "1", Roles = Roles.Mentor, Chat = TelegramChats.At(5) });
            tx.People.Insert(new Person { Name = "b", Phone = "2", Roles = Roles.Parent });
        });

        var parents = Db.Read(tx => tx.People.Select(p => p.Roles == Roles.Parent, p => new { p.Name, p.Phone, p.Chat }).ToList());
        var all = Db.Read(tx => tx.People.Select(null, p => new { p.Id, p.Chat }).ToList());

        Assert.Equal([new { Name = "b", Phone = "2", Chat = (ChatAddress?)null }], parents);
        Assert.Equal([new { Id = 1, Chat = (ChatAddress?)TelegramChats.At(5) }, new { Id = 2, Chat = (ChatAddress?)null }], all);
    }

    [Fact]
    public void A_database_of_a_newer_schema_is_refused()
    {
        Db.Write(tx => tx.People.Insert(NewPerson("13800000001")));
        Close();
        SetSchemaVersion(CareDb.SchemaVersion + 1);

        var error = Assert.Throws<StorageException>(Open);

        // The same refusal; its line names the provider's setting (Storage:DatabasePath or Storage:ConnectionString).
        Assert.Contains(error.Error, new[] { StorageError.NewerSchema, StorageError.ServerNewerSchema });
        Assert.Contains(CareDb.SchemaVersion + 1, error.Args.OfType<int>());
    }

    [Fact]
    public void A_database_opened_again_keeps_what_was_written()
    {
        Db.Write(tx =>
        {
            tx.People.Insert(NewPerson("13800000001"));
            tx.Children.Insert(NewChild("s/1", 1));
        });
        Close();

        Assert.Equal("13800000001", Db.Read(tx => tx.People.FindById(1).Phone));
        Assert.Equal(1, Db.Read(tx => tx.Children.FindById("S/1").Parents.Single().PersonId));
        Assert.Equal(2, Db.Write(tx => tx.People.Insert(NewPerson("13800000002"))).AsInt64);
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>
/// The storage contract (<see cref="IDocs{T}"/>, <see cref="CareDb"/>'s turns) that every provider keeps: each concrete
/// class runs these tests on one provider. The expected answers are written out, so both providers are held to the same.
/// </summary>
public abstract partial class StorageContractTests : IDisposable
{
    private CareDb? _db;

    /// <summary>Opens the test's database (again, after <see cref="Close"/>).</summary>
    protected abstract CareDb Open();

    /// <summary>Sets the stored schema version of the (closed) database, as a newer CareBot would have left it.</summary>
    protected abstract void SetSchemaVersion(int version);

    protected abstract void Cleanup();

    protected CareDb Db => _db ??= Open();

    protected void Close()
    {
        _db?.Dispose();
        _db = null;
    }

    public void Dispose()
    {
        Close();
        Cleanup();
        GC.SuppressFinalize(this);
    }

    private static readonly DateTime T0 = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private static Person NewPerson(string phone, Roles roles = Roles.Mentor, string name = "王老师") =>
        new() { Name = name, Phone = phone, Roles = roles, CreatedUtc = T0, UpdatedUtc = T0 };

    private static Child NewChild(string id, params int[] parents) =>
        new() { Id = id, Name = "小红 " + id, Parents = [.. parents.Select(p => new ParentLink { PersonId = p, Relation = ParentRelation.Mother })], CreatedUtc = T0 };

    private static OutboxMessage NewMessage(string key, OutboxStatus status = OutboxStatus.Pending, DateTime? notBefore = null) =>
        new() { Key = key, PersonId = 1, Chat = TelegramChats.At(100), Text = "hi " + key, Status = status, CreatedUtc = T0, NotBeforeUtc = notBefore ?? T0 };

    [Fact]
    public void Auto_ids_number_new_documents_upwards_and_set_the_id_on_the_document()
    {
        var people = new[] { NewPerson("13800000001"), NewPerson("13800000002"), NewPerson("13800000003") };
        var ids = Db.Write(tx => people.Select(p => tx.People.Insert(p).AsInt64).ToList());

        Assert.Equal([1L, 2L, 3L], ids);
        Assert.Equal([1, 2, 3], people.Select(p => p.Id));
        Assert.Equal("13800000002", Db.Read(tx => tx.People.FindById(2).Phone));
    }

    [Fact]
    public void An_explicit_key_is_kept_and_a_later_generated_key_never_collides_with_it()
    {
        Db.Write(tx => tx.People.InsertBulk([new Person { Id = 50, Name = "copied", Phone = "13800000050" }]));
        var next = Db.Write(tx => tx.People.Insert(NewPerson("13800000051")));
        var record = new CareRecord { Id = 7, ChildId = "s/1", LocalDate = new DateOnly(2024, 1, 1), AtUtc = T0 };
        Db.Write(tx => tx.Records.Insert(record));
        var later = Db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = "s/1", AtUtc = T0 }));

        Assert.True(next.AsInt64 > 50, $"generated {next} after an explicit 50");
        Assert.True(later.AsInt64 > 7, $"generated {later} after an explicit 7");
        Assert.Equal("copied", Db.Read(tx => tx.People.FindById(50).Name));
    }

    [Fact]
    public void String_keys_are_unique_and_found_without_regard_to_case()
    {
        Db.Write(tx => tx.Children.Insert(NewChild("School/AB1")));

        Assert.Equal("School/AB1", Db.Read(tx => tx.Children.FindById("school/ab1")?.Id));
        Assert.Single(Db.Read(tx => tx.Children.Find(c => c.Id == "SCHOOL/ab1").ToList()));
        Assert.Throws<DuplicateKeyException>(() => Db.Write(tx => tx.Children.Insert(NewChild("school/ab1"))));
        Assert.True(Db.Write(tx => tx.Children.Update(new Child { Id = "SCHOOL/AB1", Name = "renamed" })));
        Assert.Equal("renamed", Db.Read(tx => tx.Children.FindById("School/AB1").Name));
        Assert.True(Db.Write(tx => tx.Children.Delete("school/AB1")));
        Assert.Equal(0, Db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void FindById_of_a_missing_key_is_null()
    {
        Db.Write(tx =>
        {
            tx.People.Insert(NewPerson("13800000001"));
            tx.Children.Insert(NewChild("s/1"));
        });

        Assert.Null(Db.Read(tx => tx.People.FindById(99)));
        Assert.Null(Db.Read(tx => tx.Children.FindById("s/2")));
        Assert.NotNull(Db.Read(tx => tx.Children.FindById("s/1")));
        Assert.False(Db.Write(tx => tx.People.Delete(99)));
        Assert.False(Db.Write(tx => tx.People.Update(new Person { Id = 99, Phone = "13800000099" })));
    }

    [Fact]
    public void FindAll_and_Slice_go_in_key_order_numbers_and_strings_alike()
    {
        Db.Write(tx =>
        {
            tx.People.InsertBulk([new Person { Id = 30, Phone = "30" }, new Person { Id = 10, Phone = "10" }, new Person { Id = 20, Phone = "20" }]);
            foreach (var id in new[] { "b/2", "D/4", "A/1", "c/3", "e/5" })
            {
                tx.Children.Insert(NewChild(id));
            }
        });

        Assert.Equal([10, 20, 30], Db.Read(tx => tx.People.FindAll().Select(p => p.Id).ToList()));
        Assert.Equal(["A/1", "b/2", "c/3", "D/4", "e/5"], Db.Read(tx => tx.Children.FindAll().Select(c => c.Id).ToList()));
        Assert.Equal(["A/1", "b/2"], Db.Read(tx => tx.Children.Slice(null, 2).Select(c => c.Id).ToList()));
        Assert.Equal(["c/3", "D/4"], Db.Read(tx => tx.Children.Slice("B/2", 2).Select(c => c.Id).ToList()));
        Assert.Equal([30], Db.Read(tx => tx.People.Slice(20, 10).Select(p => p.Id).ToList()));
        Assert.Equal(["A/1", "b/2", "c/3", "D/4", "e/5"], Db.ReadInSlices(tx => tx.Children, c => c.Id, slice: 2).Select(c => c.Id).ToList());
    }

    [Fact]
    public void FindOrdered_gives_the_first_matching_documents_in_the_order_asked()
    {
        Db.Write(tx =>
        {
            tx.Outbox.Insert(NewMessage("a", OutboxStatus.Pending, T0.AddMinutes(5)));
            tx.Outbox.Insert(NewMessage("b", OutboxStatus.Sent, T0.AddMinutes(1)));
            tx.Outbox.Insert(NewMessage("c", OutboxStatus.Pending, T0.AddMinutes(2)));
            tx.Outbox.Insert(NewMessage("d", OutboxStatus.Pending, T0.AddMinutes(9)));
            tx.Outbox.Insert(NewMessage("e", OutboxStatus.Pending, T0.AddMinutes(3)));
        });

        var byTime = Db.Read(tx => tx.Outbox.FindOrdered(o => o.Status == OutboxStatus.Pending, o => o.NotBeforeUtc, 3).Select(o => o.Key).ToList());
        var now = T0.AddMinutes(6);
        var byId = Db.Read(tx => tx.Outbox.FindOrdered(o => o.Status == OutboxStatus.Pending && o.NotBeforeUtc <= now, o => o.Id, 2).Select(o => o.Key).ToList());
        var byText = Db.Read(tx => tx.Outbox.FindOrdered(o => o.Status != OutboxStatus.Sent, o => o.Text, 10).Select(o => o.Key).ToList());

        Assert.Equal(["c", "e", "a"], byTime);
        Assert.Equal(["a", "c"], byId);
        Assert.Equal(["a", "c", "d", "e"], byText);
    }

    [Fact]
    public void A_taken_outbox_key_throws_DuplicateKey_and_the_turn_commits_the_rest()
    {
        var duplicates = 0;
        Db.Write(tx =>
        {
            tx.Outbox.Insert(NewMessage("weekly:1:2024-W10"));
            try
            {
                tx.Outbox.Insert(NewMessage("weekly:1:2024-W10"));
            }
            catch (DuplicateKeyException)
            {
                duplicates++;
            }

            tx.Outbox.Insert(NewMessage("weekly:2:2024-W10"));
        });

        Assert.Equal(1, duplicates);
        Assert.Equal(["weekly:1:2024-W10", "weekly:2:2024-W10"], Db.Read(tx => tx.Outbox.FindAll().Select(o => o.Key).ToList()));
    }

    [Fact]
    public void A_taken_phone_or_key_throws_DuplicateKey_and_the_turn_goes_on()
    {
        var caught = new List<string>();
        Db.Write(tx =>
        {
            var first = NewPerson("13800000001");
            tx.People.Insert(first);
            tx.People.Insert(NewPerson("13800000002", name: "李老师"));
            tx.Children.Insert(NewChild("s/1"));
            Try(() => tx.People.Insert(NewPerson("13800000001", name: "dup phone")), "phone");
            Try(() => tx.People.Insert(new Person { Id = first.Id, Phone = "13800000009" }), "person key");
            Try(() => tx.Children.Insert(NewChild("S/1")), "child key");
            Try(() => tx.Children.InsertBulk([NewChild("s/2"), NewChild("s/1")]), "bulk");
            tx.Children.Insert(NewChild("s/3"));
        });

        Assert.Equal(["phone", "person key", "child key", "bulk"], caught);
        Assert.Equal(["王老师", "李老师"], Db.Read(tx => tx.People.FindAll().Select(p => p.Name).ToList()));
        Assert.Contains("s/3", Db.Read(tx => tx.Children.FindAll().Select(c => c.Id).ToList()));
        Assert.Equal("13800000001", Db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000001").Phone));

        void Try(Action insert, string what)
        {
            try
            {
                insert();
            }
            catch (DuplicateKeyException)
            {
                caught.Add(what);
            }
        }
    }

    [Fact]
    public void A_Write_that_throws_commits_nothing_and_the_database_stays_usable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Db.Write(tx =>
        {
            tx.People.Insert(NewPerson("13800000001"));
            tx.Children.Insert(NewChild("s/1"));
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", error.Message);
        Assert.Equal(0, Db.Read(tx => tx.People.Count() + tx.Children.Count()));
        Db.Write(tx => tx.People.Insert(NewPerson("13800000001")));
        Assert.Equal(1, Db.Read(tx => tx.People.Count()));
    }

    [Fact]
    public void A_turn_inside_a_turn_is_refused_and_the_outer_turn_commits_nothing()
    {
        // Turns are explicit: code that needs the caller's turn takes its CareTx; it never joins one implicitly.
        var inner = new Action[]
        {
            () => Db.Read(t => t.People.Count()),
            () => Db.Write(t => t.People.Insert(NewPerson("13800000009"))),
            () => Db.WriteDeferred(t => t.People.Insert(NewPerson("13800000009"))),
            () => Db.Mark(t => t.People.Insert(NewPerson("13800000009"))),
        };
        foreach (var start in inner)
        {
            var refused = Assert.Throws<InvalidOperationException>(() => Db.Write(tx =>
            {
                tx.People.Insert(NewPerson("13800000001"));
                start();
            }));
            Assert.Contains("inside", refused.Message, StringComparison.Ordinal);
            Assert.Equal(0, Db.Read(tx => tx.People.Count()));
            Assert.Throws<InvalidOperationException>(() => Db.Read(_ => start()));
            Assert.Throws<InvalidOperationException>(() => Db.Mark(_ => start()));
            Assert.Equal(0, Db.Read(tx => tx.People.Count()));
        }

        // The thread is free again after a refused turn.
        Db.Write(tx => tx.People.Insert(NewPerson("13800000001")));
        Assert.Equal(1, Db.Read(tx => tx.People.Count()));
    }

    [Fact]
    public void A_write_in_a_read_turn_is_refused_and_nothing_is_stored()
    {
        Assert.Throws<InvalidOperationException>(() => Db.Read(tx => tx.People.Insert(NewPerson("13800000001"))));
        Assert.Throws<InvalidOperationException>(() => Db.ReadSnapshot(tx => tx.Children.Insert(NewChild("s/1"))));
        Db.Write(tx => tx.People.Insert(NewPerson("13800000002")));
        var person = Db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000002"));
        person.Name = "changed";
        Assert.Throws<InvalidOperationException>(() => Db.Read(tx => tx.People.Update(person)));
        Assert.Throws<InvalidOperationException>(() => Db.Read(tx => tx.People.Delete(person.Id)));

        Assert.Equal(["王老师"], Db.Read(tx => tx.People.FindAll().Select(p => p.Name).ToList()));
        Assert.Equal(0, Db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void Forget_removes_exactly_the_matching_documents()
    {
        Db.Write(tx =>
        {
            for (var i = 0; i < 5; i++)
            {
                tx.Records.Insert(new CareRecord { ChildId = "s/A", Kind = CareKind.Visit, AtUtc = T0, LocalDate = new DateOnly(2024, 3, 1 + i) });
                tx.Records.Insert(new CareRecord { ChildId = "s/B", Kind = CareKind.Talk, AtUtc = T0, LocalDate = new DateOnly(2024, 3, 1 + i) });
            }

            tx.Pairings.Insert(new Pairing { CarerId = 1, ChildId = "s/a" });
            tx.Pairings.Insert(new Pairing { CarerId = 1, ChildId = "s/b" });
        });

        var childId = "S/a";
        var removed = Db.Write(tx => tx.Records.DeleteMany(r => r.ChildId == childId) + tx.Pairings.DeleteMany(p => p.ChildId == childId));
        var last = Db.Read(tx => tx.Records.FindAll().Last().Id);

        Assert.Equal(6, removed);
        Assert.All(Db.Read(tx => tx.Records.FindAll().ToList()), r => Assert.Equal("s/B", r.ChildId));
        Assert.Equal("s/b", Db.Read(tx => tx.Pairings.FindAll().Single().ChildId));
        Assert.True(Db.Write(tx => tx.Records.Delete(last)));
        Assert.False(Db.Write(tx => tx.Records.Delete(last)));
        Assert.Equal(4, Db.Read(tx => tx.Records.Count()));
        Assert.Equal(4, Db.Write(tx => tx.Records.DeleteAll()));
    }
}

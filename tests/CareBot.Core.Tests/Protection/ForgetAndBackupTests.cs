using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Protection;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Protection;

public sealed class ForgetAndBackupTests : IDisposable
{
    private const long MentorChat = 501, FatherChat = 601, SharedParentChat = 602;
    private readonly ChatTestKit _kit = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-protect-").FullName;
    private readonly Person _mentor, _father, _mother, _sharedParent;

    public ForgetAndBackupTests()
    {
        _mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        _father = _kit.AddPerson("张大山", "13700000001", Roles.Parent, FatherChat);
        _mother = _kit.AddPerson("李小花", "13700000002", Roles.Parent, null);
        _sharedParent = _kit.AddPerson("陈二", "13700000003", Roles.Parent, SharedParentChat);
        _kit.AddChild("S001", "张小红", _mentor, _father, _mother);
        _kit.AddChild("S002", "陈小明", _mentor, _sharedParent);
        _kit.AddChild("S003", "陈小亮", _mentor, _sharedParent);
    }

    public void Dispose()
    {
        _kit.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Forget_erases_the_child_its_records_pairings_messages_and_parents_without_other_children()
    {
        _kit.Send(_kit.Text(MentorChat, "/visit 张小红 和奶奶聊了学习"));
        _kit.Send(_kit.Text(MentorChat, "/diary 陈小明 今天很开心"));
        _kit.Send(_kit.Text(FatherChat, "孩子最近好吗"));
        _kit.Invites.Issue([_mother], 14, "test");
        var otherRecords = _kit.Db.Read(tx => tx.Records.Count(r => r.ChildId != "S001"));

        var result = new ForgetService(_kit.Db, _kit.Time).Forget("S001", "cli");

        Assert.NotNull(result);
        Assert.Null(_kit.Db.Read(tx => tx.Children.FindById("S001")));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count(r => r.ChildId == "S001")));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Pairings.Count(p => p.ChildId == "S001")));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Outbox.Count(o => o.ChildId == "S001")));
        Assert.Null(_kit.Db.Read(tx => tx.People.FindById(_father.Id)));
        Assert.Null(_kit.Db.Read(tx => tx.People.FindById(_mother.Id)));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Invites.Count(i => i.PersonId == _mother.Id)));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Outbox.Count(o => o.PersonId == _father.Id)));
        Assert.Equal(2, result.ParentsErased);
        Assert.Equal(2, result.Records);

        // Others are untouched: the mentor, the other children and their records.
        Assert.NotNull(_kit.Db.Read(tx => tx.People.FindById(_mentor.Id)));
        Assert.Equal(otherRecords, _kit.Db.Read(tx => tx.Records.Count()));
        Assert.Equal(2, _kit.Db.Read(tx => tx.Children.Count()));

        var audit = Assert.Single(_kit.Db.Read(tx => tx.Audit.Find(a => a.Action == "child.forgotten").ToList()));
        Assert.Equal("S001", audit.ChildId);
        Assert.Equal("cli", audit.Actor);
        foreach (var secret in new[] { "张小红", "张大山", "李小花", "13700000001", "13900000000", "和奶奶" })
        {
            Assert.DoesNotContain(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => (a.Detail ?? "").Contains(secret, StringComparison.Ordinal) || a.Action.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Forget_erases_delivered_replies_that_quote_the_child_or_the_family_phones_but_not_pending_rows_of_others()
    {
        _kit.Send(_kit.Text(MentorChat, "/card 张小红"));
        _kit.MarkLastSent(MentorChat, 77);
        _kit.Send(_kit.Text(MentorChat, "/visit 张小红 去了"));
        _kit.MarkLastSent(MentorChat, 78);
        _kit.Send(_kit.Text(MentorChat, "/visit 陈小明 去了"));
        var pendingOther = _kit.Db.Read(tx => tx.Outbox.FindAll().Last());

        new ForgetService(_kit.Db, _kit.Time).Forget("S001", "cli");

        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Outbox.FindAll().ToList()), o => o.Text.Contains("张小红", StringComparison.Ordinal) || o.Text.Contains("13700000001", StringComparison.Ordinal) || o.Text.Contains("13900000000", StringComparison.Ordinal));
        Assert.NotNull(_kit.Db.Read(tx => tx.Outbox.FindById(pendingOther.Id)));
    }

    [Fact]
    public void Forget_keeps_a_parent_who_has_another_child()
    {
        var result = new ForgetService(_kit.Db, _kit.Time).Forget("S002", "cli");

        Assert.Equal(0, result!.ParentsErased);
        Assert.NotNull(_kit.Db.Read(tx => tx.People.FindById(_sharedParent.Id)));
        Assert.NotNull(_kit.Db.Read(tx => tx.Children.FindById("S003")));
    }

    [Fact]
    public void Forget_keeps_a_parent_who_is_also_staff_but_drops_the_parent_role()
    {
        var teacherParent = _kit.AddPerson("周老师", "13800000009", Roles.Mentor | Roles.Parent, 509);
        _kit.AddChild("S009", "周小小", _mentor, teacherParent);

        new ForgetService(_kit.Db, _kit.Time).Forget("S009", "cli");

        var kept = _kit.Db.Read(tx => tx.People.FindById(teacherParent.Id));
        Assert.Equal(Roles.Mentor, kept.Roles);
    }

    [Fact]
    public void Forget_of_an_unknown_child_changes_nothing_and_returns_null()
    {
        var audit = _kit.Db.Read(tx => tx.Audit.Count());
        Assert.Null(new ForgetService(_kit.Db, _kit.Time).Forget("S404", "cli"));
        Assert.Equal(3, _kit.Db.Read(tx => tx.Children.Count()));
        Assert.Equal(audit, _kit.Db.Read(tx => tx.Audit.Count()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("s3cret-密码")]
    public void Backup_copy_opens_with_the_same_counts_and_stays_encrypted(string? password)
    {
        var source = Path.Combine(_dir, "live.db");
        var copy = Path.Combine(_dir, "copy.db");
        using (var db = new LiteCareDb(source, password))
        {
            var mentor = new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor };
            db.Write(tx => tx.People.Insert(mentor));
            db.Write(tx => tx.Children.Insert(new Child { Id = "S001", Name = "张小红" }));
            db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = "S001" }));
            for (var i = 0; i < 50; i++)
            {
                db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = "S001", AuthorId = mentor.Id, Kind = CareKind.Diary, Text = $"日记{i}" }));
            }

            // The live database stays open (as in the worker) while the copy is made.
            var counts = DatabaseBackup.Write(db, copy, password);
            Assert.Equal(50, counts["records"]);

            // Writes after the backup still work and are not in the copy.
            db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = "S001", Text = "later" }));
        }

        Assert.False(File.Exists(copy + ".partial"));
        using (var restored = new LiteCareDb(copy, password))
        {
            Assert.Equal(1, restored.Read(tx => tx.People.Count()));
            Assert.Equal(1, restored.Read(tx => tx.Children.Count()));
            Assert.Equal(1, restored.Read(tx => tx.Pairings.Count()));
            Assert.Equal(50, restored.Read(tx => tx.Records.Count()));
            Assert.Equal("张小红", restored.Read(tx => tx.Children.FindById("S001").Name));
            Assert.Equal(CareDb.SchemaVersion, restored.Read(tx => tx.Raw().UserVersion));

            // Auto ids continue after the copied ones.
            var next = new CareRecord { ChildId = "S001", Text = "x" };
            restored.Write(tx => tx.Records.Insert(next));
            Assert.Equal(51, next.Id);
        }

        if (password is not null)
        {
            var bytes = File.ReadAllBytes(copy);
            Assert.DoesNotContain("张小红", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            var ex = Assert.Throws<StorageException>(() => new LiteCareDb(copy, null).Dispose());
            Assert.Contains("Storage:Password", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Backup_refuses_to_overwrite_an_existing_file()
    {
        var copy = Path.Combine(_dir, "exists.db");
        File.WriteAllText(copy, "keep me");
        Assert.Throws<StorageException>(() => DatabaseBackup.Write(_kit.Db, copy));
        Assert.Equal("keep me", File.ReadAllText(copy));
    }

    [Fact]
    public void Backup_of_the_in_memory_test_database_holds_the_same_counts()
    {
        _kit.Send(_kit.Text(MentorChat, "/visit 张小红 去了"));
        var copy = Path.Combine(_dir, "mem.db");
        DatabaseBackup.Write(_kit.Db, copy);
        using var restored = new LiteCareDb(copy);
        Assert.Equal(_kit.Db.Read(tx => tx.Records.Count()), restored.Read(tx => tx.Records.Count()));
        Assert.Equal(_kit.Db.Read(tx => tx.Outbox.Count()), restored.Read(tx => tx.Outbox.Count()));
        Assert.Equal(_kit.Db.Read(tx => tx.Audit.Count()), restored.Read(tx => tx.Audit.Count()));
        Assert.Equal(_kit.Db.Read(tx => tx.Updates.Count()), restored.Read(tx => tx.Updates.Count()));
    }
}

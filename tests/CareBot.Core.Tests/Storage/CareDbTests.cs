using CareBot.Storage.LiteDb;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage;

public sealed class CareDbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-db-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Encrypted_file_needs_the_password_and_holds_no_child_name_in_plain_bytes()
    {
        var path = Path.Combine(_dir, "secret.db");
        using (var db = new LiteCareDb(path, "s3cret-pass"))
        {
            db.Write(tx =>
            {
                tx.Children.Insert(new Child { Id = "S1", Name = "张小红", GuardianPhone = "13912345678" });
                tx.People.Insert(new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor });
            });
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(-1, IndexOf(bytes, Encoding.UTF8.GetBytes("张小红")));
        Assert.Equal(-1, IndexOf(bytes, Encoding.UTF8.GetBytes("13912345678")));
        Assert.Equal(-1, IndexOf(bytes, Encoding.UTF8.GetBytes("13800000001")));

        var missing = Assert.Throws<StorageException>(() => new LiteCareDb(path));
        Assert.StartsWith("Storage:Password", missing.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<StorageException>(() => new LiteCareDb(path, "wrong"));
        Assert.StartsWith("Storage:Password", wrong.Message, StringComparison.Ordinal);

        using var right = new LiteCareDb(path, "s3cret-pass");
        Assert.Equal("张小红", right.Read(tx => tx.Children.FindById("S1").Name));
    }

    [Fact]
    public void Unencrypted_file_does_hold_names_so_the_encryption_test_can_fail()
    {
        var path = Path.Combine(_dir, "plain.db");
        using (var db = new LiteCareDb(path))
        {
            db.Write(tx => tx.Children.Insert(new Child { Id = "S1", Name = "张小红" }));
        }

        Assert.NotEqual(-1, IndexOf(File.ReadAllBytes(path), Encoding.UTF8.GetBytes("张小红")));
    }

    [Fact]
    public void Failed_unit_of_work_writes_nothing()
    {
        using var db = LiteCareDb.InMemory();
        Assert.Throws<InvalidOperationException>(() => db.Write(tx =>
        {
            tx.Children.Insert(new Child { Id = "S1", Name = "a" });
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void Newer_schema_is_refused_with_a_clear_message()
    {
        var path = Path.Combine(_dir, "future.db");
        using (var db = new LiteCareDb(path))
        {
            db.Read(tx => tx.Raw().UserVersion = CareDb.SchemaVersion + 1);
        }

        var ex = Assert.Throws<StorageException>(() => new LiteCareDb(path));
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}

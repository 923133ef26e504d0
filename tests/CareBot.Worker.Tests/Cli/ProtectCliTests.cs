using CareBot.Storage.LiteDb;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

public sealed class ProtectCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-protect-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings(string? password = null) => new()
    {
        ["Storage:DatabasePath"] = DbPath,
        ["Storage:Password"] = password,
        ["Telegram:BotToken"] = null,
    };

    private static Task<(int Code, string Out, string Err)> Run(Dictionary<string, string?> settings, params string[] args) => CliRun.RunAsync(settings, args);

    private void Seed(string? password = null)
    {
        using var db = new LiteCareDb(DbPath, password);
        var mentor = new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor };
        var father = new Person { Name = "张大山", Phone = "13700000001", Roles = Roles.Parent };
        db.Write(tx => tx.People.Insert(mentor));
        db.Write(tx => tx.People.Insert(father));
        db.Write(tx => tx.Children.Insert(new Child { Id = "S001", Name = "张小红", Parents = [new ParentLink { PersonId = father.Id, Relation = ParentRelation.Father }] }));
        db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = "S001" }));
        db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = "S001", AuthorId = mentor.Id, Kind = CareKind.Visit, Text = "去了" }));
    }

    [Fact]
    public async Task Forget_erases_the_child_and_prints_counts_without_names()
    {
        Seed();
        var (code, output, err) = await Run(Settings(), "forget", "--child", "S001");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("S001", output, StringComparison.Ordinal);
        Assert.DoesNotContain("张小红", output, StringComparison.Ordinal);
        Assert.Equal("", err);
        using var db = new LiteCareDb(DbPath);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
        Assert.Equal(0, db.Read(tx => tx.Records.Count()));
        Assert.Equal(1, db.Read(tx => tx.People.Count()));
        Assert.Single(db.Read(tx => tx.Audit.Find(a => a.Action == "child.forgotten").ToList()));
    }

    [Fact]
    public async Task Forget_of_an_unknown_child_is_exit_2_with_one_clear_line()
    {
        Seed();
        var (code, _, err) = await Run(Settings(), "forget", "--child", "S404");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("S404", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task Backup_writes_an_encrypted_copy_with_the_same_counts()
    {
        Seed("pw");
        var copy = Path.Combine(_dir, "backup.db");
        var (code, output, err) = await Run(Settings("pw"), "backup", copy);

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("records 1", output, StringComparison.Ordinal);
        using var restored = new LiteCareDb(copy, "pw");
        Assert.Equal(1, restored.Read(tx => tx.Children.Count()));
        Assert.Equal(2, restored.Read(tx => tx.People.Count()));
        Assert.Throws<StorageException>(() => new LiteCareDb(copy).Dispose());
    }
}

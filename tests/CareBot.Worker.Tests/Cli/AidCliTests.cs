using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

/// <summary><c>carebot aid add</c>: saved and audited before success is printed; bad input is one line naming the option, exit 2.</summary>
public sealed class AidCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-aid-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings() => new()
    {
        ["Storage:DatabasePath"] = DbPath,
        ["Telegram:BotToken"] = null,
    };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => CliRun.RunAsync(Settings(), args);

    private void Seed()
    {
        using var db = new LiteCareDb(DbPath);
        db.Write(tx => tx.Children.Insert(new Child { Id = "default/S001", StudentNo = "S001", Name = "张小红" }));
    }

    private List<AidEntry> Aid()
    {
        using var db = new LiteCareDb(DbPath);
        return db.Read(tx => tx.Aid.FindAll().ToList());
    }

    [Fact]
    public async Task Aid_add_saves_the_entry_with_its_audit_and_prints_it()
    {
        Seed();
        var (code, output, err) = await Run("aid", "add", "--child", "S001", "--kind", "学习用品", "--amount", "200", "--date", "2026-12-01", "--source", "县妇联", "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("", err);
        // The admin reads the 学号, not the internal key.
        Assert.Contains("S001", output, StringComparison.Ordinal);
        Assert.DoesNotContain("default/", output, StringComparison.Ordinal);
        Assert.Contains("学习用品 200 yuan (2026-12-01)", output, StringComparison.Ordinal);
        var aid = Assert.Single(Aid());
        Assert.Equal(("default/S001", "学习用品", 200m, new DateOnly(2026, 12, 1), "县妇联", "cli"), (aid.ChildId, aid.Kind, aid.Amount, aid.Date, aid.Source, aid.RecordedBy));
        using var db = new LiteCareDb(DbPath);
        var audit = Assert.Single(db.Read(tx => tx.Audit.Find(a => a.Action == "aid.added").ToList()));
        Assert.Equal(("default/S001", "cli", $"aid:{aid.Id}"), (audit.ChildId, audit.Actor, audit.Detail));
    }

    [Theory]
    [InlineData("abc", "--amount")]
    [InlineData("0", "--amount")]
    [InlineData("-5", "--amount")]
    [InlineData("12.345", "--amount")]
    public async Task A_bad_amount_is_exit_2_with_one_line_naming_the_option(string amount, string option)
    {
        Seed();
        var (code, output, err) = await Run("aid", "add", "--child", "S001", "--kind", "学习用品", "--amount", amount, "--date", "2026-12-01");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.StartsWith("carebot: " + option + ":", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Empty(Aid());
    }

    [Fact]
    public async Task A_bad_date_is_exit_2_naming_the_date()
    {
        Seed();
        var (code, _, err) = await Run("aid", "add", "--child", "S001", "--kind", "学习用品", "--amount", "200", "--date", "2026-13-01");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("carebot: --date:", err, StringComparison.Ordinal);
        Assert.Empty(Aid());
    }

    [Fact]
    public async Task An_unknown_child_is_exit_2_naming_the_child()
    {
        Seed();
        var (code, output, err) = await Run("aid", "add", "--child", "S404", "--kind", "学习用品", "--amount", "200", "--date", "2026-12-01");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.StartsWith("carebot: --child:", err, StringComparison.Ordinal);
        Assert.Contains("S404", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Empty(Aid());
    }

    [Fact]
    public async Task Forget_erases_the_childs_aid_too()
    {
        Seed();
        Assert.Equal(ExitCodes.Ok, (await Run("aid", "add", "--child", "S001", "--kind", "助学金", "--amount", "500", "--date", "2026-12-01")).Code);
        Assert.Equal(ExitCodes.Ok, (await Run("forget", "--child", "S001")).Code);
        Assert.Empty(Aid());
    }
}

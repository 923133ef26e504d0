using CareBot.Storage.LiteDb;
using System.Text.RegularExpressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

/// <summary>Issue 12: every line of the command line in zh (default) or en, from --lang or CareBot:Language.</summary>
public sealed partial class CliLanguageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-lang-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var d = new Dictionary<string, string?>
        {
            ["Storage:DatabasePath"] = DbPath,
            ["Telegram:BotToken"] = null,
            ["Telegram:BotUsername"] = "CareSchoolBot",
            ["CareBot:Language"] = null,
        };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }

        return d;
    }

    private static Task<(int Code, string Out, string Err)> Run(Dictionary<string, string?> settings, params string[] args) => CliRun.RunAsync(settings, args);

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    private void Seed(string? password = null)
    {
        using var db = new LiteCareDb(DbPath, password);
        db.Write(tx => tx.People.Insert(new Person { Name = "Wang", Phone = "13800000001", Roles = Roles.Mentor }));
    }

    /// <summary>Each verb's error path: what to prepare, the arguments, the exit code.</summary>
    public static TheoryData<string, string> ErrorPaths() => new()
    {
        { "import", "no-file" },
        { "import", "bad-encoding" },
        { "invite", "bad-phone" },
        { "invite", "unknown-phone" },
        { "report", "csv-and-xlsx" },
        { "report", "wrong-password" },
        { "summary", "bad-date" },
        { "forget", "unknown-child" },
        { "forget", "no-database" },
        { "backup", "exists" },
        { "status", "no-database" },
        { "run", "no-token" },
        { "report", "bad-lang" },
    };

    private string[] Args(string verb, string path)
    {
        var existing = Path.Combine(_dir, "existing.db");
        return (verb, path) switch
        {
            ("import", "no-file") => ["import", Path.Combine(_dir, "none.csv")],
            ("import", "bad-encoding") => ["import", Path.Combine(_dir, "none.csv"), "--encoding", "latin1"],
            ("invite", "bad-phone") => ["invite", "--phone", "123"],
            ("invite", "unknown-phone") => ["invite", "--phone", "13900000009"],
            ("report", "csv-and-xlsx") => ["report", "--csv", "--xlsx", Path.Combine(_dir, "r.xlsx")],
            ("report", "wrong-password") => ["report"],
            ("summary", "bad-date") => ["summary", "--from", "2026-13-40", "--to", "2026-07-10", "--out", Path.Combine(_dir, "s.xlsx")],
            ("forget", "unknown-child") => ["forget", "--child", "S404"],
            ("forget", "no-database") => ["forget", "--child", "S1"],
            ("backup", "exists") => ["backup", existing],
            ("status", "no-database") => ["status"],
            ("run", "no-token") => ["run"],
            ("report", "bad-lang") => ["report", "--lang", "fr"],
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };
    }

    private void Prepare(string path)
    {
        File.WriteAllText(Path.Combine(_dir, "existing.db"), "x");
        if (path == "wrong-password")
        {
            Seed("right");
        }
        else if (path is not ("no-database" or "no-file" or "bad-encoding"))
        {
            Seed();
        }
    }

    [Theory]
    [MemberData(nameof(ErrorPaths))]
    public async Task Each_verb_tells_its_error_in_the_language_of_lang_or_the_setting(string verb, string path)
    {
        Prepare(path);
        var extra = path == "wrong-password" ? new[] { ("Storage:Password", (string?)"wrong") } : [];
        var expected = verb == "status" ? StatusCommand.Unhealthy : ExitCodes.BadInput;
        var args = Args(verb, path);
        var zhDefault = await Run(Settings(extra), args);
        var enBySetting = await Run(Settings([.. extra, ("CareBot:Language", "en")]), args);

        // A bad --lang itself is told in the setting's language.
        var zhByFlag = path == "bad-lang" ? zhDefault : await Run(Settings([.. extra, ("CareBot:Language", "en")]), [.. args, "--lang", "zh"]);
        var en = path == "bad-lang" ? enBySetting : await Run(Settings(extra), [.. args, "--lang", "en"]);

        foreach (var (run, chinese) in new[] { (zhDefault, true), (zhByFlag, true), (en, false), (enBySetting, false) })
        {
            Assert.True(run.Code == expected, $"{string.Join(' ', args)}: exit {run.Code}: {run.Err}");
            var line = Assert.Single(run.Err.Trim().Split('\n'));
            Assert.StartsWith("carebot: ", line, StringComparison.Ordinal);
            Assert.True(Cjk().IsMatch(line) == chinese, (chinese ? "expected Chinese: " : "expected English: ") + line);
            Assert.Equal("", run.Out);
        }
    }

    [Fact]
    public async Task The_storage_error_is_the_admins_language_and_names_the_setting()
    {
        Seed("right");

        var zh = await Run(Settings(("Storage:Password", "wrong")), "report");
        var en = await Run(Settings(("Storage:Password", "wrong")), "report", "--lang", "en");

        Assert.Equal($"carebot: Storage:Password：数据库 {DbPath} 已加密，密码不正确。", zh.Err.Trim());
        Assert.Equal($"carebot: Storage:Password: the database {DbPath} is encrypted and the password is wrong.", en.Err.Trim());
    }

    [Theory]
    [InlineData("fr", "report")]
    [InlineData("German", "forget")]
    public async Task A_bad_language_setting_names_the_key_and_is_exit_2(string value, string verb)
    {
        var (code, _, err) = await Run(Settings(("CareBot:Language", value)), verb, "--child", "S1");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("carebot: CareBot:Language", err, StringComparison.Ordinal);
        Assert.Contains(value, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_language_setting_is_unhealthy_not_exit_2_for_status()
    {
        var (code, _, err) = await Run(Settings(("CareBot:Language", "fr")), "status", "--lang", "en");

        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.Equal("carebot: CareBot:Language: 'fr' is not a language of CareBot; set zh (Chinese) or en (English).", err.Trim());
    }

    [Theory]
    [InlineData("status", "--lang", "fr")]
    [InlineData("status", "extra")]
    [InlineData("status", "--no-such-option")]
    public async Task A_status_command_line_that_does_not_parse_is_unhealthy_never_exit_2(params string[] args)
    {
        var (code, _, err) = await Run(Settings(), args);

        Assert.Equal(StatusCommand.Unhealthy, code);
        Assert.StartsWith("carebot: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_verb_that_does_not_parse_is_exit_2()
    {
        var (code, _, _) = await Run(Settings(), "report", "--no-such-option");

        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Theory]
    [InlineData]
    [InlineData("forget")]
    [InlineData("summary")]
    public async Task Help_is_Chinese_by_default_and_English_with_lang_en_or_the_setting(params string[] verb)
    {
        var zh = await Run(Settings(), [.. verb, "--help"]);
        var en = await Run(Settings(), [.. verb, "--help", "--lang", "en"]);
        var enBySetting = await Run(Settings(("CareBot:Language", "en")), [.. verb, "--help"]);

        Assert.Equal(0, zh.Code);
        Assert.Contains("说明：", zh.Out, StringComparison.Ordinal);
        Assert.Contains(Texts.Get(Texts.Chinese, "cli.help.lang"), zh.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Show help", zh.Out, StringComparison.Ordinal);
        foreach (var run in new[] { en, enBySetting })
        {
            Assert.Equal(0, run.Code);
            Assert.Contains("Description:", run.Out, StringComparison.Ordinal);
            Assert.Contains(Texts.Get(Texts.English, "cli.help.lang"), run.Out, StringComparison.Ordinal);
            Assert.False(Cjk().IsMatch(run.Out), run.Out);
        }
    }

    [Fact]
    public async Task Invite_and_forget_and_backup_say_what_they_did_in_the_language()
    {
        Seed();
        var zh = await Run(Settings(), "invite");
        var en = await Run(Settings(), "invite", "--lang", "en");
        var backupZh = await Run(Settings(), "backup", Path.Combine(_dir, "b1.db"));
        var backupEn = await Run(Settings(), "backup", Path.Combine(_dir, "b2.db"), "--lang", "en");

        Assert.Contains("共 1 条邀请", zh.Out, StringComparison.Ordinal);
        Assert.Contains("结对教师", zh.Out, StringComparison.Ordinal);
        Assert.Contains("1 invite(s)", en.Out, StringComparison.Ordinal);
        Assert.False(Cjk().IsMatch(en.Out), en.Out);
        Assert.StartsWith("备份已写入", backupZh.Out, StringComparison.Ordinal);
        Assert.StartsWith("backup written to", backupEn.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_storage_error_kind_has_its_text()
    {
        foreach (var kind in Enum.GetValues<StorageError>().Where(k => k != StorageError.Other))
        {
            var e = new StorageException("english") { Error = kind, Args = ["/x/c.db", "2", "1"] };
            Assert.Matches(Cjk(), CliApp.StorageMessage(e, Texts.Chinese));
            Assert.DoesNotMatch(Cjk(), CliApp.StorageMessage(e, Texts.English));
        }
    }

    [Theory]
    [InlineData(new[] { "report", "--lang", "en" }, "en")]
    [InlineData(new[] { "report", "--lang=zh" }, "zh")]
    [InlineData(new[] { "report", "--lang", "fr" }, null)]
    [InlineData(new[] { "report" }, null)]
    public void The_typed_language_is_found_before_parsing(string[] args, string? expected) =>
        Assert.Equal(expected, CommandLineLanguage.Typed(args));
}

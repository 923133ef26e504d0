using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-cfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var d = new Dictionary<string, string?> { ["Storage:DatabasePath"] = Path.Combine(_dir, "c.db"), ["Telegram:BotToken"] = null };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }

        return d;
    }

    private static Task<(int Code, string Out, string Err)> Run(Dictionary<string, string?> settings, params string[] args) => CliRun.RunAsync(settings, args);

    [Theory]
    [InlineData("CareBot:TimeZone", "Mars/Olympus_Mons")]
    [InlineData("CareBot:Schedules:VisitReminders", "every morning")]
    [InlineData("CareBot:Schedules:WeeklyUpdates", "0 0 25 ? * SUN")]
    [InlineData("CareBot:Care:VisitEveryDays", "-3")]
    [InlineData("CareBot:Care:TalkEveryDays", "abc")]
    [InlineData("CareBot:QuietHours", "late")]
    [InlineData("Delivery:GlobalPerSecond", "0")]
    [InlineData("Delivery:SendTimeoutSeconds", "-5")]
    [InlineData("Delivery:MaxBackoffSeconds", "0")]
    [InlineData("Delivery:PerChatIntervalMs", "-1")]
    [InlineData("Delivery:BackoffBaseMs", "many")]
    [InlineData("Telegram:PollTimeoutSeconds", "90")]
    [InlineData("CareBot:OutboxKeepDays", "1")]
    [InlineData("CareBot:Safeguarding:AcknowledgeWithinMinutes", "0")]
    [InlineData("CareBot:Safeguarding:FlagLowAt", "9")]
    [InlineData("CareBot:Safeguarding:Keywords:0", " ")]
    public async Task Invalid_setting_stops_start_up_with_one_line_naming_the_key(string key, string value)
    {
        var (code, _, err) = await Run(Settings((key, value), ("Telegram:BotToken", "123:abc")), "run");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("carebot: " + key, err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_bad_settings_are_still_one_line_naming_the_first_and_counting_the_rest()
    {
        var (code, _, err) = await Run(Settings(("Delivery:SendTimeoutSeconds", "-5"), ("Delivery:MaxBackoffSeconds", "0"), ("Telegram:BotToken", "123:abc")), "run");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("Delivery:", err, StringComparison.Ordinal);
        Assert.Contains("另有 1 处", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_verb_tells_a_bad_setting_in_its_language()
    {
        var (code, _, err) = await Run(Settings(("CareBot:TimeZone", "Mars/Olympus")), "report", "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("carebot: CareBot:TimeZone: 'Mars/Olympus' is not a known IANA time zone (e.g. Asia/Shanghai).", err.Trim());
    }

    [Fact]
    public async Task Run_without_a_token_says_how_to_set_one_and_suggests_the_demo()
    {
        var (code, _, err) = await Run(Settings(), "run");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("Telegram__BotToken", err, StringComparison.Ordinal);
        Assert.Contains("carebot demo", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_variables_override_the_file()
    {
        Environment.SetEnvironmentVariable("CareBot__TimeZone", "Not/AZone");
        try
        {
            var (code, _, err) = await Run(Settings(), "invite");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("Not/AZone", err, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CareBot__TimeZone", null);
        }
    }

    [Fact]
    public async Task Unknown_verb_or_option_is_bad_input()
    {
        var (code, _, err) = await Run(Settings(), "frobnicate");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.NotEmpty(err);
    }

    [Fact]
    public async Task Bad_admin_phone_names_the_setting()
    {
        var (code, _, err) = await Run(Settings(("CareBot:Admins:0:Name", "刘校长"), ("CareBot:Admins:0:Phone", "12345")), "invite");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("CareBot:Admins:0:Phone", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_writes_one_link_per_unlinked_person_to_csv()
    {
        new CareBot.Storage.LiteDb.LiteCareDb(Path.Combine(_dir, "c.db")).Dispose(); // a school database exists
        var file = Path.Combine(_dir, "invites.csv");
        var (code, _, err) = await Run(
            Settings(("CareBot:Admins:0:Name", "刘校长"), ("CareBot:Admins:0:Phone", "+86 136-0000-0001"), ("Telegram:BotUsername", "CareSchoolBot")),
            "invite", "--out", file);

        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(file);
        Assert.Equal("person_id,name,role,phone,code,link", lines[0].TrimStart('\uFEFF'));
        var row = Assert.Single(lines.Skip(1));
        Assert.Contains("刘校长", row, StringComparison.Ordinal);
        Assert.Contains("13600000001", row, StringComparison.Ordinal);
        Assert.Matches("https://t.me/CareSchoolBot\\?start=[A-Za-z0-9_-]{32,64}$", row);
    }

    [Fact]
    public async Task Invite_to_an_unwritable_file_is_bad_input_and_changes_no_invite()
    {
        new CareBot.Storage.LiteDb.LiteCareDb(Path.Combine(_dir, "c.db")).Dispose(); // a school database exists
        var settings = Settings(("CareBot:Admins:0:Name", "刘校长"), ("CareBot:Admins:0:Phone", "13600000001"), ("Telegram:BotUsername", "CareSchoolBot"));
        var first = Path.Combine(_dir, "first.csv");
        Assert.Equal(0, (await Run(settings, "invite", "--out", first)).Code);

        var (code, _, err) = await Run(settings, "invite", "--out", Path.Combine(_dir, "no-such-folder", "slips.csv"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--out", err, StringComparison.Ordinal);
        using var db = new CareBot.Storage.LiteDb.LiteCareDb(Path.Combine(_dir, "c.db"));
        var printed = File.ReadAllLines(first)[1].Split(',')[4];
        Assert.NotNull(db.Read(tx => tx.Invites.FindOne(i => i.CodeHash == CareBot.Core.Invites.InviteService.Hash(printed))));
    }

    [Fact]
    public async Task Invite_to_an_existing_file_or_a_link_is_refused_and_changes_no_invite()
    {
        new CareBot.Storage.LiteDb.LiteCareDb(Path.Combine(_dir, "c.db")).Dispose(); // a school database exists
        var settings = Settings(("CareBot:Admins:0:Name", "刘校长"), ("CareBot:Admins:0:Phone", "13600000001"), ("Telegram:BotUsername", "CareSchoolBot"));
        var first = Path.Combine(_dir, "first.csv");
        Assert.Equal(0, (await Run(settings, "invite", "--out", first)).Code);
        var printed = File.ReadAllText(first);
        var victim = Path.Combine(_dir, "victim.txt");
        File.WriteAllText(victim, "untouched");
        var link = Path.Combine(_dir, "link.csv");
        File.CreateSymbolicLink(link, victim);

        foreach (var target in new[] { first, link })
        {
            var (code, _, err) = await Run(settings, "invite", "--out", target);

            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.StartsWith($"carebot: --out: {target}", err, StringComparison.Ordinal);
        }

        Assert.Equal(printed, File.ReadAllText(first));
        Assert.Equal("untouched", File.ReadAllText(victim));
        using var db = new CareBot.Storage.LiteDb.LiteCareDb(Path.Combine(_dir, "c.db"));
        var code1 = printed.Split('\n')[1].Split(',')[4];
        Assert.NotNull(db.Read(tx => tx.Invites.FindOne(i => i.CodeHash == CareBot.Core.Invites.InviteService.Hash(code1))));
        Assert.Equal(1, db.Read(tx => tx.Invites.Count()));
    }

    [Theory]
    [InlineData("report")]
    [InlineData("invite")]
    [InlineData("forget", "--child", "S1")]
    [InlineData("summary", "--from", "2026-03-02", "--to", "2026-04-26", "--out", "no-database-summary.xlsx")]
    public async Task A_verb_other_than_import_finding_no_database_says_where_it_looked(params string[] args)
    {
        var (code, _, err) = await Run(Settings(("Telegram:BotUsername", "CareSchoolBot")), args);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("carebot: Storage:DatabasePath", err, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "c.db"), err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "c.db")));
    }

    [Fact]
    public void A_relative_database_path_is_beside_appsettings_not_the_current_folder()
    {
        Assert.Equal(Path.GetFullPath("/srv/care/data/carebot.db"), CareHost.DatabasePath("data/carebot.db", "/srv/care"));
        Assert.Equal("/var/lib/carebot/c.db", CareHost.DatabasePath("/var/lib/carebot/c.db", "/srv/care"));
        Assert.Equal(Path.GetFullPath("/srv/care/data/carebot.db"), CareHost.DatabasePath(null, "/srv/care"));
    }
}

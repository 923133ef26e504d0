using CareBot.Storage.LiteDb;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

/// <summary>
/// <c>carebot duty import</c>: the rota on disk before its one-line summary; any problem is exit 2 with the lines that name
/// file, line and column, and nothing written; <c>--school</c> where there are several schools.
/// </summary>
public sealed class DutyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-duty-cli-").FullName;

    static DutyCliTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings(bool twoSchools = false)
    {
        var settings = new Dictionary<string, string?> { ["Storage:DatabasePath"] = DbPath, ["Telegram:BotToken"] = null };
        if (twoSchools)
        {
            settings["CareBot:Schools:0:Id"] = "dq";
            settings["CareBot:Schools:0:Name"] = "大桥小学";
            settings["CareBot:Schools:1:Id"] = "hs";
            settings["CareBot:Schools:1:Name"] = "河山小学";
        }

        return settings;
    }

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => CliRun.RunAsync(Settings(), args);

    /// <summary>Two mentors of <paramref name="school"/> (王老师 13800000001, 李老师 13800000002), each paired with a child.</summary>
    private void Seed(string school = "default")
    {
        using var db = new LiteCareDb(DbPath, null, school);
        db.Write(tx =>
        {
            foreach (var (name, phone, no) in new[] { ("王老师", "13800000001", "S001"), ("李老师", "13800000002", "S002") })
            {
                var mentor = new Person { Name = name, Phone = phone, Roles = Roles.Mentor, SchoolId = school };
                tx.People.Insert(mentor);
                tx.Children.Insert(new Child { Id = $"{school}/{no}", SchoolId = school, StudentNo = no, Name = no });
                tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = $"{school}/{no}", Role = PairingRole.Mentor });
            }
        });
    }

    private string File(string text, Encoding? encoding = null, string name = "duty.csv")
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(text));
        return path;
    }

    private List<DutyTurn> Turns()
    {
        using var db = new LiteCareDb(DbPath);
        return db.Read(tx => tx.DutyTurns.FindAll().ToList());
    }

    [Fact]
    public async Task Duty_import_saves_the_rota_with_its_audit_and_prints_one_line()
    {
        Seed();
        var path = File("星期,时段,教师,教师电话\r\n周一,中午,王老师,13800000001\r\n周三,放学后,李老师,13800000002\r\n", Encoding.GetEncoding("GB18030"));

        var (code, output, err) = await Run("duty", "import", path, "--encoding", "gb18030", "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("", err);
        Assert.Equal($"{path}: imported the activity-room duty rota: 2 turns, 2 teachers (replacing 0 turns).", output.TrimEnd('\n'));
        Assert.Equal([(DayOfWeek.Monday, DutySlot.Noon), (DayOfWeek.Wednesday, DutySlot.AfterSchool)], Turns().Select(t => (t.Weekday, t.Slot)).Order());
        using var db = new LiteCareDb(DbPath);
        var audit = Assert.Single(db.Read(tx => tx.Audit.Find(a => a.Action == "duty.imported").ToList()));
        Assert.Equal(("cli", "school:default turns:2 teachers:2 replaced:0"), (audit.Actor, audit.Detail));
    }

    [Fact]
    public async Task Duty_clear_empties_the_rota_for_the_holidays_with_its_audit()
    {
        Seed();
        Assert.Equal(ExitCodes.Ok, (await Run("duty", "import", File("weekday,slot,teacher_phone\nMon,noon,13800000001\nTue,noon,13800000002\n"))).Code);

        var (code, output, err) = await Run("duty", "clear", "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("2 turns removed", output, StringComparison.Ordinal);
        Assert.Empty(Turns());
        using var db = new LiteCareDb(DbPath);
        Assert.Equal("school:default turns:2", Assert.Single(db.Read(tx => tx.Audit.Find(a => a.Action == "duty.cleared").ToList())).Detail);
    }

    [Fact]
    public async Task A_bad_row_is_exit_2_naming_file_line_and_column_and_the_old_rota_stays()
    {
        Seed();
        Assert.Equal(ExitCodes.Ok, (await Run("duty", "import", File("weekday,slot,teacher_phone\nMon,noon,13800000001\n"))).Code);
        var path = File("weekday,slot,teacher_phone\nTue,noon,13800000002\nFunday,noon,13800000001\n", name: "new.csv");

        var (code, output, err) = await Run("duty", "import", path, "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Equal(
            [
                $"{path}:3: weekday: \"Funday\" is not a weekday (Mon…Sun, Monday…Sunday, 1–7, 周一…周日)",
                $"{path}: 1 problem(s) found; the rota was not changed. Fix them and import again.",
            ],
            err.TrimEnd('\n').Split('\n'));
        Assert.Equal((DayOfWeek.Monday, DutySlot.Noon), Turns().Select(t => (t.Weekday, t.Slot)).Single());
    }

    [Fact]
    public async Task An_unknown_teacher_is_named_in_chinese_by_default()
    {
        Seed();
        var path = File("星期,时段,教师电话\n周一,中午,13900000009\n");

        var (code, _, err) = await Run("duty", "import", path);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith($"{path}:2: 教师电话: 名单里没有电话为 139****0009 的人", err, StringComparison.Ordinal);
        Assert.Empty(Turns());
    }

    [Fact]
    public async Task Several_schools_need_school_and_only_that_schools_rota_is_replaced()
    {
        Seed("hs");
        var path = File("weekday,slot,teacher_phone\nFri,after_school,13800000001\n");

        var (code, output, err) = await CliRun.RunAsync(Settings(twoSchools: true), "duty", "import", path, "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Equal("carebot: --school: several schools are configured; say whose rota this is (dq, hs)", err.TrimEnd('\n'));

        (code, _, err) = await CliRun.RunAsync(Settings(twoSchools: true), "duty", "import", path, "--school", "dq", "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(":2: teacher_phone: 王老师 is not a mentor or volunteer of 大桥小学 in the roster", err, StringComparison.Ordinal);

        (code, output, err) = await CliRun.RunAsync(Settings(twoSchools: true), "duty", "import", path, "--school", "河山小学", "--lang", "en");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal($"{path}: imported the activity-room duty rota of 河山小学: 1 turns, 1 teachers (replacing 0 turns).", output.TrimEnd('\n'));
        Assert.Equal("hs", Assert.Single(Turns()).SchoolId);
    }

    [Theory]
    [InlineData("missing.csv", "--encoding", "utf-8", "carebot: {0}: no such file.")]
    [InlineData("rota.xlsx", "--school", "default", "carebot: {0}: the rota is read from a CSV file; in Excel save it as \"CSV UTF-8 (Comma delimited)\" and import that.")]
    [InlineData("duty.csv", "--school", "nowhere", "carebot: --school: there is no school 'nowhere' (see CareBot:Schools)")]
    [InlineData("duty.csv", "--encoding", "latin1", "carebot: ")]
    public async Task Bad_options_are_exit_2_with_one_line(string name, string option, string value, string message)
    {
        Seed();
        File("weekday,slot,teacher_phone\nMon,noon,13800000001\n");
        File("not a workbook", name: "rota.xlsx");
        var path = Path.Combine(_dir, name);

        var (code, output, err) = await Run("duty", "import", path, option, value, "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.StartsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, path), err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Empty(Turns());
    }

    [Fact]
    public async Task Without_a_database_there_is_nobody_to_put_on_the_rota()
    {
        var path = File("weekday,slot,teacher_phone\nMon,noon,13800000001\n");
        var (code, _, err) = await Run("duty", "import", path, "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(DbPath, err, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(DbPath));
    }
}

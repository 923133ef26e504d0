using CareBot.Storage.LiteDb;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Duty;

/// <summary><c>carebot duty import</c>'s rules: the roster's CSV reading and error format, teachers from the roster, all or nothing.</summary>
public sealed class DutyImportTests
{
    private static string Problems(CareBot.Core.Duty.DutyImportResult result) => string.Join("\n", result.FormatProblems());

    private static List<(DayOfWeek Day, DutySlot Slot, int Teacher)> Turns(DutyKit kit, string? school = null) =>
        kit.Chat.Db.Read(tx => tx.DutyTurns.Find(t => t.SchoolId == (school ?? kit.School)).Select(t => (t.Weekday, t.Slot, t.TeacherId))
            .OrderBy(t => ((int)t.Weekday + 6) % 7).ThenBy(t => t.Slot).ToList());

    [Fact]
    public void Chinese_headers_import_the_rota_with_every_way_of_writing_a_weekday()
    {
        using var kit = new DutyKit();
        var result = kit.Import(Csv(
            "星期,时段,教师,教师电话",
            "周一,中午,王老师,138 0000 0001",
            "星期二,放学后,李阿姨,+86 13800000002",
            "3,中午,,13800000003",
            "Thu,noon,王老师,13800000001",
            "Friday,after_school,赵老师,138-0000-0003",
            "周日,放学后,,13800000002"), language: "zh");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(
            [
                (DayOfWeek.Monday, DutySlot.Noon, kit.Wang.Id),
                (DayOfWeek.Tuesday, DutySlot.AfterSchool, kit.Li.Id),
                (DayOfWeek.Wednesday, DutySlot.Noon, kit.Zhao.Id),
                (DayOfWeek.Thursday, DutySlot.Noon, kit.Wang.Id),
                (DayOfWeek.Friday, DutySlot.AfterSchool, kit.Zhao.Id),
                (DayOfWeek.Sunday, DutySlot.AfterSchool, kit.Li.Id),
            ],
            Turns(kit));
        Assert.Equal("duty.csv：已导入活动室值日表：6 个班次，3 位老师（替换原来的 0 个班次）。", result.Summary());
        var audit = Assert.Single(kit.Chat.Db.Read(tx => tx.Audit.Find(a => a.Action == "duty.imported").ToList()));
        Assert.Equal(("test", null, "school:default turns:6 teachers:3 replaced:0"), (audit.Actor, audit.ChildId, audit.Detail));
    }

    [Fact]
    public void English_headers_in_a_gb18030_file_with_a_title_row_are_read()
    {
        using var kit = new DutyKit();
        var csv = Csv("活动室值日表", "Teacher Phone,Weekday,Slot,teacher_name", "13800000001,Mon,after school,王老师", "13800000002,星期五,午间,李阿姨");
        var bytes = Encoding.GetEncoding("GB18030").GetBytes(csv);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes)); // really not UTF-8

        var result = kit.Import(bytes);

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(RosterEncoding.Gb18030, result.Encoding);
        Assert.Equal([(DayOfWeek.Monday, DutySlot.AfterSchool, kit.Wang.Id), (DayOfWeek.Friday, DutySlot.Noon, kit.Li.Id)], Turns(kit));
        Assert.Equal("duty.csv: imported the activity-room duty rota: 2 turns, 2 teachers (replacing 0 turns).", result.Summary());
    }

    [Theory]
    [InlineData("周八,中午,13800000001", "duty.csv:3: weekday: \"周八\" is not a weekday (Mon…Sun, Monday…Sunday, 1–7, 周一…周日)")]
    [InlineData("0,中午,13800000001", "duty.csv:3: weekday: \"0\" is not a weekday (Mon…Sun, Monday…Sunday, 1–7, 周一…周日)")]
    [InlineData(",中午,13800000001", "duty.csv:3: weekday: must not be empty")]
    [InlineData("周二,下午,13800000001", "duty.csv:3: slot: \"下午\" is not a slot (noon or after_school; 中午 or 放学后)")]
    [InlineData("周二,中午,1380000", "duty.csv:3: teacher_phone: not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("周二,中午,1.38E+10", "duty.csv:3: teacher_phone: Excel turned this into scientific notation; format the column as Text and export again")]
    [InlineData("周二,中午,13899999999", "duty.csv:3: teacher_phone: nobody with phone 138****9999 in the roster (import the roster first with carebot import)")]
    [InlineData("周二,中午,13700000001", "duty.csv:3: teacher_phone: 张爸爸 is not a mentor or volunteer in the roster")]
    [InlineData("周二,中午,13600000001", "duty.csv:3: teacher_phone: 刘校长 is not a mentor or volunteer in the roster")]
    [InlineData("周一,noon,13800000003", "duty.csv:3: slot: Mon noon is already given on line 2 (one teacher per turn)")]
    [InlineData("周二,中午,13800000003,钱老师", "duty.csv:3: teacher_name: the roster has this phone as 赵老师, not 钱老师")]
    public void Each_bad_row_names_its_line_and_column_and_nothing_is_written(string row, string problem)
    {
        using var kit = new DutyKit();
        kit.Rota((DayOfWeek.Friday, DutySlot.Noon, kit.Li));
        var header = row.Count(c => c == ',') == 3 ? "weekday,slot,teacher_phone,teacher_name" : "weekday,slot,teacher_phone";
        var first = row.Count(c => c == ',') == 3 ? "周一,中午,13800000001,王老师" : "周一,中午,13800000001";

        var result = kit.Import(Csv(header, first, row));

        Assert.False(result.Succeeded);
        Assert.Equal(problem, Problems(result));
        Assert.Equal("duty.csv: 1 problem(s) found; the rota was not changed. Fix them and import again.", result.Summary());
        Assert.Equal([(DayOfWeek.Friday, DutySlot.Noon, kit.Li.Id)], Turns(kit)); // the old rota stands
        Assert.Empty(kit.Chat.Db.Read(tx => tx.Audit.Find(a => a.Action == "duty.imported").ToList()));
    }

    [Fact]
    public void Problems_come_in_file_order_and_in_the_admins_language()
    {
        using var kit = new DutyKit();
        var result = kit.Import(Csv("星期,时段,教师电话,备注", "周一,中午,13800000001,x", "周九,傍晚,123,y"), language: "zh");

        Assert.Equal(
            [
                "duty.csv:1: 备注: 不认识的列名（可用的列名：星期、时段、教师电话、教师）",
                "duty.csv:3: 星期: “周九”不是星期几（周一…周日、星期一…星期日、1–7、Mon…Sun）",
                "duty.csv:3: 时段: “傍晚”不是时段（中午 或 放学后；noon 或 after_school）",
                "duty.csv:3: 教师电话: 不是有效的中国大陆手机号（11 位，以 1 开头）",
            ],
            result.FormatProblems());
        Assert.Empty(Turns(kit));
    }

    [Fact]
    public void A_missing_column_or_a_file_without_turns_is_refused()
    {
        using var kit = new DutyKit();
        Assert.Equal("duty.csv:1: teacher_phone: required column missing", Problems(kit.Import(Csv("weekday,slot", "Mon,noon"))));
        Assert.Equal("duty.csv:1: the file has a header but no turns", Problems(kit.Import(Csv("weekday,slot,teacher_phone"))));
        Assert.Equal("duty.csv:1: the file is empty: no header row", Problems(kit.Import("")));
        Assert.Empty(Turns(kit));
    }

    [Fact]
    public void One_bad_row_among_good_ones_writes_nothing()
    {
        using var kit = new DutyKit();
        var result = kit.Import(Csv("weekday,slot,teacher_phone", "Mon,noon,13800000001", "Tue,noon,13800000002", "Wed,noon,13899999999", "Thu,noon,13800000003"));

        Assert.Equal(["duty.csv:4: teacher_phone: nobody with phone 138****9999 in the roster (import the roster first with carebot import)"], result.FormatProblems());
        Assert.Empty(Turns(kit));
        Assert.Equal(0, kit.Chat.Db.Read(tx => tx.Audit.Count(a => a.Action == "duty.imported")));
    }

    [Fact]
    public void A_new_import_replaces_that_schools_rota_and_leaves_the_other_school_alone()
    {
        using var kit = new DutyKit(twoSchools: true);
        kit.RotaOf("b", (DayOfWeek.Monday, DutySlot.Noon, kit.Ma));
        Assert.True(kit.Import(Csv("weekday,slot,teacher_phone", "Mon,noon,13800000001", "Tue,noon,13800000002", "Wed,noon,13800000003")).Succeeded);

        var again = kit.Import(Csv("weekday,slot,teacher_phone", "Mon,after_school,13800000002"));

        Assert.True(again.Succeeded, Problems(again));
        Assert.Equal("duty.csv: imported the activity-room duty rota of A小学: 1 turns, 1 teachers (replacing 3 turns).", again.Summary());
        Assert.Equal([(DayOfWeek.Monday, DutySlot.AfterSchool, kit.Li.Id)], Turns(kit));
        Assert.Equal([(DayOfWeek.Monday, DutySlot.Noon, kit.Ma.Id)], Turns(kit, "b"));
        Assert.Equal(2, kit.Chat.Db.Read(tx => tx.Audit.Count(a => a.Action == "duty.imported")));
    }

    [Fact]
    public void A_teacher_of_another_school_is_not_on_this_schools_rota()
    {
        using var kit = new DutyKit(twoSchools: true);
        var result = kit.Import(Csv("weekday,slot,teacher_phone", "Mon,noon,13800000004"));
        Assert.Equal(["duty.csv:2: teacher_phone: 马老师 is not a mentor or volunteer of A小学 in the roster"], result.FormatProblems());

        Assert.True(kit.Import(Csv("weekday,slot,teacher_phone", "Mon,noon,13800000004"), school: "b").Succeeded);
    }

    [Fact]
    public void The_committed_sample_rota_imports_cleanly_after_the_sample_roster()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        using var db = CareBot.Storage.LiteDb.LiteCareDb.InMemory();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Roster.RosterTestKit.Start);
        var roster = Roster.RosterTestKit.Importer(db, time).Import(File.ReadAllBytes(Path.Combine(dir.FullName, "samples", "roster-sample.csv")));
        Assert.True(roster.Succeeded);

        var result = new CareBot.Core.Duty.DutyImporter(db, time, new SchoolDirectory(null))
            .Import(Path.Combine(dir.FullName, "samples", "duty-sample.csv"), RosterEncoding.Auto, SchoolDirectory.DefaultId, "zh", "test");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal((10, 4), (result.Turns, result.Teachers));
    }
}

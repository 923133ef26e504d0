using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Planning;
using CareBot.Core.Tests.Workbooks;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Cadence;

/// <summary>监护情况 in the roster sets how often a child is visited (CareBot:Care:VisitEveryDaysByGuardianship).</summary>
public sealed class GuardianshipTests
{
    private static string Problems(ImportResult result) => string.Join("\n", result.FormatProblems());

    [Fact]
    public void The_roster_column_is_read_under_its_Chinese_header_and_an_empty_cell_is_no_level()
    {
        using var db = LiteCareDb.InMemory();
        var csv = Csv(
            ZhHeader + ",监护情况",
            Row("1", "王小明") + ",较好",
            Row("2", "李小红", father: "李建国", fatherPhone: "13900000002") + ",一般",
            Row("3", "张小刚", father: "张建国", fatherPhone: "13900000003") + ",差",
            Row("4", "赵小华", father: "赵建国", fatherPhone: "13900000004", mentor: "陈芳", mentorPhone: "13800000002") + ",");

        var result = Importer(db).Import(csv, "zh");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(
            [Guardianship.Good, Guardianship.Fair, Guardianship.Poor, null],
            db.Read(tx => tx.Children.FindAll().OrderBy(c => c.StudentNo).Select(c => c.Guardianship).ToList()));
    }

    [Fact]
    public void The_English_header_takes_the_English_words_in_any_case_and_a_change_is_audited()
    {
        using var db = LiteCareDb.InMemory();
        const string header = "child_id,child_name,father_name,father_phone,mentor_name,mentor_phone,guardianship";
        Assert.True(Importer(db).Import(Csv(header, "S1,Ming,Wang Jianguo,13900000001,Li Li,13800000001,Good", "S2,Hong,Li Jianguo,13900000002,Li Li,13800000001,POOR")).Succeeded);
        Assert.Equal(Guardianship.Good, db.Read(tx => tx.Children.FindById("default/S1").Guardianship));
        Assert.Equal(Guardianship.Poor, db.Read(tx => tx.Children.FindById("default/S2").Guardianship));

        var again = Importer(db).Import(Csv(header, "S1,Ming,Wang Jianguo,13900000001,Li Li,13800000001,fair", "S2,Hong,Li Jianguo,13900000002,Li Li,13800000001,POOR"));

        Assert.True(again.Succeeded, Problems(again));
        Assert.Equal((1, 1), (again.ChildrenUpdated, again.ChildrenUnchanged));
        Assert.Equal(Guardianship.Fair, db.Read(tx => tx.Children.FindById("default/S1").Guardianship));
        Assert.Contains(db.Read(tx => tx.Audit.Find(a => a.Action == "child.updated").ToList()), a => a.ChildId == "default/S1" && a.Detail!.Contains("Guardianship", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_level_is_an_import_error_naming_row_and_column_and_nothing_is_written()
    {
        using var db = LiteCareDb.InMemory();
        var before = Counts(db);
        var csv = Csv(ZhHeader + ",监护情况", Row("1", "王小明") + ",较好", Row("2", "李小红", father: "李建国", fatherPhone: "13900000002") + ",很好");

        var zh = Importer(db).Import(csv, "zh");
        var en = Importer(db).Import(csv, "en");

        Assert.False(zh.Succeeded);
        Assert.Equal(["roster.csv:3: 监护情况: 监护情况只能是 较好、一般、差（或 good、fair、poor），也可以留空；这里是“很好”"], zh.FormatProblems());
        Assert.Equal(["roster.csv:3: 监护情况: guardianship must be 较好, 一般, 差 (or good, fair, poor) or empty, not \"很好\""], en.FormatProblems());
        Assert.Equal(before, Counts(db));
    }

    [Fact]
    public void A_workbook_reads_the_column_and_names_the_sheet_row_of_a_bad_level()
    {
        using var db = LiteCareDb.InMemory();
        string[] header = [.. ZhHeader.Split(','), "监护情况"];
        object?[] Child(object id, string name, double fatherPhone, string level) =>
            [id, name, "男", "三年级1班", "王奶奶", "祖母", null, name + "父", fatherPhone, "广东深圳", null, null, null, "李丽", 13800000001d, null, null, null, level];
        var good = TestWorkbook.Build(new TestWorkbook.Sheet("名单", [(1, header), (2, Child(1d, "王小明", 13900000001d, "差")), (3, Child(2d, "李小红", 13900000002d, ""))]));
        var bad = TestWorkbook.Build(new TestWorkbook.Sheet("名单", [(1, header), (2, Child(1d, "王小明", 13900000001d, "差")), (4, Child(2d, "李小红", 13900000002d, "bad"))]));

        var failed = Importer(db).ImportWorkbook(new MemoryStream(bad), "roster.xlsx", null, "en", "test");
        Assert.False(failed.Succeeded);
        Assert.Equal(["roster.xlsx:名单!4: 监护情况: guardianship must be 较好, 一般, 差 (or good, fair, poor) or empty, not \"bad\""], failed.FormatProblems());
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));

        var imported = Importer(db).ImportWorkbook(new MemoryStream(good), "roster.xlsx", null, "en", "test");
        Assert.True(imported.Succeeded, Problems(imported));
        Assert.Equal(Guardianship.Poor, db.Read(tx => tx.Children.FindById("default/1").Guardianship));
        Assert.Null(db.Read(tx => tx.Children.FindById("default/2").Guardianship));
    }

    [Fact]
    public void Each_level_has_its_own_visit_cadence_and_a_child_without_one_uses_VisitEveryDays()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23));
        w.Options.Care.VisitEveryDays = 10;
        w.Options.Care.TalkEveryDays = 365;
        w.Options.Care.CallParentsEveryDays = 365;
        w.Options.Care.VisitEveryDaysByGuardianship = new GuardianshipCadence { Good = 40, Fair = 20, Poor = 5 };
        var mentor = w.Person("王老师", Roles.Mentor);
        var visited = new DateOnly(2026, 11, 1);
        var children = new (string Id, Guardianship? Level)[] { ("G", Guardianship.Good), ("F", Guardianship.Fair), ("P", Guardianship.Poor), ("N", null) };
        foreach (var (id, level) in children)
        {
            var child = w.Child(id, "孩子" + id);
            child.Guardianship = level;
            w.Db.Write(tx => tx.Children.Update(child));
            w.Pair(mentor, child, new DateOnly(2026, 10, 1));
            w.Record(child, mentor, CareKind.Visit, visited);
            w.Record(child, mentor, CareKind.Talk, visited);
        }

        var calculator = new CareStatusCalculator(w.Db, w.Clock, w.Options);
        var county = calculator.ForAllPaired(w.Clock.Today, w.Db.Read(tx => tx.Pairings.FindAll().ToList()));
        var few = calculator.ForChildren(w.Clock.Today, ["G", "F", "P", "N"]);

        foreach (var status in new[] { county, few })
        {
            Assert.Equal(visited.AddDays(40), status["G"].NextVisitDue);
            Assert.Equal(visited.AddDays(20), status["F"].NextVisitDue);
            Assert.Equal(visited.AddDays(5), status["P"].NextVisitDue);
            Assert.Equal(visited.AddDays(10), status["N"].NextVisitDue);
            Assert.Equal(17, status["P"].VisitOverdueDays);
            Assert.False(status["G"].VisitDue);
        }

        // The report and /overdue read the same status: a poor level shows as overdue, a good one does not.
        w.Reminders().Plan();
        var reminder = Assert.Single(w.Rows(OutboxKind.Reminder));
        Assert.Contains("孩子P", reminder.Text, StringComparison.Ordinal);
        Assert.Contains("家访已逾期 17 天", reminder.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("孩子G", reminder.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Card_shows_the_level_and_its_cadence_in_the_readers_language()
    {
        using var kit = new ChatTestKit();
        var zhMentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 100);
        var enMentor = kit.AddPerson("Ms Li", "13800000002", Roles.Mentor, 101, "en");
        var poor = kit.AddChild("default/S1", "小明", zhMentor);
        poor.Guardianship = Guardianship.Poor;
        kit.Db.Write(tx => tx.Children.Update(poor));
        var good = kit.AddChild("default/S2", "小红", enMentor);
        good.Guardianship = Guardianship.Good;
        kit.Db.Write(tx => tx.Children.Update(good));
        kit.AddChild("default/S3", "小刚", zhMentor);

        Assert.Contains("监护情况：差（每 7 天家访一次）", Assert.Single(kit.Send(kit.Text(100, "/card 小明"))), StringComparison.Ordinal);
        Assert.Contains("Guardianship: good (a home visit every 30 days)", Assert.Single(kit.Send(kit.Text(101, "/card 小红"))), StringComparison.Ordinal);
        Assert.DoesNotContain("监护情况", Assert.Single(kit.Send(kit.Text(100, "/card 小刚"))), StringComparison.Ordinal);
    }
}

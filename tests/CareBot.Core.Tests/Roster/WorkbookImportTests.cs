using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Workbooks;
using MiniExcelLibs;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Roster;

/// <summary>The roster as an .xlsx workbook: the CSV roster's columns and rules, with the sheet's own row numbers.</summary>
public sealed class WorkbookImportTests
{
    private static readonly string[] Header = ZhHeader.Split(',');

    private static string Problems(ImportResult result) => string.Join("\n", result.FormatProblems());

    private static ImportResult ImportBook(CareDb db, byte[] workbook, string? sheet = null, string language = "en") =>
        Importer(db).ImportWorkbook(new MemoryStream(workbook), "roster.xlsx", sheet, language, "test");

    /// <summary>A row in <see cref="Header"/> order, phones stored as numbers (as Excel keeps a typed-in phone).</summary>
    private static object?[] Child(object id, string name, object? fatherPhone = null, string? cls = "三年级1班", string father = "王建国",
        object? mentorPhone = null, string mentor = "李丽", object? guardianPhone = null, object? notes = null) =>
        [id, name, "男", cls, "王奶奶", "祖母", guardianPhone, father, fatherPhone ?? 13900000001d, "广东深圳",
            null, null, null, mentor, mentorPhone ?? 13800000001d, null, null, notes];

    [Fact]
    public void Phones_and_ids_stored_as_numbers_dates_and_merged_cells_are_read_as_a_person_sees_them()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(
            new TestWorkbook.Sheet("说明", [(1, ["请在“名单”工作表填写"])]),
            new TestWorkbook.Sheet("名单",
                [
                    (1, ["XX小学留守儿童档案"]),
                    (2, Header),
                    (3, Child(20240001d, "王小明", 13900000001d, notes: new DateTime(2024, 9, 1))),
                    (4, Child(20240002d, "王小红", 13900000001d, cls: null)), // 班级 merged with the row above
                    (5, Child("S-3", "张三", 13900000003d, cls: "四年级2班", father: "张父", guardianPhone: "0851-8512 3456")),
                ],
                "A1:R1", "D3:D4"));

        var result = ImportBook(db, book, sheet: "名单");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(("名单", 3), (result.Sheet, result.ChildrenCreated));
        var first = db.Read(tx => tx.Children.FindById("default/20240001"));
        Assert.Equal("2024-09-01", first.Notes);
        var father = db.Read(tx => tx.People.FindById(first.Parents.Single().PersonId));
        Assert.Equal(("王建国", "13900000001"), (father.Name, father.Phone));
        Assert.Equal("三年级1班", db.Read(tx => tx.Children.FindById("default/20240002").Class));
        Assert.Equal(father.Id, db.Read(tx => tx.Children.FindById("default/20240002").Parents.Single().PersonId));
        Assert.Equal("085185123456", db.Read(tx => tx.Children.FindById("default/S-3").GuardianPhone));
        Assert.Equal("13800000001", db.Read(tx => tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == "default/S-3").CarerId).Phone));
    }

    [Fact]
    public void The_same_roster_as_csv_and_as_a_workbook_gives_the_same_database()
    {
        var csv = System.Text.Encoding.UTF8.GetString(RosterSample.Create(40)).TrimStart('\uFEFF');
        var records = new List<string[]>();
        using (var reader = CsvHelper.CsvReader.FromText(csv, new CsvHelper.CsvReaderOptions { HasHeader = false }))
        {
            while (reader.Read())
            {
                records.Add(reader.Current.ToArray());
            }
        }

        var header = records[0];
        var rows = records.Skip(1).Select(fields =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, value) in header.Zip(fields))
            {
                // What Excel does with typed-in digits: 学号 and phones become numbers.
                row[name] = value.Length > 0 && value.All(char.IsAsciiDigit) && value[0] != '0' ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value;
            }

            return row;
        }).ToList();
        Assert.Contains(rows, r => r["父亲电话"] is double);
        using var book = new MemoryStream();
        book.SaveAs(rows, sheetName: "名单");

        using var fromCsv = LiteCareDb.InMemory();
        using var fromBook = LiteCareDb.InMemory();
        var a = Importer(fromCsv).Import(csv);
        var b = Importer(fromBook).ImportWorkbook(new MemoryStream(book.ToArray()), "roster.xlsx", null, "en", "test");

        Assert.True(a.Succeeded, string.Join("\n", a.FormatProblems()));
        Assert.True(b.Succeeded, Problems(b));
        Assert.Equal(40, b.ChildrenCreated);
        Assert.Equal(Snapshot(fromCsv), Snapshot(fromBook));
    }

    private static List<string> Snapshot(CareDb db)
    {
        var phone = db.Read(tx => tx.People.FindAll().ToDictionary(p => p.Id, p => p.Phone));
        return
        [
            .. db.Read(tx => tx.People.FindAll().Select(p => $"person {p.Phone} {p.Name} {p.Roles} {p.WorkCity}").ToList()),
            .. db.Read(tx => tx.Children.FindAll().Select(c => $"child {c.Id} {c.Name} {c.Gender} {c.Class} {c.GuardianName} {c.GuardianRelation} {c.GuardianPhone} {c.Notes} "
                + string.Join('/', c.Parents.Select(p => $"{p.Relation}:{phone[p.PersonId]}"))).ToList()),
            .. db.Read(tx => tx.Pairings.FindAll().Select(p => $"pairing {p.ChildId} {phone[p.CarerId]} {p.Role}").ToList()),
        ];
    }

    [Fact]
    public void Without_a_sheet_name_the_first_sheet_is_read()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(
            new TestWorkbook.Sheet("一年级", [(1, Header), (2, Child(1d, "王小明"))]),
            new TestWorkbook.Sheet("二年级", [(1, Header), (2, Child(2d, "李小红", 13900000002d, father: "李父"))]));

        var first = ImportBook(db, book);
        Assert.True(first.Succeeded, Problems(first));
        Assert.Equal("一年级", first.Sheet);
        Assert.Equal(["1"], db.Read(tx => tx.Children.FindAll().Select(c => c.StudentNo).ToList()));

        var second = ImportBook(db, book, sheet: "二年级");
        Assert.True(second.Succeeded, Problems(second));
        Assert.Equal(["1", "2"], db.Read(tx => tx.Children.FindAll().Select(c => c.StudentNo).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Problems_name_the_file_the_sheet_and_its_own_row_numbers_and_nothing_is_written()
    {
        using var db = LiteCareDb.InMemory();
        Assert.True(Importer(db).Import(Csv(ZhHeader, Row("1", "王小明"))).Succeeded);
        var before = Counts(db);
        var book = TestWorkbook.Build(
            new TestWorkbook.Sheet("Sheet1", [(1, ["unused"])]),
            new TestWorkbook.Sheet("三年级",
            [
                (2, ["三年级留守儿童名单"]),
                (3, Header),
                (4, Child(1d, "王小明", cls: "四年级1班")),     // fine on its own
                (6, Child(2d, "张三", 1390000d, father: "张父")), // row 5 is empty: the bad phone is on row 6
                (7, Child(3d, "")),
                (8, Child(1d, "王小明")),
                (9, Child(4d, "李四", 13900000004d, father: "李父", mentorPhone: 1.38e20)),
            ]));

        var result = ImportBook(db, book, sheet: "三年级");

        Assert.False(result.Succeeded);
        Assert.Equal(
            [
                "roster.xlsx:三年级!6: 父亲电话: not a mainland China mobile number (11 digits starting with 1)",
                "roster.xlsx:三年级!7: 姓名: must not be empty",
                "roster.xlsx:三年级!8: 学号: child id 1 is already on line 4",
                "roster.xlsx:三年级!9: 教师电话: Excel turned this into scientific notation; format the column as Text and export again",
            ],
            result.FormatProblems());
        Assert.Equal(before, Counts(db));
        Assert.Equal("三年级1班", db.Read(tx => tx.Children.FindById("default/1").Class));
        Assert.Equal("roster.xlsx: 4 problem(s) found; nothing was imported. Fix them and import again.", result.Summary());
    }

    [Fact]
    public void A_sheet_name_the_workbook_lacks_is_one_problem_naming_it_and_the_sheets_it_has()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(
            new TestWorkbook.Sheet("Sheet1", [(1, Header), (2, Child(1d, "王小明"))]),
            new TestWorkbook.Sheet("说明", [(1, ["x"])]));

        var en = ImportBook(db, book, sheet: "名单");
        var zh = ImportBook(db, book, sheet: "名单", language: "zh");

        Assert.True(en.Unreadable);
        Assert.Equal("roster.xlsx: no sheet named \"名单\" in this workbook; its sheets are: Sheet1, 说明", Assert.Single(en.FormatProblems()));
        Assert.Equal("roster.xlsx: 工作簿中没有名为“名单”的工作表；现有工作表：Sheet1, 说明", Assert.Single(zh.FormatProblems()));
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void A_file_that_is_no_workbook_is_one_problem()
    {
        using var db = LiteCareDb.InMemory();
        var result = ImportBook(db, Utf8(Csv(ZhHeader, Row("1", "王小明"))));

        Assert.True(result.Unreadable);
        Assert.StartsWith("roster.xlsx: not a readable .xlsx workbook", Assert.Single(result.FormatProblems()), StringComparison.Ordinal);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void An_empty_sheet_and_a_sheet_without_children_are_refused()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(new TestWorkbook.Sheet("空", []), new TestWorkbook.Sheet("表头", [(4, Header)]));

        Assert.Equal("roster.xlsx:空!1: the sheet is empty: no header row", Assert.Single(ImportBook(db, book).FormatProblems()));
        Assert.Equal("roster.xlsx:表头!4: the sheet has a header but no children", Assert.Single(ImportBook(db, book, "表头").FormatProblems()));
    }

    [Fact]
    public void English_headers_and_rows_without_their_trailing_empty_cells_are_read()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(new TestWorkbook.Sheet("roster",
        [
            (1, ["child_id", "child_name", "mother_name", "mother_phone", "mentor_name", "mentor_phone", "notes"]),
            (2, ["S1", "Li Na", "Zhang Min", "139 0000 0002", "Teacher Wu", 13800000009d]),
        ]));

        var result = ImportBook(db, book);

        Assert.True(result.Succeeded, Problems(result));
        var child = db.Read(tx => tx.Children.FindById("default/S1"));
        Assert.Null(child.Notes);
        Assert.Equal("13900000002", db.Read(tx => tx.People.FindById(child.Parents.Single().PersonId).Phone));
        Assert.Equal(Roles.Mentor, db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000009").Roles));
    }

    [Theory]
    [InlineData(13900000001d, "13900000001")]
    [InlineData(20240001d, "20240001")]
    [InlineData(1.5d, "1.5")]
    [InlineData(-3d, "-3")]
    [InlineData(1.38e20, "1.38E+20")]
    public void Numbers_read_as_they_show(double value, string text) => Assert.Equal(text, XlsxRosterSource.CellText(value));

    [Fact]
    public void Dates_read_as_dates() =>
        Assert.Equal(["2024-09-01", "2024-09-01 07:30", ""], new object?[] { new DateTime(2024, 9, 1), new DateTime(2024, 9, 1, 7, 30, 0), null }.Select(XlsxRosterSource.CellText));
}

using CareBot.Storage.LiteDb;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Duty;
using CareBot.Core.Tests.Workbooks;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Roster;

/// <summary>
/// The import limits (<see cref="ImportLimits"/>): a file, a sheet or a row count over a limit is refused at once with one
/// <c>FILE: message</c> naming the limit, before the database is touched.
/// </summary>
public sealed class ImportLimitsTests
{
    private static readonly string[] Header = ZhHeader.Split(',');

    private static object?[] Child(string id, string name) =>
        [id, name, "男", "三年级1班", "王奶奶", "祖母", null, "王建国", 13900000001d, "广东深圳", null, null, null, "李丽", 13800000001d, null, null, null];

    /// <summary>A small real roster: a header and two children.</summary>
    private static List<(uint Row, object?[] Cells)> Roster() => [(1, Header), (2, Child("S001", "王小明")), (3, Child("S002", "王小红"))];

    private static ImportResult ImportBook(CareDb db, byte[] workbook, string language = "en") =>
        Importer(db).ImportWorkbook(new MemoryStream(workbook), "roster.xlsx", null, language, "test");

    /// <summary>Adds <c>&lt;dimension ref&gt;</c> to the first sheet, as Excel writes it (the SDK's builder leaves it out).</summary>
    private static byte[] WithDimension(byte[] workbook, string reference)
    {
        using var buffer = new MemoryStream();
        buffer.Write(workbook);
        using (var doc = SpreadsheetDocument.Open(buffer, isEditable: true))
        {
            var sheet = doc.WorkbookPart!.WorksheetParts.First().Worksheet;
            sheet.InsertAt(new SheetDimension { Reference = reference }, 0);
            sheet.Save();
        }

        return buffer.ToArray();
    }

    private static void RefusedAtOnce(CareDb db, ImportResult result, Stopwatch clock, string expected, double seconds = 1)
    {
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"took {clock.Elapsed}");
        Assert.True(result.Unreadable, string.Join("\n", result.FormatProblems()));
        Assert.Equal(expected, result.FormatProblems().Single());
        Assert.Equal((0, 0, 0, 0), Counts(db));
    }

    [Fact]
    public void A_workbook_with_one_stray_cell_at_XFD1048576_is_refused_in_well_under_a_second()
    {
        using var db = LiteCareDb.InMemory();
        var rows = Roster();
        var stray = new object?[16384];
        stray[^1] = "x"; // one cell typed by mistake in the sheet's last cell
        rows.Add((1048576, stray));
        var book = WithDimension(TestWorkbook.Build(new TestWorkbook.Sheet("名单", rows)), "A1:XFD1048576");
        using (var warm = LiteCareDb.InMemory())
        {
            ImportBook(warm, TestWorkbook.Build(new TestWorkbook.Sheet("名单", Roster()))); // the first MiniExcel call loads it
        }

        var clock = Stopwatch.StartNew();
        var result = ImportBook(db, book, language: "zh");
        clock.Stop();

        RefusedAtOnce(db, result, clock, "roster.xlsx: 工作表用到了第 XFD1048576 格，超过了导入上限（最多到 CV 列，共 100 列）；请删去多余的列（常是一个误填的单元格），或把名单复制到新工作表");
    }

    [Fact]
    public void The_stray_cell_is_found_where_the_sheet_claims_no_dimension()
    {
        using var db = LiteCareDb.InMemory();
        var rows = Roster();
        rows.Add((1048576, ["x"]));

        var clock = Stopwatch.StartNew();
        var result = ImportBook(db, TestWorkbook.Build(new TestWorkbook.Sheet("名单", rows)));
        clock.Stop();

        RefusedAtOnce(db, result, clock, "roster.xlsx: the sheet reaches cell A1048576, over the import limit of 51,000 rows; delete the extra rows (often one stray cell) or copy the roster to a new sheet");
    }

    [Fact]
    public void A_sheet_that_only_claims_a_huge_dimension_is_refused_naming_it()
    {
        using var db = LiteCareDb.InMemory();
        var book = WithDimension(TestWorkbook.Build(new TestWorkbook.Sheet("名单", Roster())), "A1:R1048576");

        var clock = Stopwatch.StartNew();
        var result = ImportBook(db, book);
        clock.Stop();

        RefusedAtOnce(db, result, clock, "roster.xlsx: the sheet reaches cell R1048576, over the import limit of 51,000 rows; delete the extra rows (often one stray cell) or copy the roster to a new sheet");
    }

    [Fact]
    public void A_merged_range_down_to_the_last_row_is_refused_since_merged_cells_are_filled_in()
    {
        using var db = LiteCareDb.InMemory();
        var book = TestWorkbook.Build(new TestWorkbook.Sheet("名单", Roster(), "D2:D1048576"));

        var result = ImportBook(db, book);

        Assert.Equal("roster.xlsx: the sheet reaches cell D1048576, over the import limit of 51,000 rows; delete the extra rows (often one stray cell) or copy the roster to a new sheet", result.FormatProblems().Single());
        Assert.Equal((0, 0, 0, 0), Counts(db));
    }

    [Fact]
    public void A_small_workbook_that_unpacks_to_millions_of_cells_is_refused_by_its_cell_count()
    {
        using var db = LiteCareDb.InMemory();
        // A zip bomb in miniature: 25,001 rows of 40 empty cells (1,000,040 cells) pack into a few hundred kilobytes.
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(zip, "[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>""");
            Entry(zip, "_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
            Entry(zip, "xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>""");
            Entry(zip, "xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>""");
            using var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Optimal).Open(), Encoding.UTF8);
            writer.Write("""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
            var row = string.Concat(Enumerable.Repeat("<c/>", 40));
            for (var r = 0; r < 25_001; r++)
            {
                writer.Write("<row>");
                writer.Write(row);
                writer.Write("</row>");
            }

            writer.Write("</sheetData></worksheet>");
        }

        Assert.True(buffer.Length < 1024 * 1024, $"{buffer.Length} bytes");
        var clock = Stopwatch.StartNew();
        var result = ImportBook(db, buffer.ToArray());
        clock.Stop();

        // Counting a million cells is one forward read of the XML: longer than the stray cell's first look, still quick.
        RefusedAtOnce(db, result, clock, "roster.xlsx: the sheet holds more than 1,000,000 cells, over the import limit; keep only the roster, or save it as CSV", seconds: 2);

        static void Entry(ZipArchive zip, string name, string text)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
            writer.Write(text);
        }
    }

    [Fact]
    public void A_roster_with_more_rows_than_the_limit_is_refused_with_one_problem_naming_it()
    {
        using var db = LiteCareDb.InMemory();
        var lines = new List<string> { ZhHeader };
        lines.AddRange(Enumerable.Range(1, ImportLimits.MaxRows + 1).Select(i => Row($"S{i}", "王小明", mentorPhone: $"138{i:00000000}")));

        var result = Importer(db).Import(Csv([.. lines]), language: "zh");

        Assert.Equal("roster.csv: 数据超过 50,000 行，超过了导入上限；请把名单分成几个文件导入", result.FormatProblems().Single());
        Assert.True(result.Unreadable);
        Assert.Equal((0, 0, 0, 0), Counts(db));
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_refused_before_it_is_read()
    {
        using var db = LiteCareDb.InMemory();
        var bytes = new byte[ImportLimits.MaxFileBytes + 1];

        var csv = Importer(db).Import(bytes);
        var book = Importer(db).ImportWorkbook(new MemoryStream(bytes), "roster.xlsx", null, "en", "test");

        Assert.Equal("roster.csv: the file is 32 MB, over the import limit of 32 MB; split the roster into several files", csv.FormatProblems().Single());
        Assert.Equal("roster.xlsx: the file is 32 MB, over the import limit of 32 MB; split the roster into several files", book.FormatProblems().Single());
        Assert.Equal((0, 0, 0, 0), Counts(db));
    }

    [Fact]
    public void The_duty_rota_import_reads_through_the_same_limits()
    {
        using var kit = new DutyKit();
        var lines = new List<string> { "星期,时段,教师电话" };
        lines.AddRange(Enumerable.Repeat("周一,中午,13800000001", ImportLimits.MaxRows + 1));

        var result = kit.Import(Csv([.. lines]));

        Assert.True(result.Unreadable);
        Assert.Equal("duty.csv: more than 50,000 data rows, over the import limit; split the roster into several files", result.FormatProblems().Single());
        Assert.Empty(kit.Chat.Db.Read(tx => tx.DutyTurns.FindAll().ToList()));
    }
}

using System.IO.Compression;
using CareBot.Worker.Hosting;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CareBot.Worker.Tests.Sheets;

/// <summary>
/// Every export writes people's text as text: a roster name written as a formula comes back as a quoted CSV field, a
/// workbook string cell (never <c>&lt;f&gt;</c>) and escaped HTML, through the real command line on a database file.
/// </summary>
public sealed class ExportSafetyTests : IDisposable
{
    private const string Formula = "=HYPERLINK(\"http://evil.example/\",\"<b>点我</b>\")";
    private const string PlusName = "+1+cmd|' /C calc'!A0";
    private const string AtName = "@SUM(1+1)";

    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Dictionary<string, string?> Settings => new()
    {
        ["Storage:DatabasePath"] = PathOf("c.db"),
        ["Telegram:BotToken"] = null,
        ["Telegram:BotUsername"] = "CareSchoolBot",
    };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => Cli.CliRun.RunAsync(Settings, args);

    private static string Quoted(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A roster whose mentor, father and child are named like formulas.</summary>
    private async Task ImportAsync()
    {
        var csv = string.Join("\r\n",
            "学号,姓名,父亲姓名,父亲电话,结对教师,教师电话,备注",
            $"S001,{Quoted(AtName)},{Quoted(PlusName)},13900000001,{Quoted(Formula)},13800000001,-1+2",
            "S002,王小红,王建国,13900000002,李丽,13800000002,") + "\r\n";
        await File.WriteAllTextAsync(PathOf("roster.csv"), csv);
        var (code, _, err) = await Run("import", PathOf("roster.csv"));
        Assert.True(code == ExitCodes.Ok, err);
    }

    /// <summary>Every cell of every sheet: no formula element anywhere, and the cells holding <paramref name="texts"/> are string cells.</summary>
    private static void NoFormulas(string path, params string[] texts)
    {
        using (var zip = ZipFile.OpenRead(path))
        {
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(entry.Open());
                var xml = reader.ReadToEnd();
                Assert.DoesNotContain("<x:f>", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<f>", xml, StringComparison.Ordinal);
            }
        }

        using var doc = SpreadsheetDocument.Open(path, isEditable: false);
        var shared = doc.WorkbookPart!.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        var cells = doc.WorkbookPart.WorksheetParts.SelectMany(p => p.Worksheet.Descendants<Cell>()).ToList();
        Assert.All(cells, c => Assert.Null(c.CellFormula));
        foreach (var text in texts)
        {
            var found = cells.Where(c => Text(c, shared) == text).ToList();
            Assert.True(found.Count > 0, $"{text} is not in {path}");
            Assert.All(found, c => Assert.True(
                c.DataType?.Value == CellValues.String || c.DataType?.Value == CellValues.SharedString || c.DataType?.Value == CellValues.InlineString,
                $"{c.CellReference}: {c.DataType?.Value}"));
        }
    }

    private static string? Text(Cell cell, List<string> shared) =>
        cell.DataType?.Value == CellValues.SharedString ? shared[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)]
        : cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText
        : cell.CellValue?.Text;

    [Fact]
    public async Task Invite_slips_csv_writes_names_that_look_like_formulas_as_quoted_text_and_phones_as_digits()
    {
        await ImportAsync();

        var (code, _, err) = await Run("invite", "--out", PathOf("invites.csv"));

        Assert.True(code == ExitCodes.Ok, err);
        var lines = (await File.ReadAllLinesAsync(PathOf("invites.csv"))).ToList();
        Assert.Contains(lines, l => l.Contains($",{Quoted("'" + Formula)},mentor,13800000001,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($",{Quoted("'" + PlusName)},parent,13900000001,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",王建国,parent,13900000002,", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Split(',').Any(f => f.TrimStart('"') is { Length: > 0 } t && "=+-@\t".Contains(t[0], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Report_csv_quotes_a_carer_named_like_a_formula()
    {
        await ImportAsync();

        var (code, output, err) = await Run("report", "--csv");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains($",{Quoted("'" + Formula)},1,", output, StringComparison.Ordinal);
        Assert.DoesNotContain($",{Quoted(Formula)},", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_and_summary_workbooks_hold_such_names_as_string_cells_never_formulas()
    {
        await ImportAsync();

        var (code, _, err) = await Run("report", "--xlsx", PathOf("report.xlsx"));
        Assert.True(code == ExitCodes.Ok, err);
        (code, _, err) = await Run("summary", "--from", "2026-01-01", "--to", "2026-12-31", "--out", PathOf("summary.xlsx"));
        Assert.True(code == ExitCodes.Ok, err);

        NoFormulas(PathOf("report.xlsx"), Formula);
        NoFormulas(PathOf("summary.xlsx"), Formula, AtName);
    }

    [Fact]
    public async Task The_summary_page_escapes_names_as_html()
    {
        await ImportAsync();

        var (code, _, err) = await Run("summary", "--from", "2026-01-01", "--to", "2026-12-31", "--out", PathOf("summary.html"));

        Assert.True(code == ExitCodes.Ok, err);
        var html = await File.ReadAllTextAsync(PathOf("summary.html"));
        Assert.Contains("=HYPERLINK(&quot;http://evil.example/&quot;,&quot;&lt;b&gt;点我&lt;/b&gt;&quot;)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>点我</b>", html, StringComparison.Ordinal);
    }
}

using CareBot.Core.Tests.Workbooks;
using CareBot.Worker.Hosting;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CareBot.Worker.Tests.Cli;

/// <summary><c>carebot import</c> on a database file: a workbook over a limit, a parent without a phone.</summary>
public sealed class ImportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        CliRun.RunAsync(new Dictionary<string, string?> { ["Storage:DatabasePath"] = PathOf("c.db"), ["Telegram:BotToken"] = null }, args);

    [Fact]
    public async Task A_workbook_with_a_stray_cell_at_XFD1048576_is_one_line_naming_the_limit_and_exit_2()
    {
        var header = new object?[] { "学号", "姓名", "父亲姓名", "父亲电话", "结对教师", "教师电话" };
        var stray = new object?[16384];
        stray[^1] = "x";
        var bytes = TestWorkbook.Build(new TestWorkbook.Sheet("名单", [(1, header), (2, ["S001", "王小明", "王建国", 13900000001d, "李丽", 13800000001d]), (1048576, stray)]));
        using (var buffer = new MemoryStream())
        {
            buffer.Write(bytes);
            using (var doc = SpreadsheetDocument.Open(buffer, isEditable: true))
            {
                var sheet = doc.WorkbookPart!.WorksheetParts.First().Worksheet;
                sheet.InsertAt(new SheetDimension { Reference = "A1:XFD1048576" }, 0);
                sheet.Save();
            }

            await File.WriteAllBytesAsync(PathOf("roster.xlsx"), buffer.ToArray());
        }

        var (code, output, err) = await Run("import", PathOf("roster.xlsx"), "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Equal(
            $"{PathOf("roster.xlsx")}: the sheet reaches cell XFD1048576, over the import limit of columns up to CV (100 columns); delete the extra columns (often one stray cell) or copy the roster to a new sheet",
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)).TrimEnd('\r'));
    }

    [Fact]
    public async Task A_mother_without_a_phone_is_one_warning_line_and_the_roster_is_imported()
    {
        await File.WriteAllTextAsync(PathOf("roster.csv"), "学号,姓名,父亲姓名,父亲电话,母亲姓名,母亲电话,结对教师,教师电话\r\nS001,王小明,王建国,13900000001,母亲124,,李丽,13800000001\r\n");

        var (code, output, err) = await Run("import", PathOf("roster.csv"));

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(
            $"{PathOf("roster.csv")}:2: 母亲电话: 母亲124 没有电话号码：已记在孩子的档案上，但收不到邀请和每周动态；有了电话请补上再导入",
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)).TrimEnd('\r'));
        Assert.Contains("已导入 1 名儿童", output, StringComparison.Ordinal);
    }
}

using CareBot.Storage.LiteDb;
using System.Text.RegularExpressions;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Workbooks;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Sheets;

/// <summary><c>carebot import FILE.xlsx</c>, <c>report --xlsx</c> and <c>summary</c> end to end, on a database file.</summary>
public sealed partial class SheetsCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-sheets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Dictionary<string, string?> Settings => new() { ["Storage:DatabasePath"] = DbPath, ["Telegram:BotToken"] = null };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => Cli.CliRun.RunAsync(Settings, args);

    private void Seed()
    {
        using var db = new LiteCareDb(DbPath);
        SummarySeed.Create(db);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    private static void Has(string text, string part) => Assert.True(text.Contains(part, StringComparison.Ordinal), $"\"{part}\" is not in the printed page:\n{text}");

    /// <summary>A headline figure: its number above its label (the PDF's text may or may not put a space between them).</summary>
    private static void HasFigure(string text, int value, string label) =>
        Assert.True(Space().Replace(text, "").Contains($"{value}{Space().Replace(label, "")}", StringComparison.Ordinal), $"\"{value} {label}\" is not in the printed page:\n{text}");

    /// <summary>The PDF's text with runs of white space made one space (pdftotext breaks lines where the page does).</summary>
    private static async Task<string> PrintedText(string html) => Space().Replace(await PdfTools.TextAsync(await PdfTools.PrintAsync(html)), " ");

    [Fact]
    public async Task The_summary_page_prints_on_A4_with_the_terms_figures_in_Chinese()
    {
        Seed();
        var html = PathOf("总结.html");

        var (code, output, err) = await Run("summary", "--from", "2026-03-02", "--to", "2026-04-26", "--out", html);

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains(html, output, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(html)); // children's names: the owner's only
        }

        var pdf = await PdfTools.PrintAsync(html);
        Assert.Matches(@"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", await PdfTools.InfoAsync(pdf));
        var text = Space().Replace(await PdfTools.TextAsync(pdf), " ");

        // What the database holds, counted here without the summary's code.
        using var db = new LiteCareDb(DbPath);
        var from = new DateOnly(2026, 3, 2);
        var to = new DateOnly(2026, 4, 26);
        var roster = db.Read(tx => tx.Children.FindAll().Where(c => c.CreatedUtc < new DateTime(2026, 4, 26, 16, 0, 0, DateTimeKind.Utc)).ToList());
        var inTerm = db.Read(tx => tx.Records.FindAll().Where(r => r.LocalDate >= from && r.LocalDate <= to && roster.Any(c => c.Id == r.ChildId)).ToList());
        var visited = inTerm.Where(r => r.Kind == CareKind.Visit).Select(r => r.ChildId).ToHashSet();
        var aid = db.Read(tx => tx.Aid.FindAll().ToList()).Where(a => a.Date >= from && a.Date <= to && roster.Any(c => c.Id == a.ChildId)).ToList();
        var activities = inTerm.Where(r => r.Kind == CareKind.Activity).GroupBy(r => r.GroupId).ToList();
        db.Dispose();

        Has(text, "留守儿童关爱工作总结");
        Has(text, "统计期间：2026-03-02 至 2026-04-26（8 周）");
        HasFigure(text, roster.Count, "名单上的儿童");
        HasFigure(text, inTerm.Count(r => r.Kind == CareKind.Visit), "家访（次）");
        HasFigure(text, inTerm.Count(r => r.Kind == CareKind.Diary), "成长日记（篇）");
        HasFigure(text, roster.Count(c => !visited.Contains(c.Id)), "没有家访的儿童");
        HasFigure(text, 2, "收到周报的家长");
        Has(text, "共 5 位家长，40%");
        foreach (var child in roster.Where(c => !visited.Contains(c.Id)))
        {
            Has(text, $"{child.Id} {child.Name}"); // the children without a visit are listed
        }

        Has(text, "合计 2 2.00 3.50 2.50 3.50 2.50 3.00 4.00 4.00 4.50 3.50"); // check-ins, start and end
        Has(text, "2026-W10 2026-03-02 1 1 0 1 0 2 2 1 1");

        // Phone talks, activities and aid (issue 15).
        HasFigure(text, inTerm.Count(r => r.Kind == CareKind.Call), "电话访问（次）");
        HasFigure(text, roster.Count(c => !inTerm.Any(r => r.ChildId == c.Id && r.Kind == CareKind.Call)), "没有电话访问的儿童");
        HasFigure(text, activities.Count, "集体活动（次）");
        HasFigure(text, activities.Sum(g => g.Count()), "参加人次");
        Has(text, "集体活动一览");
        foreach (var activity in activities)
        {
            Has(text, $"{activity.First().LocalDate:yyyy-MM-dd} {activity.First().Text}");
        }

        Has(text, "缺少某项记录的儿童");
        Has(text, "S03 张小刚 四年级2班 李老师 0 1 0 2 1 家访、电话访问");
        Has(text, "资助");
        HasFigure(text, aid.Count, "资助（笔）");
        HasFigure(text, aid.Select(a => a.ChildId).Distinct().Count(), "受资助的儿童");
        Has(text, $"{aid.Sum(a => a.Amount):0.00} 资助金额（元）");
        Has(text, "助学金 2 2 800.50");
        Has(text, "合计 3 2 1000.50");
        Has(text, "S01 王小明 三年级1班 2 700.50 学习用品、助学金");
        Has(text, "家长会"); // the start-of-term parents' meeting, its answers and who came
        HasFigure(text, 1, "家长会（次）");
        Has(text, "各次家长会");
        Has(text, "2026-03-07 开学家长会 全校 4 4 1 1 1 1 1 2");
        Has(text, "每周家访次数"); // chart titles and their axis labels
        Has(text, "各项平均分（每周，1–5 分）");
        Has(text, "学习 生活 心理 安全 健康");
        Has(text, "3/2");
        Assert.DoesNotContain("新同学", text, StringComparison.Ordinal); // joined after the term
    }

    [Fact]
    public async Task The_summary_page_is_in_English_with_lang_en()
    {
        Seed();
        var html = PathOf("summary.html");

        var (code, _, err) = await Run("summary", "--from", "2026-03-02", "--to", "2026-04-26", "--out", html, "--lang", "en");

        Assert.True(code == ExitCodes.Ok, err);
        var text = await PrintedText(html);
        Has(text, "Left-behind children care: term summary");
        HasFigure(text, 4, "Children on the roster");
        Has(text, "Home visits per week");
        Has(text, "Study Daily life Mood Safety Health");
        HasFigure(text, 2, "Phone talks");
        Has(text, "Children in group activities by class");
        Has(text, "2026-04-08 运动会 刘校长 3");
        Has(text, "Aid given");
        Has(text, "Total 3 2 1000.50");
        Has(text, "Each parents' meeting");
        Has(text, "2026-03-07 开学家长 whole 4 4 1 1 1 1 1 2"); // the title wraps in its narrow column
        Assert.DoesNotContain("名单上的儿童", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_summary_workbook_holds_the_figures_the_database_has()
    {
        Seed();
        var file = PathOf("summary.xlsx");

        var (code, _, err) = await Run("summary", "--from", "2026-03-02", "--to", "2026-04-26", "--out", file);

        Assert.True(code == ExitCodes.Ok, err);
        var book = WorkbookReader.Read(file);
        Assert.Equal("概况", book[0].Name);
        using var db = new LiteCareDb(DbPath);
        var updates = db.Read(tx => tx.Outbox.FindAll().Where(o => o.Kind == OutboxKind.WeeklyUpdate && string.CompareOrdinal(o.Week, "2026-W10") >= 0 && string.CompareOrdinal(o.Week, "2026-W17") <= 0).ToList());
        var overview = book.Sheet("概况");
        Assert.Contains(overview, r => "周报已发送（条）".Equals(r.At(0)) && ((double)updates.Count(u => u.Status == OutboxStatus.Sent)).Equals(r.At(1)));
        Assert.Contains(overview, r => "无法送达（条）".Equals(r.At(0)) && ((double)updates.Count(u => u.Status == OutboxStatus.Unreachable)).Equals(r.At(1)));
        var byClass = book.Sheet("各班家长周报");
        Assert.Equal(["班级", "家长", "收到周报的家长", "周报已发送", "发送失败", "无法送达"], byClass[0]);
        Assert.Equal(["三年级1班", 3d, 2d, 3d, 1d, 0d], byClass[1]);
        Assert.Equal(["合计", 5d, 2d, 3d, 1d, 2d], byClass[^1]);

        var aid = db.Read(tx => tx.Aid.FindAll().ToList()).Where(a => a.Date >= new DateOnly(2026, 3, 2) && a.Date <= new DateOnly(2026, 4, 26) && a.ChildId != "S05").ToList();
        Assert.Contains(overview, r => "资助金额（元）".Equals(r.At(0)) && ((double)aid.Sum(a => a.Amount)).Equals(r.At(1)));
        Assert.Equal(["合计", (double)aid.Count, 2d, (double)aid.Sum(a => a.Amount)], book.Sheet("按资助类别")[^1]);
        var calls = db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Call).ToList()).Count(r => r.LocalDate >= new DateOnly(2026, 3, 2) && r.LocalDate <= new DateOnly(2026, 4, 26));
        Assert.Contains(overview, r => "电话访问（次）".Equals(r.At(0)) && ((double)calls).Equals(r.At(1)));
    }

    [Fact]
    public async Task An_existing_output_file_is_refused_with_exit_2_and_left_as_it_was()
    {
        Seed();
        var file = PathOf("summary.xlsx");
        await File.WriteAllTextAsync(file, "keep me");

        var (code, _, err) = await Run("summary", "--from", "2026-03-02", "--to", "2026-04-26", "--out", file);
        var report = await Run("report", "--xlsx", file, "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"carebot: {file}：文件已存在；请换一个新文件名（未写入任何内容）。", err.Trim());
        Assert.Equal(ExitCodes.BadInput, report.Code);
        Assert.Equal($"carebot: {file}: already exists; choose a new file name (nothing was written).", report.Err.Trim());
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("2026-13-01", "2026-04-26", "summary.xlsx", "--from 2026-13-01")]
    [InlineData("2026-03-02", "26.4.2026", "summary.xlsx", "--to 26.4.2026")]
    [InlineData("2026-04-26", "2026-03-02", "summary.xlsx", "--to 2026-03-02 is before --from 2026-04-26")]
    [InlineData("2025-03-02", "2026-04-26", "summary.xlsx", "at most 366 days")]
    [InlineData("2026-03-02", "2026-04-26", "summary.pdf", "must end in .xlsx")]
    public async Task Bad_summary_input_is_one_line_exit_2_and_no_file(string from, string to, string name, string message)
    {
        Seed();
        var (code, _, err) = await Run("summary", "--from", from, "--to", to, "--out", PathOf(name), "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf(name)));
    }

    [Fact]
    public async Task Report_xlsx_is_the_report_as_a_workbook()
    {
        Seed();
        var file = PathOf("report.xlsx");

        var (code, output, err) = await Run("report", "--xlsx", file);
        var csv = await Run("report", "--csv");
        var both = await Run("report", "--csv", "--xlsx", PathOf("other.xlsx"));

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains(file, output, StringComparison.Ordinal);
        var sheets = WorkbookReader.Read(file);
        Assert.Equal(3, sheets.Count); // the report, then who is linked by role and by class
        var (name, rows) = sheets[0];
        Assert.StartsWith("报告 ", name, StringComparison.Ordinal);
        Assert.Equal(["教师/代理家长", "周", "孩子", "即将到期", "已逾期", "最多逾期天数", "已发送", "待发送", "失败", "无法送达", "未生成"], rows[0].Select(c => c?.ToString()));
        // The same figures as the CSV report, row by row: carers, the unpaired children, the total.
        var blocks = csv.Out.ReplaceLineEndings("\n").Split("\n\n");
        var lines = blocks[0].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(lines.Count, rows.Count - 1);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.Equal(lines[i][6], rows[i + 1][1]); // the week
            Assert.Equal(lines[i][2..6].Concat(lines[i][7..]).Select(double.Parse), rows[i + 1][2..].Cast<double>());
        }

        Assert.Equal("合计", rows[^1][0]);

        // Who is linked: the same figures as the CSV's second table, role rows then class rows.
        var links = blocks[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(("绑定情况（按角色）", "家长绑定情况（按班级）"), (sheets[1].Name, sheets[2].Name));
        var byRole = links.Where(l => l[0] == "role").ToList();
        var byClass = links.Where(l => l[0] == "class").ToList();
        Assert.Equal(byRole.Select(l => l[2..6].Select(double.Parse)), sheets[1].Rows.Skip(1).Select(r => r[1..].Cast<double>()));
        Assert.Equal(byClass.Select(l => l[1]), sheets[2].Rows.Skip(1).Select(r => r[0]));
        Assert.Equal(byClass.Select(l => new[] { l[6], l[2], l[3], l[4], l[5], l[7] }.Select(double.Parse)), sheets[2].Rows.Skip(1).Select(r => r[1..].Cast<double>()));
        Assert.Equal(ExitCodes.BadInput, both.Code);
        Assert.False(File.Exists(PathOf("other.xlsx")));
    }

    private static object?[] RosterRow(object id, string name, object fatherPhone) =>
        [id, name, "男", "三年级1班", "王奶奶", "祖母", null, "王建国", fatherPhone, "广东深圳", null, null, null, "李丽", 13800000001d, null, null, null];

    private static readonly string[] Header = "学号,姓名,性别,班级,监护人,监护人关系,监护人电话,父亲姓名,父亲电话,父亲务工地,母亲姓名,母亲电话,母亲务工地,结对教师,教师电话,代理家长,代理家长电话,备注".Split(',');

    [Fact]
    public async Task Import_reads_the_named_sheet_of_a_workbook_with_phones_stored_as_numbers()
    {
        var file = PathOf("名单.xlsx");
        await File.WriteAllBytesAsync(file, TestWorkbook.Build(
            new TestWorkbook.Sheet("说明", [(1, ["请填写第二个工作表"])]),
            new TestWorkbook.Sheet("名单", [(1, Header), (2, RosterRow(20240001d, "王小明", 13900000001d)), (3, RosterRow(20240002d, "王小红", 13900000001d))])));

        var (code, output, err) = await Run("import", file, "--sheet", "名单");

        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("已导入 2 名儿童", output, StringComparison.Ordinal);
        using var db = new LiteCareDb(DbPath);
        Assert.Equal(["20240001", "20240002"], db.Read(tx => tx.Children.FindAll().Select(c => c.StudentNo).Order(StringComparer.Ordinal)));
        Assert.Equal("王建国", db.Read(tx => tx.People.FindOne(p => p.Phone == "13900000001").Name));
    }

    [Fact]
    public async Task Import_problems_in_a_workbook_name_the_sheet_and_row_and_write_nothing()
    {
        var file = PathOf("roster.xlsx");
        await File.WriteAllBytesAsync(file, TestWorkbook.Build(
            new TestWorkbook.Sheet("名单", [(1, Header), (2, RosterRow(1d, "王小明", 13900000001d)), (4, RosterRow(2d, "王小红", 1390000d))])));

        await File.WriteAllTextAsync(PathOf("roster.csv"), string.Join(',', Header) + "\n");
        var missing = await Run("import", file, "--sheet", "三年级");
        var bad = await Run("import", file, "--lang", "en");
        var csvWithSheet = await Run("import", PathOf("roster.csv"), "--sheet", "名单");

        Assert.Equal(ExitCodes.BadInput, missing.Code);
        Assert.Equal($"{file}: 工作簿中没有名为“三年级”的工作表；现有工作表：名单", missing.Err.Trim());
        Assert.Equal(ExitCodes.BadInput, bad.Code);
        Assert.StartsWith($"{file}:名单!4: 父亲电话: not a mainland China mobile number", bad.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, csvWithSheet.Code);
        Assert.Contains("--sheet", csvWithSheet.Err, StringComparison.Ordinal);
        using var db = new LiteCareDb(DbPath);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
        Assert.Equal(0, db.Read(tx => tx.People.Count()));
    }
}

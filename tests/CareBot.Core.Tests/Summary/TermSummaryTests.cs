using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Summary;
using CareBot.Core.Tests.Workbooks;
using CareBot.Core.Text;
using CareBot.Core.Time;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CareBot.Core.Tests.Summary;

public sealed class TermSummaryTests(ITestOutputHelper output) : IDisposable
{
    private readonly CareDb _db = CareDb.InMemory();
    private readonly CareClock _clock = new(new FakeTimeProvider(SummarySeed.Now), "Asia/Shanghai");

    public void Dispose() => _db.Dispose();

    private TermSummary Build(string language = "zh", int keepDays = 90) =>
        new TermSummaryBuilder(_db, _clock).Build(SummarySeed.From, SummarySeed.To, language, keepDays);

    private static SummaryTable Table(TermSummary summary, string key) => summary.Sections.SelectMany(s => s.Tables).Single(t => t.Key == key);

    private static int Figure(TermSummary summary, string label) => summary.Sections.SelectMany(s => s.Figures).Single(f => f.Label == label).Value;

    /// <summary>Counts straight from the database, the way a person would check them: records of a kind in the term.</summary>
    private Dictionary<string, int> Counted(CareKind kind) => _db.Read(tx => tx.Records.FindAll().ToList())
        .Where(r => r.Kind == kind && r.LocalDate >= SummarySeed.From && r.LocalDate <= SummarySeed.To)
        .GroupBy(r => r.ChildId)
        .ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Headline_figures_count_the_roster_at_the_end_of_the_term_and_the_terms_records()
    {
        SummarySeed.Create(_db);

        var summary = Build();

        Assert.Equal(4, Figure(summary, "名单上的儿童")); // S05 joined after the term
        Assert.Equal(3, Figure(summary, "已结对的儿童"));
        Assert.Equal(3, Figure(summary, "结对教师和代理家长"));
        Assert.Equal(Counted(CareKind.Visit).Where(c => c.Key != "S05").Sum(c => c.Value), Figure(summary, "家访（次）"));
        Assert.Equal((4, 2, 3, 5), (Figure(summary, "家访（次）"), Figure(summary, "谈心（次）"), Figure(summary, "成长日记（篇）"), Figure(summary, "情况登记（次）")));
        Assert.Equal((2, 2, 2, 1), (Figure(summary, "没有家访的儿童"), Figure(summary, "没有谈心的儿童"), Figure(summary, "没有成长日记的儿童"), Figure(summary, "三项都没有的儿童")));
        Assert.Equal((3, 1, 2), (Figure(summary, "周报已发送（条）"), Figure(summary, "发送失败（条）"), Figure(summary, "无法送达（条）")));
        var reached = summary.Sections.SelectMany(s => s.Figures).Single(f => f.Label == "收到周报的家长");
        Assert.Equal((2, "共 5 位家长，40%"), (reached.Value, reached.Detail));
    }

    [Fact]
    public void Per_child_records_match_the_database_and_the_children_with_none_are_listed()
    {
        SummarySeed.Create(_db);
        var visits = Counted(CareKind.Visit);
        var talks = Counted(CareKind.Talk);
        var diary = Counted(CareKind.Diary);
        var checks = Counted(CareKind.Check);

        var summary = Build();

        var perChild = Table(summary, "records.per_child");
        Assert.Equal(["S01", "S02", "S03", "S04"], perChild.Rows.Select(r => (string)r[0]!));
        foreach (var row in perChild.Rows)
        {
            var id = (string)row[0]!;
            Assert.Equal(
                (visits.GetValueOrDefault(id), talks.GetValueOrDefault(id), diary.GetValueOrDefault(id), checks.GetValueOrDefault(id)),
                ((int)row[4]!, (int)row[5]!, (int)row[6]!, (int)row[7]!));
        }

        Assert.Equal("王老师、赵阿姨", perChild.Rows[0][3]);
        Assert.Equal(new DateOnly(2026, 4, 10), perChild.Rows[0][8]);
        Assert.Null(perChild.Rows[3][8]);
        var without = Table(summary, "records.without");
        Assert.Equal(
            ["S02 谈心、成长日记", "S03 家访", "S04 家访、谈心、成长日记"],
            without.Rows.Select(r => $"{r[0]} {r[7]}"));
        Assert.Equal("（未填班级）", without.Rows[2][2]);
    }

    [Fact]
    public void Check_ins_average_each_childs_first_and_last_of_the_term_by_class()
    {
        SummarySeed.Create(_db);

        var table = Table(Build(), "checks.by_class");

        Assert.Equal(["三年级1班", "四年级2班", "（未填班级）"], table.Rows.Select(r => (string)r[0]!));
        Assert.Equal(new object?[] { "三年级1班", 1, 3.0, 4.0, 3.0, 4.0, 2.0, 3.0, 4.0, 5.0, 4.0, 4.0 }, table.Rows[0]);
        Assert.Equal(new object?[] { "（未填班级）", 0, null, null, null, null, null, null, null, null, null, null }, table.Rows[2]);
        Assert.Equal(new object?[] { "合计", 2, 2.0, 3.5, 2.5, 3.5, 2.5, 3.0, 4.0, 4.0, 4.5, 3.5 }, table.Total);
    }

    [Fact]
    public void Weeks_of_the_term_carry_their_records_and_deliveries()
    {
        SummarySeed.Create(_db);

        var summary = Build();

        var weeks = Table(summary, "weekly.by_week");
        Assert.Equal(8, weeks.Rows.Count);
        Assert.Equal(new object?[] { "2026-W10", new DateOnly(2026, 3, 2), 1, 1, 1, 2, 2, 1, 1 }, weeks.Rows[0]);
        Assert.Equal(new object?[] { "2026-W17", new DateOnly(2026, 4, 20), 0, 0, 0, 2, 0, 0, 1 }, weeks.Rows[7]);
        Assert.Equal(new object?[] { "合计", null, 4, 2, 3, 5, 3, 1, 2 }, weeks.Total);
        var chart = summary.Sections.SelectMany(s => s.Charts).Single(c => c.Key == "weekly.visits");
        Assert.Equal([1d, 1, 1, 0, 0, 1, 0, 0], chart.Series.Single().Values.Select(v => v!.Value));
        Assert.Equal("3/2", chart.Categories[0]);
        var trend = summary.Sections.SelectMany(s => s.Charts).Single(c => c.Key == "checks.trend");
        Assert.Equal(5, trend.Series.Count);
        Assert.Equal([2.0, 2.0, null, null, null, null, null, 3.5], trend.Series[0].Values); // study: W10 (3 and 1), W11 (2), W17 (4 and 3)
    }

    [Fact]
    public void Pairing_counts_children_per_carer_and_what_each_recorded()
    {
        SummarySeed.Create(_db);

        var summary = Build("en");

        var carers = Table(summary, "pairing.per_carer");
        Assert.Equal(
            [
                new object?[] { "李老师", "Mentor", 1, 0, 1, 2, 2 },
                new object?[] { "王老师", "Mentor", 2, 3, 1, 0, 3 },
                new object?[] { "赵阿姨", "Volunteer", 1, 1, 0, 1, 0 },
            ],
            carers.Rows);
        var byClass = Table(summary, "pairing.by_class");
        Assert.Equal(new object?[] { "(no class)", 1, 0, 1, 0 }, byClass.Rows[0]);
        Assert.Equal(new object?[] { "Total", 4, 3, 1, 3 }, byClass.Total);
        Assert.Equal(new object?[] { "1 children", 2 }, Table(summary, "pairing.load").Rows[0]);
    }

    [Fact]
    public void Updates_older_than_the_outbox_keeps_are_said_to_be_missing()
    {
        SummarySeed.Create(_db);

        var kept = Build("en", keepDays: 90).Sections.Single(s => s.Key == "updates").Note!;
        var pruned = Build("en", keepDays: 30).Sections.Single(s => s.Key == "updates").Note!;

        Assert.DoesNotContain("deleted", kept, StringComparison.Ordinal);
        Assert.Contains("weekly updates before 2026-04-06 have been deleted", pruned, StringComparison.Ordinal);
    }

    [Fact]
    public void The_workbook_has_an_overview_and_one_sheet_per_table_with_numbers_and_dates_as_such()
    {
        SummarySeed.Create(_db);
        var summary = Build();
        var visits = Counted(CareKind.Visit);
        using var file = new MemoryStream();

        SummaryWorkbook.Write(summary, file);

        file.Position = 0;
        var book = WorkbookReader.Read(file);
        Assert.Equal(["概况", .. summary.Sections.SelectMany(s => s.Tables).Select(t => t.Title)], book.Select(s => s.Name));
        var overview = book.Sheet("概况");
        Assert.Equal(["项目", "数值", "说明"], overview[0]);
        Assert.Equal("留守儿童关爱工作总结", overview[1][0]);
        Assert.Contains(overview, r => "名单上的儿童".Equals(r.At(0)) && 4d.Equals(r.At(1)));
        Assert.Contains(overview, r => "收到周报的家长".Equals(r.At(0)) && 2d.Equals(r.At(1)) && "共 5 位家长，40%".Equals(r.At(2)));

        var perChild = book.Sheet("每名儿童的记录");
        Assert.Equal(["学号", "儿童姓名", "班级", "结对教师/代理家长姓名", "家访", "谈心", "成长日记", "情况登记", "最近家访"], perChild[0]);
        Assert.Equal(_db.Read(tx => tx.Children.Count()) - 1, perChild.Count - 1);
        foreach (var row in perChild.Skip(1))
        {
            Assert.Equal((double)visits.GetValueOrDefault((string)row[0]!), row[4]);
        }

        Assert.Equal(new DateOnly(2026, 4, 10), WorkbookReader.Date(perChild[1][8]));
        var checks = book.Sheet("期初与期末平均分（按班级）");
        Assert.Equal(new object?[] { "合计", 2d, 2d, 3.5, 2.5, 3.5, 2.5, 3d, 4d, 4d, 4.5, 3.5 }, checks[^1]);
        var weeks = book.Sheet("每周记录与周报");
        Assert.Equal(new DateOnly(2026, 3, 2), WorkbookReader.Date(weeks[1][1]));
        Assert.Equal(["合计", null, 4d, 2d, 3d, 5d, 3d, 1d, 2d], weeks[^1]);
    }

    [Fact]
    public void The_page_is_self_contained_printable_and_escapes_names()
    {
        SummarySeed.Create(_db);
        var child = _db.Read(tx => tx.Children.FindById("S04"));
        child.Name = "<b>陈小丽</b>";
        _db.Read(tx => tx.Children.Update(child));
        var writer = new StringWriter();

        SummaryPage.Write(Build(), writer);

        var html = writer.ToString();
        Assert.Contains("@page { size: A4", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<svg ").Length - 1);
        Assert.Contains("&lt;b&gt;陈小丽&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=", html);
        Assert.Contains("共 4 行，只在工作簿中列出", html, StringComparison.Ordinal); // the per-child table
        Assert.DoesNotContain("日记内容", html, StringComparison.Ordinal); // never the records' text
    }

    [Fact]
    public void Every_summary_text_exists_in_both_languages()
    {
        var zh = Texts.ForLanguage(Texts.Chinese).Keys.Where(k => k.StartsWith("sum.", StringComparison.Ordinal) || k.StartsWith("cli.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var en = Texts.ForLanguage(Texts.English).Keys.Where(k => k.StartsWith("sum.", StringComparison.Ordinal) || k.StartsWith("cli.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(zh);
        Assert.Equal(zh, en);
    }

    [Fact]
    public void A_county_of_twenty_thousand_children_is_summarised_in_one_pass()
    {
        const int children = 20_000;
        var from = new DateOnly(2026, 3, 2);
        var people = new List<Person>();
        for (var i = 0; i < (children / 3) + children; i++)
        {
            people.Add(new Person { Name = $"人{i}", Phone = $"13{i:D9}", Roles = i < children / 3 ? Roles.Mentor : Roles.Parent });
        }

        _db.Read(tx => tx.People.InsertBulk(people));
        var kids = new List<Child>();
        var pairings = new List<Pairing>();
        var records = new List<CareRecord>();
        var updates = new List<OutboxMessage>();
        for (var i = 0; i < children; i++)
        {
            var id = $"C{i:D5}";
            var parent = people[(children / 3) + i].Id;
            kids.Add(new Child { Id = id, Name = $"孩子{i}", Class = $"{(i % 6) + 1}年级{(i / 6 % 40) + 1}班", Parents = [new ParentLink { PersonId = parent, Relation = ParentRelation.Father }] });
            pairings.Add(new Pairing { CarerId = people[i / 3].Id, ChildId = id, Role = PairingRole.Mentor });
            for (var k = 0; k < 6; k++)
            {
                var date = from.AddDays(((i + (k * 13)) % 110) + 1);
                var kind = (CareKind)((k % 4) + 1);
                records.Add(new CareRecord
                {
                    ChildId = id, AuthorId = people[i / 3].Id, Kind = kind, LocalDate = date, AtUtc = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                    Ratings = kind == CareKind.Check ? new Ratings { Study = 3, Life = 4, Mood = 3, Safety = 5, Health = 4 } : null,
                });
            }

            updates.Add(new OutboxMessage { Key = $"weekly:{parent}:{id}:2026-W12", PersonId = parent, ChildId = id, Kind = OutboxKind.WeeklyUpdate, Week = "2026-W12", Status = i % 10 == 0 ? OutboxStatus.Failed : OutboxStatus.Sent });
        }

        _db.Read(tx => tx.Children.InsertBulk(kids));
        _db.Read(tx => tx.Pairings.InsertBulk(pairings));
        _db.Read(tx => tx.Records.InsertBulk(records));
        _db.Read(tx => tx.Outbox.InsertBulk(updates));

        var watch = Stopwatch.StartNew();
        var summary = new TermSummaryBuilder(_db, _clock).Build(from, from.AddDays(118), "zh", 3650);
        var built = watch.Elapsed;
        using var file = new MemoryStream();
        SummaryWorkbook.Write(summary, file);
        using var page = new StringWriter();
        SummaryPage.Write(summary, page);
        output.WriteLine($"20,000 children, {records.Count:N0} records: summary {built.TotalSeconds:F1} s, then workbook and page {(watch.Elapsed - built).TotalSeconds:F1} s; page {page.ToString().Length / 1024} KB");

        Assert.Equal(children, Table(summary, "records.per_child").Rows.Count);
        Assert.Equal(records.Count(r => r.Kind == CareKind.Visit), Figure(summary, "家访（次）"));
        Assert.Equal(children / 10, Figure(summary, "发送失败（条）"));
        Assert.True(built < TimeSpan.FromSeconds(30), $"took {built}");
        Assert.True(page.ToString().Length < 400_000, "the page lists no county-sized table");
    }
}

using CareBot.Storage.LiteDb;
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
    private readonly CareDb _db = LiteCareDb.InMemory();
    private readonly CareClock _clock = new(new FakeTimeProvider(SummarySeed.Now), "Asia/Shanghai");

    public void Dispose() => _db.Dispose();

    private TermSummary Build(string language = "zh", int keepDays = 90) =>
        new TermSummaryBuilder(_db, _clock).Build(SummarySeed.From, SummarySeed.To, language, keepDays);

    private static SummaryTable Table(TermSummary summary, string key) => summary.Sections.SelectMany(s => s.Tables).Single(t => t.Key == key);

    private static int Figure(TermSummary summary, string label) => (int)Amount(summary, label);

    private static decimal Amount(TermSummary summary, string label) => summary.Sections.SelectMany(s => s.Figures).Single(f => f.Label == label).Value;

    /// <summary>The cells of the column headed <paramref name="header"/>.</summary>
    private static List<object?> Column(SummaryTable table, string header)
    {
        var i = table.Columns.Select(c => c.Header).ToList().IndexOf(header);
        Assert.True(i >= 0, $"no column {header} in {table.Key}");
        return table.Rows.Select(r => r[i]).ToList();
    }

    /// <summary>Counts straight from the database, the way a person would check them: records of a kind in the term.</summary>
    private Dictionary<string, int> Counted(CareKind kind) => _db.Read(tx => tx.Records.FindAll().ToList())
        .Where(r => r.Kind == kind && r.LocalDate >= SummarySeed.From && r.LocalDate <= SummarySeed.To)
        .GroupBy(r => r.ChildId)
        .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Column headers of the counted kinds, in the tables' order, with the kind each counts.</summary>
    private static readonly (string Header, CareKind Kind)[] KindHeaders =
        [("家访", CareKind.Visit), ("谈心", CareKind.Talk), ("电话访问", CareKind.Call), ("成长日记", CareKind.Diary), ("集体活动", CareKind.Activity), ("情况登记", CareKind.Check)];

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
        Assert.Equal((2, 2), (Figure(summary, "电话访问（次）"), Figure(summary, "集体活动（次）"))); // an activity counts once, not once per child
        Assert.Equal((2, 2, 2, 2, 0, 0), (Figure(summary, "没有家访的儿童"), Figure(summary, "没有谈心的儿童"), Figure(summary, "没有电话访问的儿童"), Figure(summary, "没有成长日记的儿童"), Figure(summary, "没有参加集体活动的儿童"), Figure(summary, "各项记录都没有的儿童")));
        Assert.Equal((3, 1, 2), (Figure(summary, "周报已发送（条）"), Figure(summary, "发送失败（条）"), Figure(summary, "无法送达（条）")));
        var reached = summary.Sections.SelectMany(s => s.Figures).Single(f => f.Label == "收到周报的家长");
        Assert.Equal((2, "共 5 位家长，40%"), (reached.Value, reached.Detail));
    }

    [Fact]
    public void Per_child_records_match_the_database_and_the_children_with_none_are_listed()
    {
        SummarySeed.Create(_db);

        var summary = Build();

        var perChild = Table(summary, "records.per_child");
        Assert.Equal(["学号", "儿童姓名", "班级", "结对教师/代理家长姓名", .. KindHeaders.Select(k => k.Header), "最近家访"], perChild.Columns.Select(c => c.Header));
        Assert.Equal(["S01", "S02", "S03", "S04"], perChild.Rows.Select(r => (string)r[0]!));
        foreach (var (header, kind) in KindHeaders)
        {
            var counted = Counted(kind);
            Assert.Equal(perChild.Rows.Select(r => counted.GetValueOrDefault((string)r[0]!)), Column(perChild, header).Cast<int>());
        }

        Assert.Equal([2, 1, 1, 1], Column(perChild, "集体活动")); // S01 took part in both activities
        Assert.Equal([1, 1, 0, 0], Column(perChild, "电话访问")); // S03's call was before the term
        Assert.Equal("王老师、赵阿姨", perChild.Rows[0][3]);
        Assert.Equal([new DateOnly(2026, 4, 10), new DateOnly(2026, 3, 10), null, null], Column(perChild, "最近家访"));
        var without = Table(summary, "records.without");
        Assert.Equal(["学号", "儿童姓名", "班级", "结对教师/代理家长姓名", "家访", "谈心", "电话访问", "成长日记", "集体活动", "缺少"], without.Columns.Select(c => c.Header));
        Assert.Equal(
            ["S02 谈心、成长日记", "S03 家访、电话访问", "S04 家访、谈心、电话访问、成长日记"],
            without.Rows.Select(r => $"{r[0]} {r[9]}"));
        Assert.Equal("（未填班级）", without.Rows[2][2]);
    }

    [Fact]
    public void Activities_count_each_activity_once_and_each_child_who_took_part()
    {
        SummarySeed.Create(_db);
        var inTerm = _db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Activity).ToList())
            .Where(r => r.LocalDate >= SummarySeed.From && r.LocalDate <= SummarySeed.To && r.ChildId != "S05")
            .ToList();

        var summary = Build();

        Assert.Equal(inTerm.Select(r => r.GroupId).Distinct().Count(), Figure(summary, "集体活动（次）"));
        Assert.Equal((2, 5, 4), (Figure(summary, "集体活动（次）"), Figure(summary, "参加人次"), Figure(summary, "参加过活动的儿童")));
        Assert.Equal("100%", summary.Sections.Single(s => s.Key == "activities").Figures[1].Detail);
        var list = Table(summary, "activities.list");
        Assert.Equal(
            [
                new object?[] { new DateOnly(2026, 3, 18), "植树活动", "王老师", 2 },
                new object?[] { new DateOnly(2026, 4, 8), "运动会", "刘校长", 3 },
            ],
            list.Rows);
        var byClass = Table(summary, "activities.by_class");
        Assert.Equal(
            [
                new object?[] { "三年级1班", 2, 2, 3 },
                new object?[] { "四年级2班", 1, 1, 1 },
                new object?[] { "（未填班级）", 1, 1, 1 },
            ],
            byClass.Rows);
        Assert.Equal(new object?[] { "合计", 4, 4, 5 }, byClass.Total);
    }

    [Fact]
    public void Aid_of_the_term_is_counted_by_kind_and_per_child_in_yuan()
    {
        SummarySeed.Create(_db);
        var aid = _db.Read(tx => tx.Aid.FindAll().ToList()).Where(a => a.Date >= SummarySeed.From && a.Date <= SummarySeed.To && a.ChildId != "S05").ToList();

        var summary = Build("en");

        Assert.Equal(aid.Count, Figure(summary, "Aid entries"));
        Assert.Equal(aid.Sum(a => a.Amount), Amount(summary, "Aid in yuan"));
        Assert.Equal((3, 2, 1000.50m), (Figure(summary, "Aid entries"), Figure(summary, "Children aided"), Amount(summary, "Aid in yuan")));
        Assert.Equal("500.25 yuan per child aided", summary.Sections.Single(s => s.Key == "aid").Figures[2].Detail);
        var byKind = Table(summary, "aid.by_kind");
        Assert.Equal(
            [
                new object?[] { "助学金", 2, 2, 800.50m },
                new object?[] { "学习用品", 1, 1, 200m },
            ],
            byKind.Rows);
        Assert.Equal(new object?[] { "Total", 3, 2, 1000.50m }, byKind.Total);
        Assert.Equal(
            [
                new object?[] { "S01", "王小明", "三年级1班", 2, 700.50m, "学习用品, 助学金" },
                new object?[] { "S03", "张小刚", "四年级2班", 1, 300m, "助学金" },
            ],
            Table(summary, "aid.per_child").Rows);
    }

    [Fact]
    public void Parents_meetings_of_the_term_count_invitations_answers_and_the_families_who_came()
    {
        SummarySeed.Create(_db);

        var summary = Build();

        Assert.Equal(1, Figure(summary, "家长会（次）")); // the winter meeting lies before the term
        Assert.Equal((4, 1, 1, 1), (Figure(summary, "收到邀请的家长（人次）"), Figure(summary, "回复参加"), Figure(summary, "请老师打电话"), Figure(summary, "今年不回家")));
        Assert.Equal((2, 2), (Figure(summary, "家长到会的孩子（人次）"), Figure(summary, "家长至少到会一次的儿童")));
        Assert.Equal("50%", summary.Sections.Single(s => s.Key == "meetings").Figures[5].Detail);
        var list = Table(summary, "meetings.list");
        var row = Assert.Single(list.Rows);
        Assert.Equal(new object?[] { new DateOnly(2026, 3, 7), "开学家长会", "全校", 4, 4, 1, 1, 1, 1, 1, 2 }, row);
        Assert.Equal(new object?[] { null, "合计", "", 4, 4, 1, 1, 1, 1, 1, 2 }, list.Total);
    }

    [Fact]
    public void A_summary_of_one_school_leaves_out_another_schools_meetings()
    {
        SummarySeed.Create(_db);
        _db.Write(tx => tx.Meetings.Insert(new Meeting { SchoolId = "other", Date = new DateOnly(2026, 3, 9), Title = "别校家长会", Time = "10:00", Place = "礼堂" }));

        Assert.Equal(2, Figure(Build(), "家长会（次）"));
        var one = new TermSummaryBuilder(_db, _clock).Build(SummarySeed.From, SummarySeed.To, "zh", 90, ["default"]);
        Assert.Equal(1, Figure(one, "家长会（次）"));
        Assert.DoesNotContain(Table(one, "meetings.list").Rows, r => (string)r[1]! == "别校家长会");
    }

    [Fact]
    public void A_term_without_activities_or_aid_says_zero_and_lists_nothing()
    {
        SummarySeed.Create(_db);
        _db.Write(tx => tx.Records.DeleteMany(r => r.Kind == CareKind.Activity));
        _db.Write(tx => tx.Aid.DeleteAll());

        var summary = Build();

        Assert.Equal((0, 0, 0, 0m), (Figure(summary, "集体活动（次）"), Figure(summary, "参加人次"), Figure(summary, "资助（笔）"), Amount(summary, "资助金额（元）")));
        Assert.Empty(Table(summary, "activities.list").Rows);
        Assert.Empty(Table(summary, "aid.per_child").Rows);
        Assert.Null(summary.Sections.Single(s => s.Key == "aid").Figures[2].Detail);
        Assert.Equal(4, Figure(summary, "没有参加集体活动的儿童"));
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
        Assert.Equal(["周", "周一", .. KindHeaders.Select(k => k.Header), "周报已发送", "发送失败", "无法送达"], weeks.Columns.Select(c => c.Header));
        Assert.Equal(new object?[] { "2026-W10", new DateOnly(2026, 3, 2), 1, 1, 0, 1, 0, 2, 2, 1, 1 }, weeks.Rows[0]);
        Assert.Equal(new object?[] { "2026-W12", new DateOnly(2026, 3, 16), 1, 0, 0, 0, 1, 0, 0, 0, 0 }, weeks.Rows[2]); // 植树活动: two children, one activity
        Assert.Equal(new object?[] { "2026-W17", new DateOnly(2026, 4, 20), 0, 0, 0, 0, 0, 2, 0, 0, 1 }, weeks.Rows[7]);
        Assert.Equal(new object?[] { "合计", null, 4, 2, 2, 3, 2, 5, 3, 1, 2 }, weeks.Total);
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
                new object?[] { "李老师", "Mentor", 1, 0, 1, 0, 2, 0, 2 },
                new object?[] { "王老师", "Mentor", 2, 3, 1, 2, 0, 1, 3 },
                new object?[] { "赵阿姨", "Volunteer", 1, 1, 0, 0, 1, 0, 0 },
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
        Assert.Contains(overview, r => "资助金额（元）".Equals(r.At(0)) && 1000.5d.Equals(r.At(1)));

        var checks = book.Sheet("期初与期末平均分（按班级）");
        Assert.Equal(new object?[] { "合计", 2d, 2d, 3.5, 2.5, 3.5, 2.5, 3d, 4d, 4d, 4.5, 3.5 }, checks[^1]);
        var weeks = book.Sheet("每周记录与周报");
        Assert.Equal(new DateOnly(2026, 3, 2), WorkbookReader.Date(weeks[1][1]));
        Assert.Equal(["合计", null, 4d, 2d, 2d, 3d, 2d, 5d, 3d, 1d, 2d], weeks[^1]);
    }

    /// <summary>
    /// Every figure of the issue, read back from the workbook with an independent reader and checked against what the
    /// database holds, counted here without the summary's code: each child's visits, talks, phone talks, diary entries,
    /// activities and check-ins, the children lacking one, the activities, and the aid.
    /// </summary>
    [Fact]
    public void The_workbooks_figures_are_what_the_database_holds()
    {
        SummarySeed.Create(_db);
        using var file = new MemoryStream();
        SummaryWorkbook.Write(Build(), file);
        file.Position = 0;
        var book = WorkbookReader.Read(file);

        var endUtc = new DateTime(2026, 4, 26, 16, 0, 0, DateTimeKind.Utc);
        var roster = _db.Read(tx => tx.Children.FindAll().ToList()).Where(c => c.CreatedUtc < endUtc).Select(c => c.Id).ToHashSet();
        var records = _db.Read(tx => tx.Records.FindAll().ToList()).Where(r => r.LocalDate >= SummarySeed.From && r.LocalDate <= SummarySeed.To && roster.Contains(r.ChildId)).ToList();
        var aid = _db.Read(tx => tx.Aid.FindAll().ToList()).Where(a => a.Date >= SummarySeed.From && a.Date <= SummarySeed.To && roster.Contains(a.ChildId)).ToList();
        var people = _db.Read(tx => tx.People.FindAll().ToDictionary(p => p.Id, p => p.Name));
        int Count(string child, CareKind kind) => records.Count(r => r.ChildId == child && r.Kind == kind);

        // Each child's records, one column per kind.
        var perChild = book.Sheet("每名儿童的记录");
        Assert.Equal(roster.Count, perChild.Count - 1);
        foreach (var row in perChild.Skip(1))
        {
            var child = (string)row[0]!;
            Assert.Equal(KindHeaders.Select(k => (object?)(double)Count(child, k.Kind)), KindHeaders.Select(k => row[Array.IndexOf(perChild[0], k.Header)]));
        }

        Assert.Equal(new DateOnly(2026, 4, 10), WorkbookReader.Date(perChild[1][^1]));

        // The children lacking a visit, talk, phone talk, diary entry or activity, and which.
        CareKind[] expected = [CareKind.Visit, CareKind.Talk, CareKind.Call, CareKind.Diary, CareKind.Activity];
        var lacking = roster.Where(c => expected.Any(k => Count(c, k) == 0)).Order().ToList();
        var without = book.Sheet("缺少某项记录的儿童");
        Assert.Equal(lacking, without.Skip(1).Select(r => (string)r[0]!).Order());
        foreach (var row in without.Skip(1))
        {
            var missing = KindHeaders.Where(k => expected.Contains(k.Kind) && Count((string)row[0]!, k.Kind) == 0).Select(k => k.Header);
            Assert.Equal(string.Join("、", missing), row[^1]);
        }

        // Calls and activities in the overview: every call, and each activity once however many children took part.
        var overview = book.Sheet("概况");
        double Overview(string label) => (double)overview.Single(r => label.Equals(r.At(0)))[1]!;
        Assert.Equal(records.Count(r => r.Kind == CareKind.Call), Overview("电话访问（次）"));
        var activities = records.Where(r => r.Kind == CareKind.Activity).GroupBy(r => r.GroupId).ToList();
        Assert.Equal(activities.Count, Overview("集体活动（次）"));
        Assert.Equal(activities.Sum(g => g.Count()), Overview("参加人次"));
        Assert.Equal(roster.Count(c => expected.All(k => Count(c, k) == 0)), Overview("各项记录都没有的儿童"));

        // Each activity: date, title, who recorded it, how many children of the roster.
        var list = book.Sheet("集体活动一览");
        Assert.Equal(["日期", "活动", "记录人", "参加儿童"], list[0]);
        Assert.Equal(
            activities.Select(g => (g.First().LocalDate, g.First().Text, people[g.First().AuthorId], (double)g.Count())).OrderBy(a => a.LocalDate),
            list.Skip(1).Select(r => (WorkbookReader.Date(r[0]), (string)r[1]!, (string)r[2]!, (double)r[3]!)));

        // Aid: entries, children and yuan in total, by kind and per child.
        Assert.Equal(aid.Count, Overview("资助（笔）"));
        Assert.Equal(aid.Select(a => a.ChildId).Distinct().Count(), Overview("受资助的儿童"));
        Assert.Equal((double)aid.Sum(a => a.Amount), Overview("资助金额（元）"));
        var byKind = book.Sheet("按资助类别");
        Assert.Equal(["资助类别", "笔数", "儿童", "金额（元）"], byKind[0]);
        foreach (var row in byKind.Skip(1).SkipLast(1))
        {
            var of = aid.Where(a => a.Kind == (string)row[0]!).ToList();
            Assert.Equal(((double)of.Count, (double)of.Select(a => a.ChildId).Distinct().Count(), (double)of.Sum(a => a.Amount)), ((double)row[1]!, (double)row[2]!, (double)row[3]!));
        }

        Assert.Equal(["合计", (double)aid.Count, (double)aid.Select(a => a.ChildId).Distinct().Count(), (double)aid.Sum(a => a.Amount)], byKind[^1]);
        Assert.Equal(aid.Select(a => a.Kind).Distinct().Count(), byKind.Count - 2);
        var aided = book.Sheet("受资助的儿童");
        Assert.Equal(aid.Select(a => a.ChildId).Distinct().Order(), aided.Skip(1).Select(r => (string)r[0]!));
        foreach (var row in aided.Skip(1))
        {
            var of = aid.Where(a => a.ChildId == (string)row[0]!).ToList();
            Assert.Equal(((double)of.Count, (double)of.Sum(a => a.Amount)), ((double)row[3]!, (double)row[4]!));
        }

        // Parents' meetings: each meeting of the term, its answers counted from the meeting itself.
        var meetings = _db.Read(tx => tx.Meetings.FindAll().ToList()).Where(m => m.Date >= SummarySeed.From && m.Date <= SummarySeed.To).ToList();
        var sheet = book.Sheet("各次家长会");
        Assert.Equal(meetings.Count, sheet.Count - 2); // the header and the total
        foreach (var m in meetings)
        {
            var row = sheet.Single(r => r.At(1) as string == m.Title);
            int Answered(MeetingAnswer a) => m.Replies.Count(r => r.Answer == a && m.InvitedParentIds.Contains(r.ParentId));
            Assert.Equal(m.Date, WorkbookReader.Date(row[0]));
            Assert.Equal(
                new double[] { m.ChildIds.Count, m.InvitedParentIds.Count, Answered(MeetingAnswer.Attend), Answered(MeetingAnswer.CallMe), Answered(MeetingAnswer.NotHome), m.Attended.Count },
                new[] { row[3], row[4], row[5], row[6], row[7], row[10] }.Select(v => (double)v!));
        }

        Assert.Equal((double)meetings.Count, Overview("家长会（次）"));
    }

    [Fact]
    public void The_page_is_self_contained_printable_and_escapes_names()
    {
        SummarySeed.Create(_db);
        var child = _db.Read(tx => tx.Children.FindById("S04"));
        child.Name = "<b>陈小丽</b>";
        _db.Write(tx => tx.Children.Update(child));
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
    public void A_county_of_twenty_thousand_children_is_summarised_in_one_pass()
    {
        const int children = 20_000;
        var from = new DateOnly(2026, 3, 2);
        var people = new List<Person>();
        for (var i = 0; i < (children / 3) + children; i++)
        {
            people.Add(new Person { Name = $"人{i}", Phone = $"13{i:D9}", Roles = i < children / 3 ? Roles.Mentor : Roles.Parent });
        }

        _db.Write(tx => tx.People.InsertBulk(people));
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

        _db.Write(tx => tx.Children.InsertBulk(kids));
        _db.Write(tx => tx.Pairings.InsertBulk(pairings));
        _db.Write(tx => tx.Records.InsertBulk(records));
        _db.Write(tx => tx.Outbox.InsertBulk(updates));

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

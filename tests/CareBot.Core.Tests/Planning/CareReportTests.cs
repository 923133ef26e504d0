using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Planning;

public class CareReportTests
{
    /// <summary>The provider this suite runs on; <see cref="CareReportTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    [Fact]
    public void Report_counts_due_overdue_and_last_weeks_delivery_per_carer()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 22, 19), Store); // Sunday, W47
        var mentor = w.Person("王老师", Roles.Mentor);
        var sentTo = w.Person("甲", Roles.Parent);
        var failedTo = w.Person("乙", Roles.Parent);
        var unlinked = w.Person("丙", Roles.Parent, linked: false);
        var paused = w.Person("丁", Roles.Parent, paused: true);
        var a = w.Child("S1", "小明", sentTo, failedTo);
        var b = w.Child("S2", "小红", unlinked, paused);
        w.Pair(mentor, a, new DateOnly(2026, 11, 1));
        w.Pair(mentor, b, new DateOnly(2026, 11, 1));
        w.Record(b, mentor, CareKind.Visit, new DateOnly(2026, 11, 28));
        w.Record(b, mentor, CareKind.Talk, new DateOnly(2026, 11, 24)); // talk due on Dec 1: due, not overdue

        w.Weekly().Plan(w.Clock.Today);
        var rows = w.Rows(OutboxKind.WeeklyUpdate);
        w.Outbox.MarkSent(rows.Single(r => r.PersonId == sentTo.Id), 1);
        w.Outbox.MarkFailed(rows.Single(r => r.PersonId == failedTo.Id), "gave up");
        w.SetLocal(PlanningWorld.Local(2026, 11, 29, 19)); // a week later: W47 is last week

        var report = new CareReport(w.Db, w.Clock, w.Options).Build();

        Assert.Equal("2026-W47", report.Week);
        var row = Assert.Single(report.Rows);
        Assert.Equal("王老师", row.CarerName);
        Assert.Equal(2, row.Children);
        Assert.Equal(1, row.Due);
        Assert.Equal(1, row.Overdue);
        Assert.Equal(28, row.MaxDaysOverdue);
        Assert.Equal(1, row.Updates.Sent);
        Assert.Equal(1, row.Updates.Failed);
        Assert.Equal(1, row.Updates.Unreachable);
        Assert.Equal(0, row.Updates.Missing);

        var zh = CareReport.RenderText(report, "zh");
        Assert.Contains("王老师", zh);
        Assert.Contains("合计", zh);
        Assert.Contains("Unreachable", CareReport.RenderText(report, "en"));

        var csv = new StringWriter();
        CareReport.WriteCsv(report, csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("carer_id,carer,children,due,overdue,max_days_overdue,week,updates_sent", lines[0], StringComparison.Ordinal);
        Assert.Equal($"{mentor.Id},王老师,2,1,1,28,2026-W47,1,0,1,1,0", lines[1]);
        Assert.StartsWith("total,", lines[2], StringComparison.Ordinal);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class CareReportTestsOnPostgres : CareReportTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

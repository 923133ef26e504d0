using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Summary;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Planning;

/// <summary>Weekly-update delivery counts for one ISO week. See <see cref="CareReport"/> for what each counts.</summary>
public sealed class DeliveryCounts
{
    public int Sent { get; set; }
    public int Pending { get; set; }
    public int Failed { get; set; }
    public int Unreachable { get; set; }
    public int Missing { get; set; }
    /// <summary>
    /// Not sent before the week's catch-up window closed (the Bot API was out of reach that long): shown under the
    /// text report; in CSV and workbook columns they stay out of the other counts.
    /// </summary>
    public int Expired { get; set; }

    public void Add(DeliveryCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Sent += other.Sent;
        Pending += other.Pending;
        Failed += other.Failed;
        Unreachable += other.Unreachable;
        Missing += other.Missing;
        Expired += other.Expired;
    }
}

/// <summary>One carer's line of the report. <see cref="CarerId"/> 0 with an empty name is the unpaired children.</summary>
public sealed record CareReportRow(int CarerId, string CarerName, int Children, int Due, int Overdue, int MaxDaysOverdue, DeliveryCounts Updates);

/// <summary>The report: per carer, and the totals (each child and parent slot counted once).</summary>
public sealed record CareReportData(DateOnly Today, string Week, IReadOnlyList<CareReportRow> Rows, CareReportRow Total);

/// <summary>
/// <c>carebot report [--csv]</c>: due and overdue visits and talks per mentor or volunteer, and last ISO week's
/// weekly-update delivery for their children. A child-parent "slot" is one child and one of its parents:
/// <list type="bullet">
/// <item><description>sent, pending (Pending or Sending), failed, unreachable: the status of the slot's outbox row;</description></item>
/// <item><description>unreachable also counts slots with no row whose parent is not reachable now (never linked a chat, or blocked the bot), and parents the roster names without a phone;</description></item>
/// <item><description>missing: slots with no row whose parent is reachable and not paused (the weekly job did not run for them);</description></item>
/// <item><description>slots of parents who paused updates (/stop) and have no row are not counted: nothing was owed.</description></item>
/// </list>
/// Due counts children due within two days and not yet overdue; overdue counts children with a visit or talk
/// overdue, with the largest number of days.
/// </summary>
public sealed class CareReport(CareDb db, CareClock clock, CareOptions options)
{
    /// <summary>Builds the report in one turn on the database, for <paramref name="schools"/> (null: the whole county).</summary>
    public CareReportData Build(IReadOnlyCollection<string>? schools = null) => db.Read(tx => Build(tx, schools));

    private CareReportData Build(CareTx tx, IReadOnlyCollection<string>? schools)
    {
        var today = clock.Today;
        var lastWeekDate = today.AddDays(-7);
        var week = CareClock.IsoWeek(lastWeekDate);

        var people = tx.People.FindAll().ToDictionary(p => p.Id);
        var pairings = tx.Pairings.FindAll().Where(p => SchoolDirectory.InScope(schools, SchoolDirectory.SchoolOfKey(p.ChildId))).ToList();
        var status = new CareStatusCalculator(db, clock, options).ForAllPaired(tx, today, pairings);

        var rows = new Dictionary<(int Parent, string Child), OutboxStatus>();
        foreach (var o in tx.Outbox.Find(o => o.Week == week))
        {
            if (o.Kind == OutboxKind.WeeklyUpdate && o.ChildId is not null)
            {
                rows[(o.PersonId, o.ChildId)] = o.Status;
            }
        }

        var perChild = new Dictionary<string, DeliveryCounts>(StringComparer.Ordinal);
        foreach (var child in tx.Children.FindAll().Where(c => SchoolDirectory.InScope(schools, c)))
        {
            var counts = new DeliveryCounts();
            foreach (var link in child.Parents)
            {
                people.TryGetValue(link.PersonId, out var parent);
                if (rows.TryGetValue((link.PersonId, child.Id), out var s))
                {
                    switch (s)
                    {
                        case OutboxStatus.Sent: counts.Sent++; break;
                        case OutboxStatus.Pending or OutboxStatus.Sending: counts.Pending++; break;
                        case OutboxStatus.Failed: counts.Failed++; break;
                        case OutboxStatus.Expired: counts.Expired++; break;
                        default: counts.Unreachable++; break;
                    }
                }
                else if (parent is null || !parent.IsReachable)
                {
                    counts.Unreachable++;
                }
                else if (!parent.UpdatesPaused)
                {
                    counts.Missing++;
                }
            }

            counts.Unreachable += child.ParentsWithoutPhone.Count; // named in the roster without a phone: never reached
            perChild[child.Id] = counts;
        }

        var report = new List<CareReportRow>();
        foreach (var group in pairings.GroupBy(p => p.CarerId).OrderBy(g => people.GetValueOrDefault(g.Key)?.Name ?? "", StringComparer.Ordinal).ThenBy(g => g.Key))
        {
            var ids = group.Select(p => p.ChildId).Distinct(StringComparer.Ordinal).ToList();
            report.Add(Row(group.Key, people.GetValueOrDefault(group.Key)?.Name ?? $"#{group.Key}", ids, status, perChild));
        }

        var paired = pairings.Select(p => p.ChildId).ToHashSet(StringComparer.Ordinal);
        var unpaired = perChild.Keys.Where(id => !paired.Contains(id)).ToList();
        if (unpaired.Count > 0)
        {
            report.Add(Row(0, "", unpaired, status, perChild));
        }

        var total = Row(-1, "", perChild.Keys.Union(paired, StringComparer.Ordinal).ToList(), status, perChild);
        return new CareReportData(today, week, report, total);
    }

    private static CareReportRow Row(int carerId, string name, List<string> childIds, Dictionary<string, ChildCareStatus> status, Dictionary<string, DeliveryCounts> perChild)
    {
        int due = 0, overdue = 0, max = 0;
        var updates = new DeliveryCounts();
        foreach (var id in childIds)
        {
            if (status.TryGetValue(id, out var s))
            {
                if (s.Overdue)
                {
                    overdue++;
                    max = Math.Max(max, s.DaysOverdue);
                }
                else if (s.AnythingDue)
                {
                    due++;
                }
            }

            if (perChild.TryGetValue(id, out var c))
            {
                updates.Add(c);
            }
        }

        return new CareReportRow(carerId, name, childIds.Count, due, overdue, max, updates);
    }

    /// <summary>An aligned text table in <paramref name="language"/> ("zh" or "en"); CJK characters count double width.</summary>
    public static string RenderText(CareReportData report, string language)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lang = PlanText.Lang(language);
        string[] headers = ["carer", "children", "due", "overdue", "maxOverdue", "sent", "pending", "failed", "unreachable", "missing"];
        var table = new List<string[]> { headers.Select(h => Texts.Get(lang, $"plan.report.{h}")).ToArray() };
        foreach (var row in report.Rows)
        {
            table.Add(Cells(row.CarerId == 0 ? Texts.Get(lang, "plan.report.unpaired") : row.CarerName, row));
        }

        table.Add(Cells(Texts.Get(lang, "plan.report.total"), report.Total));

        var widths = new int[headers.Length];
        foreach (var cells in table)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Width(cells[i]));
            }
        }

        var text = new StringBuilder();
        text.Append(Texts.Get(lang, "plan.report.title", report.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), report.Week)).Append('\n');
        for (var r = 0; r < table.Count; r++)
        {
            if (r == table.Count - 1)
            {
                text.Append(new string('-', widths.Sum() + (2 * (widths.Length - 1)))).Append('\n');
            }

            var cells = table[r];
            for (var i = 0; i < cells.Length; i++)
            {
                var pad = new string(' ', widths[i] - Width(cells[i]));
                text.Append(i == 0 ? cells[i] + pad : pad + cells[i]);
                text.Append(i == cells.Length - 1 ? "\n" : "  ");
            }
        }

        if (report.Total.Updates.Expired > 0)
        {
            text.Append(Texts.Get(lang, "plan.report.expired", report.Total.Updates.Expired)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>CSV with fixed English headers (for spreadsheets and scripts); the totals row has carer_id "total".</summary>
    public static void WriteCsv(CareReportData report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var csv = Export.ExportSafety.Csv(writer);
        csv.WriteRecord(["carer_id", "carer", "children", "due", "overdue", "max_days_overdue", "week", "updates_sent", "updates_pending", "updates_failed", "updates_unreachable", "updates_missing"]);
        foreach (var row in report.Rows.Append(report.Total))
        {
            var numbers = new[] { row.Children, row.Due, row.Overdue, row.MaxDaysOverdue }.Select(n => n.ToString(CultureInfo.InvariantCulture));
            var updates = new[] { row.Updates.Sent, row.Updates.Pending, row.Updates.Failed, row.Updates.Unreachable, row.Updates.Missing }.Select(n => n.ToString(CultureInfo.InvariantCulture));
            string[] fields =
            [
                row.CarerId < 0 ? "total" : row.CarerId.ToString(CultureInfo.InvariantCulture),
                row.CarerName,
                .. numbers,
                report.Week,
                .. updates,
            ];
            csv.WriteRecord(fields);
        }

        csv.Flush();
    }

    /// <summary>The report as a table for a workbook (<c>carebot report --xlsx FILE</c>): headings in <paramref name="language"/>, numbers as numbers.</summary>
    public static SummaryTable ToTable(CareReportData report, string language)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lang = PlanText.Lang(language);
        string[] counts = ["children", "due", "overdue", "maxOverdue", "sent", "pending", "failed", "unreachable", "missing"];
        static object?[] Row(string name, string week, CareReportRow row) =>
        [
            name, week, row.Children, row.Due, row.Overdue, row.MaxDaysOverdue,
            row.Updates.Sent, row.Updates.Pending, row.Updates.Failed, row.Updates.Unreachable, row.Updates.Missing,
        ];

        return new SummaryTable
        {
            Key = "report",
            Title = Texts.Get(lang, "plan.report.sheet", report.Week),
            Columns =
            [
                new SummaryColumn(Texts.Get(lang, "plan.report.carer"), SummaryCellKind.Text),
                new SummaryColumn(Texts.Get(lang, "plan.report.week"), SummaryCellKind.Text),
                .. counts.Select(c => new SummaryColumn(Texts.Get(lang, $"plan.report.{c}"), SummaryCellKind.Count)),
            ],
            Rows = report.Rows.Select(r => Row(r.CarerId == 0 ? Texts.Get(lang, "plan.report.unpaired") : r.CarerName, report.Week, r)).ToList(),
            Total = Row(Texts.Get(lang, "plan.report.total"), report.Week, report.Total),
        };
    }

    private static string[] Cells(string name, CareReportRow row) =>
    [
        name,
        .. new[] { row.Children, row.Due, row.Overdue, row.MaxDaysOverdue, row.Updates.Sent, row.Updates.Pending, row.Updates.Failed, row.Updates.Unreachable, row.Updates.Missing }
            .Select(n => n.ToString(CultureInfo.InvariantCulture)),
    ];

    internal static int Width(string s)
    {
        var w = 0;
        foreach (var c in s)
        {
            w += c >= 0x1100 && (c <= 0x115F || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6)) ? 2 : 1;
        }

        return w;
    }
}

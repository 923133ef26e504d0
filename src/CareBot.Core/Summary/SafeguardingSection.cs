using CareBot.Core.Model;
using CareBot.Core.Safeguarding;

namespace CareBot.Core.Summary;

/// <summary>
/// Safeguarding (关爱保护): concerns by type and status (never their notes), check-in flags raised and cleared, and the
/// median minutes from a concern's recording to its acknowledgement.
/// </summary>
internal sealed class SafeguardingSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var concerns = data.Concerns;
        var minutes = concerns.Where(c => c.AcknowledgedUtc is not null).Select(c => (c.AcknowledgedUtc!.Value - c.RecordedUtc).TotalMinutes).Order().ToList();
        var rows = Enum.GetValues<ConcernType>()
            .Select(type => Row(text.T(ConcernWords.TypeKey(type)), concerns.Where(c => c.Type == type).ToList()))
            .ToList();
        return new SummarySection(
            "safeguarding",
            text.T("sum.safeguarding.title"),
            [
                new(text.T("sum.fig.concerns"), concerns.Count),
                new(text.T("sum.fig.concerns_open"), concerns.Count(c => c.IsOpen)),
                new(text.T("sum.fig.concerns_reported"), concerns.Count(c => c.ReportedUtc is not null), text.Percent(concerns.Count(c => c.ReportedUtc is not null), concerns.Count)),
                new(text.T("sum.fig.flags_raised"), data.Flags.Count),
                new(text.T("sum.fig.flags_cleared"), data.Flags.Count(f => !f.IsOpen), text.Percent(data.Flags.Count(f => !f.IsOpen), data.Flags.Count)),
                new(text.T("sum.fig.ack_median"), Median(minutes)),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "safeguarding.by_type",
                    Title = text.T("sum.safeguarding.by_type"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.concern_type"),
                        PairingSection.Int(text, "sum.col.open"),
                        PairingSection.Int(text, "sum.col.reported"),
                        PairingSection.Int(text, "sum.col.closed"),
                    ],
                    Rows = rows,
                    Total = Row(text.T("sum.total"), concerns),
                },
            ],
            text.T("sum.safeguarding.note"));
    }

    private static object?[] Row(string label, List<Concern> concerns) =>
        [label, concerns.Count(c => c.Status == ConcernStatus.Open), concerns.Count(c => c.Status == ConcernStatus.Reported), concerns.Count(c => c.Status == ConcernStatus.Closed)];

    /// <summary>The median of sorted values, rounded to a minute; 0 when there are none.</summary>
    internal static decimal Median(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var mid = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return Math.Round((decimal)median, 0, MidpointRounding.AwayFromZero);
    }
}

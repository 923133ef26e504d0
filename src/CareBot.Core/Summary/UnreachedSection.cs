using CareBot.Core.Model;

namespace CareBot.Core.Summary;

/// <summary>
/// Families that could not be reached: the children whose last <see cref="Chat.UnansweredCalls.TellAdminsAfter"/> or
/// more phone calls of the period all failed to get through (<c>/call CHILD 未接通</c>), with none answered in between.
/// </summary>
internal sealed class UnreachedSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var rows = new List<object?[]>();
        foreach (var child in data.Children)
        {
            if (data.CallAttempts.GetValueOrDefault(child.Id) is not { } calls)
            {
                continue;
            }

            var run = 0;
            for (var i = calls.Count - 1; i >= 0 && calls[i].Kind == CareKind.UnansweredCall; i--)
            {
                run++;
            }

            if (run >= Chat.UnansweredCalls.TellAdminsAfter)
            {
                rows.Add([child.No, child.Name, text.Class(child.Class), text.Names(data.CarersByChild.GetValueOrDefault(child.Id) ?? [], data), run, calls[^1].LocalDate]);
            }
        }

        return new SummarySection(
            "unreached",
            text.T("sum.unreached.title"),
            [new(text.T("sum.fig.unreached"), rows.Count, text.Percent(rows.Count, data.Children.Count))],
            [],
            [
                new SummaryTable
                {
                    Key = "unreached.list",
                    Title = text.T("sum.unreached.list"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.child_id"),
                        PairingSection.Col(text, "sum.col.child"),
                        PairingSection.Col(text, "sum.col.class"),
                        PairingSection.Col(text, "sum.col.carers_names"),
                        PairingSection.Int(text, "sum.col.unanswered_run"),
                        new SummaryColumn(text.T("sum.col.last_try"), SummaryCellKind.Date),
                    ],
                    Rows = rows,
                },
            ],
            text.T("sum.unreached.note"));
    }
}

namespace CareBot.Core.Summary;

/// <summary>
/// Parents' meetings (家长会): how many, the parents invited and their answers, and the children whose family came,
/// for the term and per meeting.
/// </summary>
internal sealed class MeetingsSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var meetings = data.Meetings;
        var total = meetings.Aggregate(Meetings.MeetingTally.Zero, (sum, m) => sum + m.Tally);
        var families = meetings.SelectMany(m => m.Attended).ToHashSet(StringComparer.Ordinal).Count;
        var rows = meetings
            .Select(m => Row(text, m.Date, m.Title, m.Classes.Count == 0 ? text.T("meeting.all_classes") : text.Join(m.Classes), m.Tally))
            .ToList();
        return new SummarySection(
            "meetings",
            text.T("sum.meetings.title"),
            [
                new(text.T("sum.fig.meetings"), meetings.Count),
                new(text.T("sum.fig.meeting_invited"), total.Invited),
                new(text.T("sum.fig.meeting_attend"), total.Attend, text.Percent(total.Attend, total.Invited)),
                new(text.T("sum.fig.meeting_callme"), total.CallMe, text.Percent(total.CallMe, total.Invited)),
                new(text.T("sum.fig.meeting_nothome"), total.NotHome, text.Percent(total.NotHome, total.Invited)),
                new(text.T("sum.fig.meeting_came"), total.Came, text.Percent(total.Came, total.Children)),
                new(text.T("sum.fig.meeting_families"), families, text.Percent(families, data.Children.Count)),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "meetings.list",
                    Title = text.T("sum.meetings.list"),
                    Columns =
                    [
                        new SummaryColumn(text.T("sum.col.date"), SummaryCellKind.Date),
                        PairingSection.Col(text, "sum.col.meeting"),
                        PairingSection.Col(text, "sum.col.class"),
                        PairingSection.Int(text, "sum.col.children"),
                        PairingSection.Int(text, "sum.col.invited"),
                        PairingSection.Int(text, "sum.col.attend"),
                        PairingSection.Int(text, "sum.col.callme"),
                        PairingSection.Int(text, "sum.col.nothome"),
                        PairingSection.Int(text, "sum.col.no_answer"),
                        PairingSection.Int(text, "sum.col.not_linked"),
                        PairingSection.Int(text, "sum.col.came"),
                    ],
                    Rows = rows,
                    Total = Row(text, null, text.T("sum.total"), "", total),
                },
            ],
            text.T("sum.meetings.note"));
    }

    private static object?[] Row(SummaryText text, DateOnly? date, string title, string classes, Meetings.MeetingTally t) =>
        [date, title, classes, t.Children, t.Invited, t.Attend, t.CallMe, t.NotHome, t.NoAnswer, t.NotReachable, t.Came];
}

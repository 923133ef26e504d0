using CareBot.Core.Model;

namespace CareBot.Core.Summary;

/// <summary>
/// Group activities (集体活动): participations and the children who took part (the count of activities is an overview
/// figure), by class, and each activity.
/// </summary>
internal sealed class ActivitiesSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var took = data.Activities.SelectMany(a => a.Children).ToHashSet(StringComparer.Ordinal);
        var participations = data.Activities.Sum(a => a.Children.Count);
        var byClass = data.Children.GroupBy(c => text.Class(c.Class)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ClassRow(g.Key, [.. g], data))
            .ToList();
        var list = data.Activities
            .Select(a => new object?[] { a.Date, a.Title, text.Names([a.AuthorId], data), a.Children.Count })
            .ToList();
        return new SummarySection(
            "activities",
            text.T("sum.activities.title"),
            [
                new(text.T("sum.fig.participations"), participations),
                new(text.T("sum.fig.took_part"), took.Count, text.Percent(took.Count, data.Children.Count)),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "activities.by_class",
                    Title = text.T("sum.activities.by_class"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.class"),
                        PairingSection.Int(text, "sum.col.children"),
                        PairingSection.Int(text, "sum.col.took_part"),
                        PairingSection.Int(text, "sum.col.participations"),
                    ],
                    Rows = byClass,
                    Total = ClassRow(text.T("sum.total"), data.Children, data),
                },
                new SummaryTable
                {
                    Key = "activities.list",
                    Title = text.T("sum.activities.list"),
                    Columns =
                    [
                        new SummaryColumn(text.T("sum.col.date"), SummaryCellKind.Date),
                        PairingSection.Col(text, "sum.col.activity"),
                        PairingSection.Col(text, "sum.col.recorded_by"),
                        PairingSection.Int(text, "sum.col.participants"),
                    ],
                    Rows = list,
                    PageRows = 40,
                },
            ],
            text.T("sum.activities.note"));
    }

    /// <summary>A class: its children, those who took part in an activity, and their participations.</summary>
    private static object?[] ClassRow(string name, List<Child> children, TermData data)
    {
        var counts = children.Select(c => data.Of(c.Id)[CareKind.Activity]).ToList();
        return [name, children.Count, counts.Count(n => n > 0), counts.Sum()];
    }
}

/// <summary>Aid given (资助): entries, children aided and yuan, by kind of aid and per child.</summary>
internal sealed class AidSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var aided = data.Aid.Select(a => a.ChildId).ToHashSet(StringComparer.Ordinal);
        var byKind = data.Aid.GroupBy(a => a.Kind, StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(a => a.Amount)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Row(g.Key, [.. g]))
            .ToList();
        var perChild = new List<object?[]>();
        var ofChild = data.Aid.ToLookup(a => a.ChildId, StringComparer.Ordinal);
        foreach (var child in data.Children)
        {
            var entries = ofChild[child.Id].ToList();
            if (entries.Count > 0)
            {
                perChild.Add(
                [
                    child.No,
                    child.Name,
                    text.Class(child.Class),
                    entries.Count,
                    entries.Sum(a => a.Amount),
                    text.Join(entries.Select(a => a.Kind).Distinct(StringComparer.Ordinal)),
                ]);
            }
        }

        var total = data.Aid.Sum(a => a.Amount);
        return new SummarySection(
            "aid",
            text.T("sum.aid.title"),
            [
                new(text.T("sum.fig.aid_entries"), data.Aid.Count),
                new(text.T("sum.fig.aid_children"), aided.Count, text.Percent(aided.Count, data.Children.Count)),
                new(text.T("sum.fig.aid_amount"), total, aided.Count == 0 ? null : text.T("sum.fig.aid_per_child", AidRules.FormatAmount(Math.Round(total / aided.Count, 2)))),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "aid.by_kind",
                    Title = text.T("sum.aid.by_kind"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.aid_kind"),
                        PairingSection.Int(text, "sum.col.entries"),
                        PairingSection.Int(text, "sum.col.children"),
                        new SummaryColumn(text.T("sum.col.amount"), SummaryCellKind.Amount),
                    ],
                    Rows = byKind,
                    Total = Row(text.T("sum.total"), data.Aid),
                },
                new SummaryTable
                {
                    Key = "aid.per_child",
                    Title = text.T("sum.aid.per_child"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.child_id"),
                        PairingSection.Col(text, "sum.col.child"),
                        PairingSection.Col(text, "sum.col.class"),
                        PairingSection.Int(text, "sum.col.entries"),
                        new SummaryColumn(text.T("sum.col.amount"), SummaryCellKind.Amount),
                        PairingSection.Col(text, "sum.col.aid_kinds"),
                    ],
                    Rows = perChild,
                    PageRows = 50,
                },
            ],
            text.T("sum.aid.note"));
    }

    private static object?[] Row(string name, List<AidEntry> entries) =>
        [name, entries.Count, entries.Select(a => a.ChildId).Distinct(StringComparer.Ordinal).Count(), entries.Sum(a => a.Amount)];
}

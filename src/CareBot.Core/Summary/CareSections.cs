using CareBot.Core.Model;

namespace CareBot.Core.Summary;

/// <summary>The headline figures: children, pairing, and the term's records.</summary>
internal sealed class OverviewSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var children = data.Children.Count;
        var paired = data.Children.Count(c => data.CarersByChild.ContainsKey(c.Id));
        var carers = data.Pairings.Select(p => p.CarerId).Distinct().Count();
        var totals = new int[TermData.Kinds.Length];
        foreach (var counts in data.PerChild.Values)
        {
            for (var k = 0; k < totals.Length; k++)
            {
                totals[k] += counts[k];
            }
        }

        List<SummaryFigure> figures =
        [
            new(text.T("sum.fig.children"), children),
            new(text.T("sum.fig.paired"), paired, text.Percent(paired, children)),
            new(text.T("sum.fig.carers"), carers, carers == 0 ? null : text.T("sum.fig.per_carer", Math.Round((double)data.Pairings.Select(p => p.ChildId).Distinct().Count() / carers, 1))),
            .. totals.Select((n, k) => new SummaryFigure(text.T("sum.fig.records." + k), n)),
        ];
        return new SummarySection("overview", text.T("sum.overview.title"), figures, [], []);
    }
}

/// <summary>Children and pairing by class, the carers and their children and records.</summary>
internal sealed class PairingSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        // By class.
        var byClass = new List<object?[]>();
        foreach (var group in data.Children.GroupBy(c => text.Class(c.Class)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byClass.Add(ClassRow(group.Key, group.ToList(), data));
        }

        // Per carer: how many children, and what they recorded this term (about any child).
        var roles = data.Pairings.GroupBy(p => p.CarerId).ToDictionary(g => g.Key, g => g.Select(p => p.Role).Distinct().ToList());
        var childrenOf = data.Pairings.GroupBy(p => p.CarerId).ToDictionary(g => g.Key, g => g.Select(p => p.ChildId).Distinct(StringComparer.Ordinal).Count());
        var perCarer = new List<object?[]>();
        foreach (var carer in childrenOf.Keys.OrderBy(id => data.People.GetValueOrDefault(id)?.Name ?? "", StringComparer.Ordinal).ThenBy(id => id))
        {
            var counts = data.PerAuthor.GetValueOrDefault(carer) ?? new int[TermData.Kinds.Length];
            var role = roles[carer].Count > 1 ? text.T("sum.role.both") : text.T(roles[carer][0] == PairingRole.Mentor ? "sum.role.mentor" : "sum.role.volunteer");
            perCarer.Add([text.Names([carer], data), role, childrenOf[carer], counts[0], counts[1], counts[2], counts[3]]);
        }

        var load = childrenOf.Values.GroupBy(n => n).OrderBy(g => g.Key)
            .Select(g => new object?[] { text.T("sum.pairing.load_row", g.Key), g.Count() })
            .ToList();

        List<SummaryColumn> recordColumns = [.. Enumerable.Range(0, TermData.Kinds.Length).Select(k => new SummaryColumn(text.Kind(k), SummaryCellKind.Count))];
        return new SummarySection(
            "pairing",
            text.T("sum.pairing.title"),
            [],
            [],
            [
                new SummaryTable
                {
                    Key = "pairing.by_class",
                    Title = text.T("sum.pairing.by_class"),
                    Columns = [Col(text, "sum.col.class"), Int(text, "sum.col.children"), Int(text, "sum.col.paired"), Int(text, "sum.col.unpaired"), Int(text, "sum.col.carers")],
                    Rows = byClass,
                    Total = ClassRow(text.T("sum.total"), data.Children, data),
                },
                new SummaryTable
                {
                    Key = "pairing.load",
                    Title = text.T("sum.pairing.load"),
                    Columns = [Col(text, "sum.col.children_per_carer"), Int(text, "sum.col.carers")],
                    Rows = load,
                },
                new SummaryTable
                {
                    Key = "pairing.per_carer",
                    Title = text.T("sum.pairing.per_carer"),
                    Columns = [Col(text, "sum.col.carer"), Col(text, "sum.col.role"), Int(text, "sum.col.children"), .. recordColumns],
                    Rows = perCarer,
                    PageRows = 40,
                },
            ],
            text.T("sum.pairing.note"));
    }

    private static object?[] ClassRow(string name, List<Child> children, TermData data)
    {
        var paired = children.Count(c => data.CarersByChild.ContainsKey(c.Id));
        var carers = children.SelectMany(c => data.CarersByChild.GetValueOrDefault(c.Id) ?? []).Distinct().Count();
        return [name, children.Count, paired, children.Count - paired, carers];
    }

    internal static SummaryColumn Col(SummaryText text, string key) => new(text.T(key), SummaryCellKind.Text);

    internal static SummaryColumn Int(SummaryText text, string key) => new(text.T(key), SummaryCellKind.Count);
}

/// <summary>Visits, talks, diary entries and check-ins per child, and the children with none.</summary>
internal sealed class RecordsSection : ISummarySection
{
    /// <summary>Buckets of "children with N records": 0, 1, 2, 3–5, 6 or more.</summary>
    private static readonly (int Low, int High)[] Buckets = [(0, 0), (1, 1), (2, 2), (3, 5), (6, int.MaxValue)];

    public SummarySection Build(TermData data, SummaryText text)
    {
        var none = new int[TermData.Kinds.Length];
        var distribution = new List<object?[]>();
        var empty = new int[TermData.Kinds.Length];
        for (var k = 0; k < TermData.Kinds.Length; k++)
        {
            var counts = data.Children.Select(c => (data.PerChild.GetValueOrDefault(c.Id) ?? empty)[k]).ToList();
            none[k] = counts.Count(n => n == 0);
            distribution.Add(
            [
                text.Kind(k),
                counts.Sum(),
                .. Buckets.Select(b => (object?)counts.Count(n => n >= b.Low && n <= b.High)),
                counts.Count == 0 ? null : Math.Round(counts.Average(), 2),
            ]);
        }

        var perChild = new List<object?[]>(data.Children.Count);
        var without = new List<(string Class, object?[] Row)>();
        foreach (var child in data.Children)
        {
            var counts = data.PerChild.GetValueOrDefault(child.Id) ?? empty;
            var carers = text.Names(data.CarersByChild.GetValueOrDefault(child.Id) ?? [], data);
            var cls = text.Class(child.Class);
            perChild.Add([child.No, child.Name, cls, carers, counts[0], counts[1], counts[2], counts[3], data.LastVisit.TryGetValue(child.Id, out var last) ? last : null]);
            var missing = Enumerable.Range(0, 3).Where(k => counts[k] == 0).Select(text.Kind).ToList();
            if (missing.Count > 0)
            {
                without.Add((cls, [child.No, child.Name, cls, carers, counts[0], counts[1], counts[2], string.Join(text.T("sum.name_separator"), missing)]));
            }
        }

        var nothing = data.Children.Count(c => data.PerChild.GetValueOrDefault(c.Id) is not { } n || n[0] + n[1] + n[2] == 0);
        List<SummaryColumn> who = [PairingSection.Col(text, "sum.col.child_id"), PairingSection.Col(text, "sum.col.child"), PairingSection.Col(text, "sum.col.class"), PairingSection.Col(text, "sum.col.carers_names")];
        List<SummaryColumn> kinds = [.. Enumerable.Range(0, TermData.Kinds.Length).Select(k => new SummaryColumn(text.Kind(k), SummaryCellKind.Count))];
        return new SummarySection(
            "records",
            text.T("sum.records.title"),
            [
                new(text.T("sum.fig.no_visit"), none[0], text.Percent(none[0], data.Children.Count)),
                new(text.T("sum.fig.no_talk"), none[1], text.Percent(none[1], data.Children.Count)),
                new(text.T("sum.fig.no_diary"), none[2], text.Percent(none[2], data.Children.Count)),
                new(text.T("sum.fig.nothing"), nothing, text.Percent(nothing, data.Children.Count)),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "records.distribution",
                    Title = text.T("sum.records.distribution"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.kind"),
                        PairingSection.Int(text, "sum.col.total"),
                        .. Buckets.Select((_, i) => PairingSection.Int(text, "sum.col.bucket." + i)),
                        new SummaryColumn(text.T("sum.col.average"), SummaryCellKind.Average),
                    ],
                    Rows = distribution,
                },
                new SummaryTable
                {
                    Key = "records.without",
                    Title = text.T("sum.records.without"),
                    Columns = [.. who, .. kinds.Take(3), PairingSection.Col(text, "sum.col.missing")],
                    Rows = without.OrderBy(w => w.Class, StringComparer.Ordinal).Select(w => w.Row).ToList(),
                    PageRows = 50,
                },
                new SummaryTable
                {
                    Key = "records.per_child",
                    Title = text.T("sum.records.per_child"),
                    Columns = [.. who, .. kinds, new SummaryColumn(text.T("sum.col.last_visit"), SummaryCellKind.Date)],
                    Rows = perChild,
                    PageRows = 0,
                },
            ],
            text.T("sum.records.note"));
    }
}

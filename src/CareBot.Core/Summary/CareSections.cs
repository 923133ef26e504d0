using CareBot.Core.Model;

namespace CareBot.Core.Summary;

/// <summary>The headline figures: children, pairing, and the term's records (an activity counted once).</summary>
internal sealed class OverviewSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var children = data.Children.Count;
        var paired = data.Children.Count(c => data.CarersByChild.ContainsKey(c.Id));
        var carers = data.Pairings.Select(p => p.CarerId).Distinct().Count();
        List<SummaryFigure> figures =
        [
            new(text.T("sum.fig.children"), children),
            new(text.T("sum.fig.paired"), paired, text.Percent(paired, children)),
            new(text.T("sum.fig.carers"), carers, carers == 0 ? null : text.T("sum.fig.per_carer", Math.Round((double)data.Pairings.Select(p => p.ChildId).Distinct().Count() / carers, 1))),
            .. TermData.Kinds.Select(k => new SummaryFigure(text.T("sum.fig.records." + SummaryText.Key(k)), data.PerWeek.Sum(w => w[k]))),
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
            var counts = data.PerAuthor.GetValueOrDefault(carer) ?? new KindCounts();
            var role = roles[carer].Count > 1 ? text.T("sum.role.both") : text.T(roles[carer][0] == PairingRole.Mentor ? "sum.role.mentor" : "sum.role.volunteer");
            perCarer.Add([text.Names([carer], data), role, childrenOf[carer], .. counts.InOrder().Select(n => (object?)n)]);
        }

        var load = childrenOf.Values.GroupBy(n => n).OrderBy(g => g.Key)
            .Select(g => new object?[] { text.T("sum.pairing.load_row", g.Key), g.Count() })
            .ToList();

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
                    Columns = [Col(text, "sum.col.carer"), Col(text, "sum.col.role"), Int(text, "sum.col.children"), .. text.KindColumns()],
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

/// <summary>
/// Visits, talks, phone talks, diary entries, activities and check-ins per child, and the children without a visit,
/// talk, phone talk, diary entry or activity.
/// </summary>
internal sealed class RecordsSection : ISummarySection
{
    /// <summary>The kinds every child should have in a term: a child lacking one is listed (check-ins have their own section).</summary>
    public static readonly CareKind[] Expected = [CareKind.Visit, CareKind.Talk, CareKind.Call, CareKind.Diary, CareKind.Activity];

    /// <summary>Buckets of "children with N records": 0, 1, 2, 3–5, 6 or more.</summary>
    private static readonly (int Low, int High)[] Buckets = [(0, 0), (1, 1), (2, 2), (3, 5), (6, int.MaxValue)];

    public SummarySection Build(TermData data, SummaryText text)
    {
        var distribution = new List<object?[]>();
        foreach (var kind in TermData.Kinds)
        {
            var counts = data.Children.Select(c => data.Of(c.Id)[kind]).ToList();
            distribution.Add(
            [
                text.Kind(kind),
                counts.Sum(),
                .. Buckets.Select(b => (object?)counts.Count(n => n >= b.Low && n <= b.High)),
                counts.Count == 0 ? null : Math.Round(counts.Average(), 2),
            ]);
        }

        var perChild = new List<object?[]>(data.Children.Count);
        var without = new List<(string Class, object?[] Row)>();
        foreach (var child in data.Children)
        {
            var counts = data.Of(child.Id);
            var carers = text.Names(data.CarersByChild.GetValueOrDefault(child.Id) ?? [], data);
            var cls = text.Class(child.Class);
            perChild.Add([child.No, child.Name, cls, carers, .. counts.InOrder().Select(n => (object?)n), data.LastVisit.TryGetValue(child.Id, out var last) ? last : null]);
            var missing = Expected.Where(k => counts[k] == 0).Select(text.Kind).ToList();
            if (missing.Count > 0)
            {
                without.Add((cls, [child.No, child.Name, cls, carers, .. Expected.Select(k => (object?)counts[k]), text.Join(missing)]));
            }
        }

        int None(CareKind kind) => data.Children.Count(c => data.Of(c.Id)[kind] == 0);
        var nothing = data.Children.Count(c => Expected.All(k => data.Of(c.Id)[k] == 0));
        List<SummaryColumn> who = [PairingSection.Col(text, "sum.col.child_id"), PairingSection.Col(text, "sum.col.child"), PairingSection.Col(text, "sum.col.class"), PairingSection.Col(text, "sum.col.carers_names")];
        return new SummarySection(
            "records",
            text.T("sum.records.title"),
            [
                .. Expected.Select(k => new SummaryFigure(text.T("sum.fig.no_" + SummaryText.Key(k)), None(k), text.Percent(None(k), data.Children.Count))),
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
                    Columns = [.. who, .. text.KindColumns(Expected), PairingSection.Col(text, "sum.col.missing")],
                    Rows = without.OrderBy(w => w.Class, StringComparer.Ordinal).Select(w => w.Row).ToList(),
                    PageRows = 50,
                },
                new SummaryTable
                {
                    Key = "records.per_child",
                    Title = text.T("sum.records.per_child"),
                    Columns = [.. who, .. text.KindColumns(), new SummaryColumn(text.T("sum.col.last_visit"), SummaryCellKind.Date)],
                    Rows = perChild,
                    PageRows = 0,
                },
            ],
            text.T("sum.records.note"));
    }
}

using CareBot.Core.Model;

namespace CareBot.Core.Summary;

/// <summary>Check-in ratings per area at the start and the end of the term, by class, and their weekly trend.</summary>
internal sealed class CheckInSection : ISummarySection
{
    public const int Areas = 5;

    public SummarySection Build(TermData data, SummaryText text)
    {
        var byClass = data.Children
            .GroupBy(c => text.Class(c.Class))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ClassRow(g.Key, g, data))
            .ToList();

        // Weekly averages of every check-in, per area.
        var sums = data.Weeks.Select(_ => new double[Areas]).ToArray();
        var counts = new int[data.Weeks.Count];
        foreach (var check in data.Checks.Values.SelectMany(c => c))
        {
            var week = data.WeekOf(check.LocalDate);
            var ratings = check.Ratings!.ToArray();
            counts[week]++;
            for (var a = 0; a < Areas; a++)
            {
                sums[week][a] += ratings[a];
            }
        }

        var trend = new List<object?[]>();
        for (var w = 0; w < data.Weeks.Count; w++)
        {
            trend.Add([data.Weeks[w], data.WeekStarts[w], counts[w], .. Enumerable.Range(0, Areas).Select(a => (object?)Average(sums[w][a], counts[w]))]);
        }

        var series = Enumerable.Range(0, Areas)
            .Select(a => new ChartSeries(Area(text, a), Enumerable.Range(0, data.Weeks.Count).Select(w => Average(sums[w][a], counts[w])).ToList()))
            .ToList();
        var twice = data.Checks.Count(c => c.Value.Count >= 2);
        List<SummaryColumn> areaColumns = [.. Enumerable.Range(0, Areas).SelectMany(a => new[]
        {
            new SummaryColumn(text.T("sum.checks.start", Area(text, a)), SummaryCellKind.Average),
            new SummaryColumn(text.T("sum.checks.end", Area(text, a)), SummaryCellKind.Average),
        })];
        return new SummarySection(
            "checks",
            text.T("sum.checks.title"),
            [
                new(text.T("sum.fig.checked_children"), data.Checks.Count, text.Percent(data.Checks.Count, data.Children.Count)),
                new(text.T("sum.fig.checked_twice"), twice, text.Percent(twice, data.Children.Count)),
            ],
            [new SummaryChart("checks.trend", text.T("sum.checks.chart"), SummaryChartKind.Line, data.WeekStarts.Select(SummaryText.Short).ToList(), series, 1, 5)],
            [
                new SummaryTable
                {
                    Key = "checks.by_class",
                    Title = text.T("sum.checks.by_class"),
                    Columns = [PairingSection.Col(text, "sum.col.class"), PairingSection.Int(text, "sum.col.children_twice"), .. areaColumns],
                    Rows = byClass,
                    Total = ClassRow(text.T("sum.total"), data.Children, data),
                },
                new SummaryTable
                {
                    Key = "checks.trend",
                    Title = text.T("sum.checks.trend"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.week"),
                        new SummaryColumn(text.T("sum.col.monday"), SummaryCellKind.Date),
                        PairingSection.Int(text, "sum.col.checks"),
                        .. Enumerable.Range(0, Areas).Select(a => new SummaryColumn(Area(text, a), SummaryCellKind.Average)),
                    ],
                    Rows = trend,
                    PageRows = 0,
                },
            ],
            text.T("sum.checks.note"));
    }

    private static string Area(SummaryText text, int area) => text.T("sum.area." + area.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static double? Average(double sum, int count) => count == 0 ? null : Math.Round(sum / count, 2);

    /// <summary>The class's children with two or more check-ins: the mean of their first and of their last ratings.</summary>
    private static object?[] ClassRow(string name, IEnumerable<Child> children, TermData data)
    {
        var start = new double[Areas];
        var end = new double[Areas];
        var n = 0;
        foreach (var child in children)
        {
            if (data.Checks.TryGetValue(child.Id, out var checks) && checks.Count >= 2)
            {
                n++;
                var first = checks[0].Ratings!.ToArray();
                var last = checks[^1].Ratings!.ToArray();
                for (var a = 0; a < Areas; a++)
                {
                    start[a] += first[a];
                    end[a] += last[a];
                }
            }
        }

        return [name, n, .. Enumerable.Range(0, Areas).SelectMany(a => new object?[] { Average(start[a], n), Average(end[a], n) })];
    }
}

/// <summary>The term week by week: records (an activity counted once), and the weekly updates' delivery; the visits per week as a chart.</summary>
internal sealed class WeeklySection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var index = data.Weeks.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i, StringComparer.Ordinal);
        var delivery = data.Weeks.Select(_ => new int[3]).ToArray();
        foreach (var u in data.Updates)
        {
            var slot = u.Status switch
            {
                OutboxStatus.Sent => 0,
                OutboxStatus.Failed => 1,
                OutboxStatus.Unreachable => 2,
                _ => -1,
            };
            if (slot >= 0)
            {
                delivery[index[u.Week!]][slot]++;
            }
        }

        var rows = new List<object?[]>();
        for (var w = 0; w < data.Weeks.Count; w++)
        {
            rows.Add([data.Weeks[w], data.WeekStarts[w], .. data.PerWeek[w].InOrder().Select(n => (object?)n), .. delivery[w].Select(n => (object?)n)]);
        }

        var visits = new ChartSeries(text.Kind(CareKind.Visit), data.PerWeek.Select(w => (double?)w[CareKind.Visit]).ToList());
        return new SummarySection(
            "weekly",
            text.T("sum.weekly.title"),
            [],
            [new SummaryChart("weekly.visits", text.T("sum.weekly.chart"), SummaryChartKind.Bar, data.WeekStarts.Select(SummaryText.Short).ToList(), [visits])],
            [
                new SummaryTable
                {
                    Key = "weekly.by_week",
                    Title = text.T("sum.weekly.by_week"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.week"),
                        new SummaryColumn(text.T("sum.col.monday"), SummaryCellKind.Date),
                        .. text.KindColumns(),
                        PairingSection.Int(text, "sum.col.sent"),
                        PairingSection.Int(text, "sum.col.failed"),
                        PairingSection.Int(text, "sum.col.unreachable"),
                    ],
                    Rows = rows,
                    Total = [text.T("sum.total"), null, .. TermData.Kinds.Select(k => (object?)data.PerWeek.Sum(w => w[k])), .. Enumerable.Range(0, 3).Select(s => (object?)delivery.Sum(d => d[s]))],
                },
            ]);
    }
}

/// <summary>Weekly updates to the parents working away: sent, failed, unreachable, and the parents reached, by class.</summary>
internal sealed class UpdatesSection : ISummarySection
{
    public SummarySection Build(TermData data, SummaryText text)
    {
        var classOf = data.Children.ToDictionary(c => c.Id, c => text.Class(c.Class), StringComparer.Ordinal);
        var parents = data.Children.SelectMany(c => c.Parents.Select(p => p.PersonId)).ToHashSet();
        var reached = data.Updates.Where(u => u.Status == OutboxStatus.Sent).Select(u => u.PersonId).ToHashSet();
        reached.IntersectWith(parents);
        int Count(OutboxStatus status) => data.Updates.Count(u => u.Status == status);
        var pending = data.Updates.Count(u => u.Status is OutboxStatus.Pending or OutboxStatus.Sending);

        var updatesByClass = data.Updates.GroupBy(u => classOf[u.ChildId!]).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var rows = new List<object?[]>();
        foreach (var group in data.Children.GroupBy(c => classOf[c.Id]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            rows.Add(Row(group.Key, group.SelectMany(c => c.Parents.Select(p => p.PersonId)).ToHashSet(), updatesByClass.GetValueOrDefault(group.Key) ?? []));
        }

        // Parents the roster names without a phone: never reached, listed by name so the school can look for a number.
        var phoneless = data.Children.OrderBy(c => classOf[c.Id], StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
            .SelectMany(c => c.ParentsWithoutPhone.Select(p => new object?[]
            {
                classOf[c.Id], c.Name, text.T(p.Relation == ParentRelation.Father ? "sum.relation.father" : "sum.relation.mother"), p.Name,
            }))
            .ToList();
        List<SummaryTable> noPhone = phoneless.Count == 0 ? [] :
        [
            new SummaryTable
            {
                Key = "updates.no_phone",
                Title = text.T("sum.updates.no_phone"),
                Columns =
                [
                    PairingSection.Col(text, "sum.col.class"),
                    PairingSection.Col(text, "sum.col.child"),
                    PairingSection.Col(text, "sum.col.relation"),
                    PairingSection.Col(text, "sum.col.parent_name"),
                ],
                Rows = phoneless,
            },
        ];

        string? note = text.T("sum.updates.note");
        if (data.OldestUpdate > data.From)
        {
            note += " " + text.T("sum.updates.pruned", SummaryText.Date(data.OldestUpdate));
        }

        return new SummarySection(
            "updates",
            text.T("sum.updates.title"),
            [
                new(text.T("sum.fig.sent"), Count(OutboxStatus.Sent)),
                new(text.T("sum.fig.failed"), Count(OutboxStatus.Failed)),
                new(text.T("sum.fig.unreachable"), Count(OutboxStatus.Unreachable)),
                new(text.T("sum.fig.pending"), pending),
                new(text.T("sum.fig.reached"), reached.Count, text.T("sum.fig.of", parents.Count, text.Percent(reached.Count, parents.Count))),
                new(text.T("sum.fig.no_phone"), phoneless.Count),
            ],
            [],
            [
                new SummaryTable
                {
                    Key = "updates.by_class",
                    Title = text.T("sum.updates.by_class"),
                    Columns =
                    [
                        PairingSection.Col(text, "sum.col.class"),
                        PairingSection.Int(text, "sum.col.parents"),
                        PairingSection.Int(text, "sum.col.reached"),
                        PairingSection.Int(text, "sum.col.sent"),
                        PairingSection.Int(text, "sum.col.failed"),
                        PairingSection.Int(text, "sum.col.unreachable"),
                    ],
                    Rows = rows,
                    Total = Row(text.T("sum.total"), parents, data.Updates),
                },
                .. noPhone,
            ],
            note);
    }

    private static object?[] Row(string name, HashSet<int> parents, List<TermUpdate> updates)
    {
        var reached = updates.Where(u => u.Status == OutboxStatus.Sent && parents.Contains(u.PersonId)).Select(u => u.PersonId).Distinct().Count();
        return
        [
            name,
            parents.Count,
            reached,
            updates.Count(u => u.Status == OutboxStatus.Sent),
            updates.Count(u => u.Status == OutboxStatus.Failed),
            updates.Count(u => u.Status == OutboxStatus.Unreachable),
        ];
    }
}

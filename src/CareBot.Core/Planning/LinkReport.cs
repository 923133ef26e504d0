using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Summary;
using CareBot.Core.Text;
using CsvHelper;

namespace CareBot.Core.Planning;

/// <summary>
/// People of one role (or the parents of one class): linked to a chat, linked but blocking the bot, not linked yet.
/// For a class, also its children and those of them with no parent linked (the families to chase).
/// </summary>
public sealed record LinkRow(string Group, int People, int Linked, int Blocked, int NotLinked, int? Children = null, int? ChildrenWithoutLinkedParent = null);

/// <summary>Who is linked, per role and per class, for <c>carebot report</c>.</summary>
public sealed record LinkReportData(IReadOnlyList<LinkRow> ByRole, IReadOnlyList<LinkRow> ByClass);

/// <summary>
/// The linking part of <c>carebot report</c> (text, <c>--csv</c>, <c>--xlsx</c>): per role, everyone of the schools
/// in scope holding it (a person with two roles counts in both); per class, the parents of the class's children
/// (a parent of two classes counts in each). Linked means linked to a chat and not blocking the bot.
/// </summary>
public static class LinkReport
{
    private static readonly Roles[] RoleOrder = [Roles.Admin, Roles.Mentor, Roles.Volunteer, Roles.Parent];

    public static LinkReportData Build(CareDb db, CareOptions options, IReadOnlyCollection<string>? schools, string language)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var lang = PlanText.Lang(language);
        return db.Read(tx =>
        {
            var covered = schools is null ? null : SchoolDirectory.PeopleOf(tx, schools, options.Admins);
            var people = tx.People.FindAll().Where(p => p.Roles != Roles.None && (covered is null || covered.Contains(p.Id))).ToDictionary(p => p.Id);
            var byRole = RoleOrder.Select(r => Row(r.ToString().ToLowerInvariant(), people.Values.Where(p => p.Has(r)).ToList())).ToList();

            var directory = options.Directory;
            var byClass = tx.Children.FindAll()
                .Where(c => SchoolDirectory.InScope(schools, c))
                .GroupBy(c => (c.SchoolId, Class: string.IsNullOrWhiteSpace(c.Class) ? null : c.Class.Trim()))
                .OrderBy(g => g.Key.SchoolId, StringComparer.Ordinal).ThenBy(g => g.Key.Class is null).ThenBy(g => g.Key.Class, StringComparer.Ordinal)
                .Select(g =>
                {
                    var name = g.Key.Class ?? Texts.Get(lang, "links.no_class");
                    var label = directory.Several ? $"{directory.NameOf(g.Key.SchoolId)} {name}" : name;
                    var parents = g.SelectMany(c => c.Parents.Select(l => l.PersonId)).Distinct().Select(id => people.GetValueOrDefault(id)).OfType<Person>().ToList();
                    var unlinked = g.Count(c => !c.Parents.Any(l => people.GetValueOrDefault(l.PersonId)?.IsReachable == true));
                    return Row(label, parents) with { Children = g.Count(), ChildrenWithoutLinkedParent = unlinked };
                })
                .ToList();
            return new LinkReportData(byRole, byClass);
        });
    }

    private static LinkRow Row(string group, List<Person> people) => new(
        group,
        people.Count,
        people.Count(p => p.IsReachable),
        people.Count(p => p.Chat is not null && p.Status == Reachability.Blocked),
        people.Count(p => p.Chat is null));

    /// <summary>The two tables, headed and named in <paramref name="language"/>: for the text and the workbook.</summary>
    public static IReadOnlyList<SummaryTable> ToTables(LinkReportData data, string language)
    {
        ArgumentNullException.ThrowIfNull(data);
        var lang = PlanText.Lang(language);
        SummaryColumn Count(string key) => new(Texts.Get(lang, "links." + key), SummaryCellKind.Count);
        return
        [
            new SummaryTable
            {
                Key = "links.role",
                Title = Texts.Get(lang, "links.by_role"),
                Columns = [new SummaryColumn(Texts.Get(lang, "links.role"), SummaryCellKind.Text), Count("people"), Count("linked"), Count("blocked"), Count("not_linked")],
                Rows = data.ByRole.Select(r => new object?[] { Texts.Get(lang, "cli.role." + r.Group), r.People, r.Linked, r.Blocked, r.NotLinked }).ToList(),
            },
            new SummaryTable
            {
                Key = "links.class",
                Title = Texts.Get(lang, "links.by_class"),
                Columns =
                [
                    new SummaryColumn(Texts.Get(lang, "links.class"), SummaryCellKind.Text), Count("children"), Count("parents"), Count("linked"), Count("blocked"),
                    Count("not_linked"), Count("children_unlinked"),
                ],
                Rows = data.ByClass.Select(r => new object?[] { r.Group, r.Children, r.People, r.Linked, r.Blocked, r.NotLinked, r.ChildrenWithoutLinkedParent }).ToList(),
            },
        ];
    }

    /// <summary>Both tables as aligned text (CJK characters count double width), each under its title.</summary>
    public static string RenderText(LinkReportData data, string language)
    {
        var text = new StringBuilder();
        foreach (var table in ToTables(data, language))
        {
            text.Append('\n').Append(table.Title).Append('\n');
            var cells = table.Rows.Select(r => r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray()).Prepend(table.Columns.Select(c => c.Header).ToArray()).ToList();
            var widths = Enumerable.Range(0, table.Columns.Count).Select(i => cells.Max(r => CareReport.Width(r[i]))).ToArray();
            foreach (var row in cells)
            {
                text.AppendJoin("  ", row.Select((cell, i) => i == 0 ? cell + new string(' ', widths[i] - CareReport.Width(cell)) : new string(' ', widths[i] - CareReport.Width(cell)) + cell).ToArray()).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// After the report's CSV, one empty line and this table: <c>links_by</c> is <c>role</c> (group: admin, mentor,
    /// volunteer, parent) or <c>class</c> (group: the class; its people are the class's parents).
    /// </summary>
    public static void WriteCsv(LinkReportData data, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine();
        using var csv = CsvWriter.Create(writer, null, leaveOpen: true);
        csv.WriteRecord(["links_by", "group", "people", "linked", "blocked", "not_linked", "children", "children_without_linked_parent"]);
        static string N(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "";
        foreach (var (by, row) in data.ByRole.Select(r => ("role", r)).Concat(data.ByClass.Select(r => ("class", r))))
        {
            csv.WriteRecord([by, row.Group, N(row.People), N(row.Linked), N(row.Blocked), N(row.NotLinked), N(row.Children), N(row.ChildrenWithoutLinkedParent)]);
        }

        csv.Flush();
    }
}

namespace CareBot.Core.Summary;

/// <summary>
/// The term's work summary (工作总结), computed in Core and written as a workbook (<see cref="SummaryWorkbook"/>) or a
/// printable page (<see cref="SummaryPage"/>). It is a list of sections, each with headline figures, charts and
/// tables already in the reader's language, so a writer needs no knowledge of what a section means and a new section
/// (parents' meetings) is one more <see cref="ISummarySection"/>.
/// </summary>
/// <param name="From">First day of the term (local date, inclusive).</param>
/// <param name="To">Last day of the term (inclusive).</param>
/// <param name="Language">"zh" or "en".</param>
/// <param name="Title">The page's and workbook's title.</param>
/// <param name="Subtitle">The period and when it was made.</param>
/// <param name="Sections">In reading order.</param>
public sealed record TermSummary(DateOnly From, DateOnly To, string Language, string Title, string Subtitle, IReadOnlyList<SummarySection> Sections);

/// <param name="Key">Stable id, e.g. "pairing".</param>
/// <param name="Title">Heading.</param>
/// <param name="Figures">Headline figures, shown as boxes on the page and as the overview sheet.</param>
/// <param name="Charts">Drawn on the page as inline SVG (their data is in a table of the same section).</param>
/// <param name="Tables">One sheet each in the workbook.</param>
/// <param name="Note">How the figures are counted, where that is not obvious.</param>
public sealed record SummarySection(
    string Key,
    string Title,
    IReadOnlyList<SummaryFigure> Figures,
    IReadOnlyList<SummaryChart> Charts,
    IReadOnlyList<SummaryTable> Tables,
    string? Note = null);

/// <summary>A headline figure: a label and a number (a count, or an amount in yuan), with an optional "of N" or share after it.</summary>
public sealed record SummaryFigure(string Label, decimal Value, string? Detail = null);

public enum SummaryCellKind
{
    Text,
    Count,
    /// <summary>A number with one or two decimals (averages); null is shown empty.</summary>
    Average,
    Date,
    /// <summary>Money in yuan (decimal), shown with two decimals.</summary>
    Amount,
}

public sealed record SummaryColumn(string Header, SummaryCellKind Kind);

/// <summary>
/// A table: cells are string, int, double (null or NaN shown empty), DateOnly or decimal, matching the column's kind.
/// </summary>
public sealed class SummaryTable
{
    /// <summary>Stable id, e.g. "records.per_child".</summary>
    public required string Key { get; init; }

    /// <summary>Heading on the page; also the sheet's name in the workbook (shortened to Excel's 31 characters).</summary>
    public required string Title { get; init; }

    public required IReadOnlyList<SummaryColumn> Columns { get; init; }

    public required IReadOnlyList<object?[]> Rows { get; init; }

    /// <summary>A totals row after the rows, or null.</summary>
    public object?[]? Total { get; init; }

    /// <summary>
    /// How many rows the printed page shows: null for all, 0 for none (a long list, such as one row per child in a
    /// county, stays in the workbook; the page says so).
    /// </summary>
    public int? PageRows { get; init; }
}

public enum SummaryChartKind
{
    /// <summary>One line per series over the categories; a category without a value has no point.</summary>
    Line,
    /// <summary>One bar per category (the first series).</summary>
    Bar,
}

public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);

/// <param name="Key">Stable id.</param>
/// <param name="Title">Heading.</param>
/// <param name="Kind">Line or bar.</param>
/// <param name="Categories">The x axis labels (e.g. the Monday of each week).</param>
/// <param name="Series">The values per category.</param>
/// <param name="Min">The y axis' lowest value (null: 0).</param>
/// <param name="Max">The y axis' highest value (null: from the data).</param>
public sealed record SummaryChart(string Key, string Title, SummaryChartKind Kind, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series, double? Min = null, double? Max = null);

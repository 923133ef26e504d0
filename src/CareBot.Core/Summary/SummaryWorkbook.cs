using System.Data;
using CareBot.Core.Text;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;

namespace CareBot.Core.Summary;

/// <summary>
/// Writes a <see cref="TermSummary"/> as an .xlsx workbook: an overview sheet (title, period, every section's headline
/// figures and notes), then one sheet per table, numbers as numbers (yuan with two decimals) and dates as dates.
/// </summary>
public static class SummaryWorkbook
{
    /// <summary>Excel's limit on a sheet name.</summary>
    public const int MaxSheetName = 31;

    public static void Write(TermSummary summary, Stream output)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(output);
        var tables = new List<SummaryTable> { Overview(summary) };
        tables.AddRange(summary.Sections.SelectMany(s => s.Tables));
        WriteTables(tables, output);
    }

    /// <summary>Each table on a sheet of its own, named after its title; also used for the report's workbook.</summary>
    public static void WriteTables(IReadOnlyList<SummaryTable> tables, Stream output)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var sheets = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        var dates = new HashSet<string>(StringComparer.Ordinal);
        var amounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            sheets.Add(SheetName(table.Title, sheets.Keys), ToDataTable(table));
            dates.UnionWith(table.Columns.Where(c => c.Kind == SummaryCellKind.Date).Select(c => c.Header));
            amounts.UnionWith(table.Columns.Where(c => c.Kind == SummaryCellKind.Amount).Select(c => c.Header));
        }

        var configuration = new OpenXmlConfiguration
        {
            EnableAutoWidth = true,
            FastMode = true, // needed for auto width: the sheet is written, then its column widths (the stream must be seekable)
            FreezeRowCount = 1,
            DynamicColumns =
            [
                .. dates.Select(d => new DynamicExcelColumn(d) { Format = "yyyy-MM-dd" }),
                .. amounts.Select(a => new DynamicExcelColumn(a) { Format = "0.00" }),
            ],
        };
        output.SaveAs(sheets, printHeader: true, excelType: ExcelType.XLSX, configuration: configuration);
    }

    /// <summary>A valid, unique sheet name: no <c>: \ / ? * [ ]</c>, at most 31 characters.</summary>
    internal static string SheetName(string title, IEnumerable<string> taken)
    {
        var clean = new string(title.Select(c => c is ':' or '\\' or '/' or '?' or '*' or '[' or ']' ? '-' : c).ToArray()).Trim().Trim('\'');
        if (clean.Length == 0)
        {
            clean = "Sheet";
        }

        var used = taken.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var name = Cut(clean, MaxSheetName);
        for (var n = 2; used.Contains(name); n++)
        {
            var suffix = " (" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
            name = Cut(clean, MaxSheetName - suffix.Length) + suffix;
        }

        return name;

        static string Cut(string s, int max) => s.Length <= max ? s : s[..max].TrimEnd(' ', ',', '，', '、');
    }

    private static SummaryTable Overview(TermSummary summary)
    {
        var rows = new List<object?[]> { new object?[] { summary.Title, null, summary.Subtitle } };
        foreach (var section in summary.Sections)
        {
            rows.AddRange(section.Figures.Select(f => new object?[] { f.Label, (double)f.Value, f.Detail }));
        }

        foreach (var section in summary.Sections.Where(s => s.Note is not null))
        {
            rows.Add([section.Title, null, section.Note]);
        }

        return new SummaryTable
        {
            Key = "overview",
            Title = Texts.Get(summary.Language, "sum.sheet.overview"),
            Columns =
            [
                new SummaryColumn(Texts.Get(summary.Language, "sum.col.item"), SummaryCellKind.Text),
                new SummaryColumn(Texts.Get(summary.Language, "sum.col.value"), SummaryCellKind.Average), // counts and yuan: a plain number
                new SummaryColumn(Texts.Get(summary.Language, "sum.col.detail"), SummaryCellKind.Text),
            ],
            Rows = rows,
        };
    }

    private static DataTable ToDataTable(SummaryTable table)
    {
        var data = new DataTable(table.Key) { Locale = System.Globalization.CultureInfo.InvariantCulture };
        foreach (var column in table.Columns)
        {
            data.Columns.Add(column.Header, column.Kind switch
            {
                SummaryCellKind.Count => typeof(int),
                SummaryCellKind.Average => typeof(double),
                SummaryCellKind.Date => typeof(DateTime),
                SummaryCellKind.Amount => typeof(decimal),
                _ => typeof(string),
            });
        }

        foreach (var row in table.Total is null ? table.Rows : table.Rows.Append(table.Total))
        {
            // Text from people (names, notes) is a string cell, never a formula (ExportSafety).
            data.Rows.Add(row.Select((value, i) => value is not null && i < table.Columns.Count && table.Columns[i].Kind == SummaryCellKind.Text
                ? Export.ExportSafety.WorkbookText(value)
                : Cell(value)).ToArray());
        }

        return data;
    }

    private static object Cell(object? value) => value switch
    {
        null => DBNull.Value,
        double d when double.IsNaN(d) => DBNull.Value,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        _ => value,
    };
}

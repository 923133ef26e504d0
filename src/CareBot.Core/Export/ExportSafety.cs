using CsvHelper;

namespace CareBot.Core.Export;

/// <summary>
/// What every export does with text that came from people (a roster name, a note): it is written as text, never as
/// something a spreadsheet runs. A name written as <c>=HYPERLINK("http://…","点我")</c> would otherwise come back as a
/// live formula beside the invite codes and phone numbers (CSV injection, OWASP).
/// <list type="bullet">
/// <item>CSV (<c>invite --out</c>, <c>report --csv</c>): <see cref="Csv"/>; a field starting with <c>= + - @</c>, a tab or a
/// carriage return is prefixed with a single quote <c>'</c> (and quoted), OWASP's rule. CareBot's own fields never start
/// so: counts are not negative, phones are digits, invite codes never start with <c>-</c>.</item>
/// <item>Workbooks (<c>report --xlsx</c>, <c>summary</c> .xlsx): <see cref="WorkbookText"/>; every text cell is a string
/// cell. MiniExcel 1.46 writes a string as <c>&lt;c t="str"&gt;&lt;v&gt;…&lt;/v&gt;</c> and never a formula
/// (<c>&lt;f&gt;</c>): a workbook cell is text by its type, so no quote is added.</item>
/// <item>The HTML summary: every text goes through <see cref="Summary.SummaryPage"/>'s HTML escaping.</item>
/// </list>
/// </summary>
public static class ExportSafety
{
    /// <summary>The characters that make a spreadsheet read a cell as a formula (OWASP).</summary>
    public const string FormulaStarts = "=+-@\t\r";

    /// <summary>Writer options for every CSV export: fields that would start a formula are escaped with <c>'</c>.</summary>
    public static CsvWriterOptions CsvOptions { get; } = new() { Injection = CsvInjection.Escape, InjectionCharacters = FormulaStarts };

    /// <summary>A CSV writer for an export; see <see cref="CsvOptions"/>.</summary>
    public static CsvWriter Csv(TextWriter writer) => CsvWriter.Create(writer, CsvOptions, leaveOpen: true);

    /// <summary>True when a spreadsheet would read <paramref name="text"/> as a formula.</summary>
    public static bool StartsFormula(string? text) => text is { Length: > 0 } && FormulaStarts.Contains(text[0], StringComparison.Ordinal);

    /// <summary>A workbook's text cell: always a string (written as a string cell, never a formula).</summary>
    public static string WorkbookText(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

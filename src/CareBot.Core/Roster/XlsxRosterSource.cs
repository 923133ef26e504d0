using System.Globalization;
using System.Xml;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace CareBot.Core.Roster;

/// <summary>
/// A roster kept as an .xlsx workbook: the first sheet or the named one, read row by row (MiniExcel streams the sheet)
/// with the sheet's own row numbers. Cells Excel stores as numbers or dates are turned into the text a person sees:
/// a phone 13900000001 kept as a number is "13900000001" (never "1.39E+10"), a date cell (an Excel date serial with
/// a date format) is "2024-09-01".
/// </summary>
internal sealed class XlsxRosterSource : RosterSource
{
    private readonly Stream _data;
    private readonly string? _wanted;
    private string? _sheet;

    /// <param name="data">The workbook; must be seekable (a file, or a MemoryStream).</param>
    /// <param name="fileName">Used in problems.</param>
    /// <param name="sheet">The sheet to read; null for the first.</param>
    public XlsxRosterSource(Stream data, string fileName, string? sheet)
        : base(fileName)
    {
        _data = data;
        _wanted = string.IsNullOrWhiteSpace(sheet) ? null : sheet.Trim();
    }

    public override string? Sheet => _sheet;

    public override bool ShortRecordsAreComplete => true;

    public override string EmptyKey => "roster.sheet.empty";

    public override string NoRowsKey => "roster.sheet.no_rows";

    /// <summary>The names of the workbook's sheets in order; null when it is not a readable .xlsx workbook.</summary>
    public static List<string>? SheetNames(Stream data)
    {
        try
        {
            data.Position = 0;
            var names = MiniExcel.GetSheetNames(data);
            return names.Count == 0 ? null : names;
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            return null;
        }
        finally
        {
            data.Position = 0;
        }
    }

    public override IEnumerable<SourceRecord> Records(List<RosterProblem> problems, string language)
    {
        if (_data.Length > ImportLimits.MaxFileBytes)
        {
            problems.Add(ImportLimits.FileTooLarge(_data.Length, language));
            return [];
        }

        var names = SheetNames(_data);
        if (names is null)
        {
            problems.Add(new RosterProblem(0, "", Text.Texts.Get(language, "roster.workbook.unreadable")));
            return [];
        }

        _sheet = _wanted is null
            ? names[0]
            : names.FirstOrDefault(n => n == _wanted) ?? names.FirstOrDefault(n => string.Equals(n.Trim(), _wanted, StringComparison.OrdinalIgnoreCase));
        if (_sheet is null)
        {
            problems.Add(new RosterProblem(0, "", Text.Texts.Get(language, "roster.workbook.no_sheet", _wanted, string.Join(", ", names))));
            return [];
        }

        // The sheet's size, as it claims and as it is, before MiniExcel walks it row by row.
        if (ImportLimits.CheckSheet(_data, _sheet, language) is { } tooLarge)
        {
            problems.Add(tooLarge);
            return [];
        }

        return Rows(_sheet, problems, language);
    }

    private IEnumerable<SourceRecord> Rows(string sheet, List<RosterProblem> problems, string language)
    {
        // Vertically merged cells (a class written once for its children) are filled in, as a person reads them.
        var configuration = new OpenXmlConfiguration { FillMergedCells = true };
        IEnumerator<object>? rows = null;
        try
        {
            var row = 0; // MiniExcel yields every row from row 1 on, empty ones included: the count is the sheet's row number
            while (true)
            {
                SourceRecord record;
                try
                {
                    rows ??= MiniExcel.Query(_data, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX, configuration: configuration).GetEnumerator();
                    if (!rows.MoveNext())
                    {
                        break;
                    }

                    row++;
                    var cells = (IDictionary<string, object?>)rows.Current;
                    record = new SourceRecord(row, cells.Values.Select(CellText).ToArray());
                }
                catch (Exception ex) when (Unreadable(ex))
                {
                    problems.Add(new RosterProblem(0, "", Text.Texts.Get(language, "roster.workbook.unreadable")));
                    break;
                }

                yield return record;
            }
        }
        finally
        {
            rows?.Dispose();
        }
    }

    /// <summary>What a cell shows, as text: numbers without exponent or trailing ".0", dates as yyyy-MM-dd.</summary>
    internal static string CellText(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => Number(d),
        float f => Number(f),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        int or long or short => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString(@"hh\:mm", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Number(double d) =>
        Math.Abs(d) < 1e15 && d == Math.Floor(d)
            ? d.ToString("0", CultureInfo.InvariantCulture)
            : d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>What a file that is not a readable .xlsx workbook (a CSV renamed, an old .xls, a broken zip) throws.</summary>
    private static bool Unreadable(Exception ex) => ex is InvalidDataException or XmlException or InvalidOperationException
        or NotSupportedException or FormatException or ArgumentException or EndOfStreamException or KeyNotFoundException;
}

using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CareBot.Core.Tests.Workbooks;

/// <summary>
/// Builds .xlsx workbooks for tests with the Open XML SDK, cell by cell as Excel stores them: text in the shared
/// string table, numbers (phones too) as numbers, dates as date serials with a date format, merged cells, rows
/// only where there is something (so row numbers have gaps).
/// </summary>
internal static class TestWorkbook
{
    /// <summary>A sheet: rows by their own row number (1-based), cells from column A; null cells are left out.</summary>
    public sealed record Sheet(string Name, IReadOnlyList<(uint Row, object?[] Cells)> Rows, params string[] Merges);

    public static byte[] Build(params Sheet[] sheets)
    {
        using var buffer = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(buffer, SpreadsheetDocumentType.Workbook))
        {
            var book = doc.AddWorkbookPart();
            book.Workbook = new Workbook();
            var styles = book.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new NumberingFormats(new NumberingFormat { NumberFormatId = 176, FormatCode = "yyyy\"年\"m\"月\"d\"日\"" }) { Count = 1 },
                new Fonts(new Font()) { Count = 1 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border()) { Count = 1 },
                new CellStyleFormats(new CellFormat()) { Count = 1 },
                new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 176, ApplyNumberFormat = true }) { Count = 2 });
            var strings = book.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var list = book.Workbook.AppendChild(new DocumentFormat.OpenXml.Spreadsheet.Sheets());
            uint id = 1;
            foreach (var sheet in sheets)
            {
                var part = book.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                var covered = Covered(sheet.Merges);
                foreach (var (rowNumber, cells) in sheet.Rows)
                {
                    var row = new Row { RowIndex = rowNumber };
                    var width = Math.Max(cells.Length, covered.Where(c => c.Row == rowNumber).Select(c => c.Column + 1).DefaultIfEmpty(0).Max());
                    for (var c = 0; c < width; c++)
                    {
                        if (c < cells.Length && cells[c] is { } value)
                        {
                            row.Append(Cell(Column(c) + rowNumber, value, strings.SharedStringTable, index));
                        }
                        else if (covered.Contains((rowNumber, c)))
                        {
                            row.Append(new Cell { CellReference = Column(c) + rowNumber }); // as Excel writes the rest of a merged range
                        }
                    }

                    data.Append(row);
                }

                part.Worksheet = new Worksheet(data);
                if (sheet.Merges.Length > 0)
                {
                    part.Worksheet.Append(new MergeCells(sheet.Merges.Select(m => new MergeCell { Reference = m })) { Count = (uint)sheet.Merges.Length });
                }

                list.Append(new DocumentFormat.OpenXml.Spreadsheet.Sheet { Id = book.GetIdOfPart(part), SheetId = id++, Name = sheet.Name });
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The cells of merged ranges ("D3:D4") other than each range's first.</summary>
    private static HashSet<(uint Row, int Column)> Covered(string[] merges)
    {
        var cells = new HashSet<(uint, int)>();
        foreach (var range in merges)
        {
            var (r1, c1) = Parse(range.Split(':')[0]);
            var (r2, c2) = Parse(range.Split(':')[1]);
            for (var r = r1; r <= r2; r++)
            {
                for (var c = c1; c <= c2; c++)
                {
                    if (r != r1 || c != c1)
                    {
                        cells.Add((r, c));
                    }
                }
            }
        }

        return cells;

        static (uint Row, int Column) Parse(string reference)
        {
            var letters = new string(reference.TakeWhile(char.IsAsciiLetterUpper).ToArray());
            var column = letters.Aggregate(0, (n, ch) => (n * 26) + (ch - 'A' + 1)) - 1;
            return (uint.Parse(reference[letters.Length..], System.Globalization.CultureInfo.InvariantCulture), column);
        }
    }

    /// <summary>0 → A, 25 → Z, 26 → AA.</summary>
    public static string Column(int index) => index < 26 ? ((char)('A' + index)).ToString() : Column((index / 26) - 1) + (char)('A' + (index % 26));

    private static Cell Cell(string reference, object value, SharedStringTable strings, Dictionary<string, int> index)
    {
        switch (value)
        {
            case string s:
                if (!index.TryGetValue(s, out var i))
                {
                    i = index.Count;
                    index.Add(s, i);
                    strings.Append(new SharedStringItem(new DocumentFormat.OpenXml.Spreadsheet.Text(s) { Space = SpaceProcessingModeValues.Preserve }));
                }

                return new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(i) };
            case DateTime d:
                return new Cell { CellReference = reference, StyleIndex = 1, CellValue = new CellValue(d.ToOADate()) };
            default:
                return new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)) };
        }
    }
}

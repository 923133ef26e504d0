using System.Globalization;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CareBot.Core.Tests.Workbooks;

/// <summary>
/// Reads an .xlsx workbook back with the Open XML SDK (independent of MiniExcel, which writes them): each sheet's rows
/// in order, numbers as double, text as string, empty cells as null.
/// </summary>
internal static class WorkbookReader
{
    public static List<(string Name, List<object?[]> Rows)> Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    public static List<(string Name, List<object?[]> Rows)> Read(Stream stream)
    {
        using var doc = SpreadsheetDocument.Open(stream, isEditable: false);
        var book = doc.WorkbookPart!;
        var shared = book.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        var result = new List<(string, List<object?[]>)>();
        foreach (var sheet in book.Workbook.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)book.GetPartById(sheet.Id!);
            var rows = new List<object?[]>();
            foreach (var row in part.Worksheet.Descendants<Row>())
            {
                var index = (int)row.RowIndex!.Value;
                while (rows.Count < index - 1)
                {
                    rows.Add([]);
                }

                var cells = new List<object?>();
                foreach (var cell in row.Elements<Cell>())
                {
                    var column = Column(cell.CellReference!.Value!);
                    while (cells.Count < column)
                    {
                        cells.Add(null);
                    }

                    cells.Add(Value(cell, shared));
                }

                rows.Add([.. cells]);
            }

            result.Add((sheet.Name!.Value!, rows));
        }

        return result;
    }

    /// <summary>The rows of the named sheet.</summary>
    public static List<object?[]> Sheet(this List<(string Name, List<object?[]> Rows)> book, string name) =>
        book.Single(s => s.Name == name).Rows;

    /// <summary>A cell of a row (null beyond its last cell).</summary>
    public static object? At(this object?[] row, int column) => column < row.Length ? row[column] : null;

    /// <summary>An Excel date serial as a date.</summary>
    public static DateOnly Date(object? serial) => DateOnly.FromDateTime(DateTime.FromOADate(Assert.IsType<double>(serial)));

    private static int Column(string reference)
    {
        var n = 0;
        foreach (var c in reference.TakeWhile(char.IsAsciiLetterUpper))
        {
            n = (n * 26) + (c - 'A' + 1);
        }

        return n - 1;
    }

    private static object? Value(Cell cell, List<string> shared)
    {
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)];
        }

        if (type == CellValues.InlineString)
        {
            return cell.InlineString?.InnerText;
        }

        var text = cell.CellValue?.Text;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (type == CellValues.String || type == CellValues.Boolean)
        {
            return text;
        }

        return double.Parse(text, CultureInfo.InvariantCulture);
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Xml;

namespace CareBot.Core.Roster;

/// <summary>
/// The limits of every table import (the roster, the duty rota): the file's size, its data rows and, for a workbook,
/// what its sheet claims and holds. A file over one of them is refused at once with one problem naming the limit,
/// before any row is read or the database is touched: a workbook with one stray cell at XFD1048576 would otherwise
/// have the reader walk a million rows of 16,384 cells.
/// </summary>
public static class ImportLimits
{
    /// <summary>The largest file read: 32 MiB (a county's 50,000 children take about 10 MiB as CSV).</summary>
    public const long MaxFileBytes = 32L * 1024 * 1024;

    /// <summary>The most data rows (children, or turns of a rota) in one file.</summary>
    public const int MaxRows = 50_000;

    /// <summary>The highest row number of a sheet: the data rows plus room for titles, the header and blank rows.</summary>
    public const int MaxSheetRow = MaxRows + 1_000;

    /// <summary>The most columns of a sheet (A…CV): the roster has 19, a school's own sheet a few more.</summary>
    public const int MaxSheetColumns = 100;

    /// <summary>The most cells a sheet's XML may hold (written cells, empty ones included): 50,000 children of 20 columns.</summary>
    public const int MaxSheetCells = 1_000_000;

    /// <summary>The most bytes a sheet's XML may unpack to (a zip of repeated cells packs a thousandfold).</summary>
    public const long MaxSheetXmlBytes = 256L * 1024 * 1024;

    /// <summary>The file's bytes, or null (and a problem naming the limit) when it is larger than <see cref="MaxFileBytes"/>.</summary>
    internal static byte[]? ReadAll(Stream data, List<RosterProblem> problems, string language)
    {
        if (data.CanSeek && data.Length - data.Position > MaxFileBytes)
        {
            problems.Add(FileTooLarge(data.Length - data.Position, language));
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = data.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxFileBytes)
            {
                problems.Add(FileTooLarge(buffer.Length, language));
                return null;
            }
        }

        return buffer.ToArray();
    }

    internal static RosterProblem FileTooLarge(long bytes, string language) =>
        Problem(language, "roster.limit.file_size", Megabytes(bytes), Megabytes(MaxFileBytes));

    internal static RosterProblem TooManyRows(string language) =>
        Problem(language, "roster.limit.rows", MaxRows.ToString("N0", CultureInfo.InvariantCulture));

    /// <summary>
    /// Checks the workbook's sheet (its part <paramref name="sheetName"/>) against the limits before it is handed to
    /// MiniExcel: the size it claims in <c>&lt;dimension ref&gt;</c>, every row and cell reference it holds, merged
    /// ranges (which are filled in), the number of cells and the bytes its XML unpacks to. Returns the problem, or null.
    /// The pass reads the XML forward once and stops at the first breach.
    /// </summary>
    internal static RosterProblem? CheckSheet(Stream workbook, string sheetName, string language)
    {
        workbook.Position = 0;
        try
        {
            using var zip = new ZipArchive(workbook, ZipArchiveMode.Read, leaveOpen: true);
            var path = SheetPath(zip, sheetName);
            var entry = path is null ? null : zip.GetEntry(path);
            if (entry is null)
            {
                return null; // MiniExcel finds its sheets its own way; it answers for what it cannot read
            }

            if (entry.Length > MaxSheetXmlBytes)
            {
                return SheetTooLarge(language);
            }

            using var xml = new CountingStream(entry.Open(), MaxSheetXmlBytes);
            using var reader = XmlReader.Create(xml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true, XmlResolver = null });
            var cells = 0;
            var row = 0;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "dimension" or "mergeCell":
                        var range = reader.GetAttribute("ref");
                        if (range is not null && RangeProblem(range, language) is { } claimed)
                        {
                            return claimed;
                        }

                        break;
                    case "row":
                        row = int.TryParse(reader.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : row + 1;
                        if (row > MaxSheetRow)
                        {
                            return Problem(language, "roster.limit.sheet_rows", Cell(1, row), MaxSheetRow.ToString("N0", CultureInfo.InvariantCulture));
                        }

                        break;
                    case "c":
                        if (++cells > MaxSheetCells)
                        {
                            return Problem(language, "roster.limit.sheet_cells", MaxSheetCells.ToString("N0", CultureInfo.InvariantCulture));
                        }

                        if (reader.GetAttribute("r") is { } reference && RangeProblem(reference, language) is { } far)
                        {
                            return far;
                        }

                        break;
                }
            }

            return null;
        }
        catch (SheetTooLargeException)
        {
            return SheetTooLarge(language);
        }
        catch (Exception ex) when (ex is InvalidDataException or XmlException)
        {
            return null; // not a readable workbook: MiniExcel says so in its own words
        }
        finally
        {
            workbook.Position = 0;
        }
    }

    /// <summary>A cell or range ("XFD1048576", "A1:XFD1048576") reaching past the rows or columns allowed.</summary>
    private static RosterProblem? RangeProblem(string range, string language)
    {
        foreach (var part in range.Split(':'))
        {
            if (!TryParseCell(part, out var column, out var row))
            {
                continue;
            }

            if (column > MaxSheetColumns)
            {
                return Problem(language, "roster.limit.sheet_columns", part.Trim().TrimStart('$'), Cell(MaxSheetColumns, 1)[..^1], MaxSheetColumns);
            }

            if (row > MaxSheetRow)
            {
                return Problem(language, "roster.limit.sheet_rows", part.Trim().TrimStart('$'), MaxSheetRow.ToString("N0", CultureInfo.InvariantCulture));
            }
        }

        return null;
    }

    /// <summary>"XFD1048576" → column 16384, row 1048576 ("$A$1" too; a bare column or row counts as 0).</summary>
    internal static bool TryParseCell(string reference, out int column, out int row)
    {
        column = 0;
        row = 0;
        var i = 0;
        var text = reference.Trim();
        for (; i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '$'); i++)
        {
            if (text[i] != '$')
            {
                column = Math.Min((column * 26) + (char.ToUpperInvariant(text[i]) - 'A' + 1), int.MaxValue / 27);
            }
        }

        for (; i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '$'); i++)
        {
            if (text[i] != '$')
            {
                row = Math.Min((row * 10) + (text[i] - '0'), int.MaxValue / 11);
            }
        }

        return i == text.Length && (column > 0 || row > 0);
    }

    private static string Cell(int column, int row)
    {
        var letters = "";
        for (var c = column; c > 0; c = (c - 1) / 26)
        {
            letters = (char)('A' + ((c - 1) % 26)) + letters;
        }

        return letters + row.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The path inside the zip of the sheet named <paramref name="sheetName"/> (workbook.xml and its relationships).</summary>
    private static string? SheetPath(ZipArchive zip, string sheetName)
    {
        string? id = null;
        using (var book = zip.GetEntry("xl/workbook.xml")?.Open())
        {
            if (book is null)
            {
                return null;
            }

            using var reader = XmlReader.Create(book, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (id is null && reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet" && reader.GetAttribute("name") == sheetName)
                {
                    id = reader.GetAttribute("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
                }
            }
        }

        using var rels = zip.GetEntry("xl/_rels/workbook.xml.rels")?.Open();
        if (id is null || rels is null)
        {
            return null;
        }

        using var links = XmlReader.Create(rels, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        while (links.Read())
        {
            if (links.NodeType == XmlNodeType.Element && links.LocalName == "Relationship" && links.GetAttribute("Id") == id)
            {
                var target = links.GetAttribute("Target") ?? "";
                return target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
            }
        }

        return null;
    }

    private static RosterProblem SheetTooLarge(string language) =>
        Problem(language, "roster.limit.sheet_bytes", Megabytes(MaxSheetXmlBytes));

    private static RosterProblem Problem(string language, string key, params object?[] args) =>
        new(0, "", Text.Texts.Get(language, key, args));

    private static string Megabytes(long bytes) =>
        (bytes / (1024.0 * 1024.0)).ToString(bytes < 1024 * 1024 ? "0.##" : "0.#", CultureInfo.InvariantCulture);

    private sealed class SheetTooLargeException : Exception
    {
    }

    /// <summary>A read-only stream that stops (throws) once more than its limit has been read: the zip bomb's fuse.</summary>
    private sealed class CountingStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            return _read > limit ? throw new SheetTooLargeException() : n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

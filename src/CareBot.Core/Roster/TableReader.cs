namespace CareBot.Core.Roster;

/// <summary>A data row of the file: its first line number and its fields by column (null when the file has no such column).</summary>
internal sealed record TableRow<TColumn>(int Line, string?[] Fields, TableHeaders<TColumn> Columns)
    where TColumn : struct, Enum
{
    public string Get(TColumn column) => Fields[Columns.IndexOf(column)] ?? "";
}

/// <summary>The decoded, parsed file: header, rows and the problems found on the way.</summary>
internal sealed class ParsedTable<TColumn>(TableHeaders<TColumn> columns)
    where TColumn : struct, Enum
{
    public TableHeaders<TColumn> Columns { get; } = columns;
    public RosterEncoding? Encoding { get; set; }
    public int HeaderLine { get; set; }
    /// <summary>The header as written in the file, per column present.</summary>
    public Dictionary<TColumn, string> Headers { get; } = [];
    public bool ChineseHeaders { get; set; } = true;
    public List<TableRow<TColumn>> Rows { get; } = [];
    public List<RosterProblem> Problems { get; } = [];
    /// <summary>What the import takes but the admin should know (a parent without a phone), in file order.</summary>
    public List<RosterProblem> Warnings { get; } = [];
    /// <summary>A required column is missing: the rows are not checked, every row would repeat the same problem.</summary>
    public bool MissingRequiredColumn { get; set; }

    /// <summary>The file as a whole could not be read (over a limit, undecodable, not a workbook, no such sheet).</summary>
    public bool Unreadable => Problems.Exists(p => p.Line == 0);

    public string HeaderOf(TColumn column) => Headers.TryGetValue(column, out var h)
        ? h
        : ChineseHeaders ? Columns.Chinese(column) : Columns.English(column);

    /// <summary>The problems in file order: by line, then by the column's place in the table (whole-row problems first).</summary>
    public List<RosterProblem> SortedProblems() => Problems
        .OrderBy(p => p.Line)
        .ThenBy(p => p.Column.Length == 0 ? -1 : ColumnOrder(p.Column))
        .ToList();

    private int ColumnOrder(string header)
    {
        foreach (var (column, written) in Headers)
        {
            if (written == header)
            {
                return Columns.IndexOf(column);
            }
        }

        return Columns.Columns.Count;
    }
}

/// <summary>
/// Turns the records of a <see cref="RosterSource"/> (CSV or a workbook's sheet) into rows of a table (the roster, the
/// duty rota): title rows, the header and its columns, short or long records. The same for every source and table.
/// </summary>
internal static class TableReader
{
    /// <summary>Rows before the header that may hold a sheet title ("XX小学留守儿童档案"); they are skipped.</summary>
    private const int MaxTitleRows = 5;

    /// <param name="source">Where the records come from.</param>
    /// <param name="columns">The table's columns.</param>
    /// <param name="language">"zh" or "en" for the problems.</param>
    /// <param name="checkHeader">The table's own header rules (required columns), given the parsed header and its line.</param>
    public static ParsedTable<TColumn> Read<TColumn>(RosterSource source, TableHeaders<TColumn> columns, string language, Action<ParsedTable<TColumn>, int> checkHeader)
        where TColumn : struct, Enum
    {
        var parsed = new ParsedTable<TColumn>(columns);
        Parse(source.Records(parsed.Problems, language), source, language, parsed, checkHeader);
        parsed.Encoding = source.Encoding;
        return parsed;
    }

    private static void Parse<TColumn>(IEnumerable<SourceRecord> records, RosterSource source, string language, ParsedTable<TColumn> parsed, Action<ParsedTable<TColumn>, int> checkHeader)
        where TColumn : struct, Enum
    {
        int[]? map = null; // field index → column index, -1 for ignored
        var width = 0;
        var skipped = 0;
        foreach (var (line, record, malformed) in records)
        {
            var fields = record.Select(f => f.Trim()).ToArray();
            if (malformed && map is not null)
            {
                parsed.Problems.Add(new RosterProblem(line, "", Text.Texts.Get(language, "roster.row.bad_quotes")));
                continue;
            }

            if (fields.All(f => f.Length == 0))
            {
                continue; // a blank line, or an Excel row of empty cells
            }

            if (map is null)
            {
                if (skipped < MaxTitleRows && IsTitle(fields, parsed.Columns))
                {
                    skipped++; // a sheet title above the header
                    continue;
                }

                parsed.HeaderLine = line;
                map = MapHeader(record, line, language, parsed);
                checkHeader(parsed, line);
                width = record.Length;
                continue;
            }

            if (record.Length != width)
            {
                // Excel may add trailing empty cells, and a workbook leaves them out: only a real difference is a problem.
                var complete = record.Length > width
                    ? fields.Skip(width).All(f => f.Length == 0)
                    : source.ShortRecordsAreComplete;
                if (!complete)
                {
                    parsed.Problems.Add(new RosterProblem(line, "", Text.Texts.Get(language, "roster.row.column_count", record.Length, width)));
                    continue;
                }
            }

            var row = new string?[parsed.Columns.Columns.Count];
            for (var i = 0; i < map.Length; i++)
            {
                if (map[i] >= 0)
                {
                    row[map[i]] = i < fields.Length ? fields[i] : "";
                }
            }

            if (parsed.Rows.Count == ImportLimits.MaxRows)
            {
                // The whole file is refused: one problem naming the limit, not a list of every row.
                parsed.Problems.Clear();
                parsed.Problems.Add(ImportLimits.TooManyRows(language));
                parsed.MissingRequiredColumn = true;
                parsed.Rows.Clear();
                return;
            }

            parsed.Rows.Add(new TableRow<TColumn>(line, row, parsed.Columns));
        }

        if (map is null && parsed.Problems.Count == 0)
        {
            // (A source that could not be read at all has said why: bad bytes, not a workbook, no such sheet.)
            parsed.Problems.Add(new RosterProblem(1, "", Text.Texts.Get(language, source.EmptyKey)));
        }
    }

    /// <summary>
    /// A title above the header: one text that names no column, in one cell (or, in a workbook whose merged title cells
    /// are filled in, the same text in each).
    /// </summary>
    private static bool IsTitle<TColumn>(string[] fields, TableHeaders<TColumn> columns)
        where TColumn : struct, Enum
    {
        var texts = fields.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return texts.Count == 1 && columns.Parse(texts[0]) is null;
    }

    private static int[] MapHeader<TColumn>(string[] record, int line, string language, ParsedTable<TColumn> parsed)
        where TColumn : struct, Enum
    {
        var map = new int[record.Length];
        var chinese = 0;
        var english = 0;
        for (var i = 0; i < record.Length; i++)
        {
            var header = TableHeaders<TColumn>.Clean(record[i]);
            map[i] = -1;
            if (header.Length == 0)
            {
                continue; // an empty trailing column from the spreadsheet
            }

            if (TableHeaders<TColumn>.IsChinese(header))
            {
                chinese++;
            }
            else
            {
                english++;
            }

            var column = parsed.Columns.Parse(header);
            if (column is null)
            {
                parsed.Problems.Add(new RosterProblem(line, header, Text.Texts.Get(language, parsed.Columns.UnknownKey)));
            }
            else if (parsed.Headers.TryGetValue(column.Value, out var first))
            {
                parsed.Problems.Add(new RosterProblem(line, header, Text.Texts.Get(language, "roster.header.duplicate", first)));
            }
            else
            {
                parsed.Headers[column.Value] = header;
                map[i] = parsed.Columns.IndexOf(column.Value);
            }
        }

        parsed.ChineseHeaders = chinese >= english;
        return map;
    }
}

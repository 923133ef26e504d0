namespace CareBot.Core.Roster;

/// <summary>A data row of the file: its first line number and its fields by column (null when the file has no such column).</summary>
internal sealed record RosterRow(int Line, string?[] Fields)
{
    public string Get(RosterColumn column) => Fields[(int)column] ?? "";
}

/// <summary>The decoded, parsed file: header, rows and the problems found on the way.</summary>
internal sealed class ParsedRoster
{
    public RosterEncoding? Encoding { get; set; }
    public int HeaderLine { get; set; }
    /// <summary>The header as written in the file, per column present.</summary>
    public Dictionary<RosterColumn, string> Headers { get; } = [];
    public bool ChineseHeaders { get; set; } = true;
    public List<RosterRow> Rows { get; } = [];
    public List<RosterProblem> Problems { get; } = [];
    /// <summary>A required column is missing: the rows are not checked, every row would repeat the same problem.</summary>
    public bool MissingRequiredColumn { get; set; }

    public string HeaderOf(RosterColumn column) => Headers.TryGetValue(column, out var h)
        ? h
        : ChineseHeaders ? RosterHeaders.Chinese(column) : RosterHeaders.English(column);
}

/// <summary>
/// Turns the records of a <see cref="RosterSource"/> (CSV or a workbook's sheet) into rows: title rows, the header and
/// its columns, short or long records. The same for every source.
/// </summary>
internal static class RosterReader
{
    /// <summary>Rows before the header that may hold a sheet title ("XX小学留守儿童档案"); they are skipped.</summary>
    private const int MaxTitleRows = 5;

    public static ParsedRoster Read(RosterSource source, string language)
    {
        var parsed = new ParsedRoster();
        Parse(source.Records(parsed.Problems, language), source, language, parsed);
        parsed.Encoding = source.Encoding;
        return parsed;
    }

    private static void Parse(IEnumerable<SourceRecord> records, RosterSource source, string language, ParsedRoster parsed)
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
                if (skipped < MaxTitleRows && IsTitle(fields))
                {
                    skipped++; // a sheet title above the header
                    continue;
                }

                parsed.HeaderLine = line;
                map = MapHeader(record, line, language, parsed);
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

            var row = new string?[RosterHeaders.Columns.Count];
            for (var i = 0; i < map.Length; i++)
            {
                if (map[i] >= 0)
                {
                    row[map[i]] = i < fields.Length ? fields[i] : "";
                }
            }

            parsed.Rows.Add(new RosterRow(line, row));
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
    private static bool IsTitle(string[] fields)
    {
        var texts = fields.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return texts.Count == 1 && RosterHeaders.Parse(texts[0]) is null;
    }

    private static int[] MapHeader(string[] record, int line, string language, ParsedRoster parsed)
    {
        var map = new int[record.Length];
        var chinese = 0;
        var english = 0;
        for (var i = 0; i < record.Length; i++)
        {
            var header = RosterHeaders.Clean(record[i]);
            map[i] = -1;
            if (header.Length == 0)
            {
                continue; // an empty trailing column from the spreadsheet
            }

            if (RosterHeaders.IsChinese(header))
            {
                chinese++;
            }
            else
            {
                english++;
            }

            var column = RosterHeaders.Parse(header);
            if (column is null)
            {
                parsed.Problems.Add(new RosterProblem(line, header, Text.Texts.Get(language, "roster.header.unknown")));
            }
            else if (parsed.Headers.TryGetValue(column.Value, out var first))
            {
                parsed.Problems.Add(new RosterProblem(line, header, Text.Texts.Get(language, "roster.header.duplicate", first)));
            }
            else
            {
                parsed.Headers[column.Value] = header;
                map[i] = (int)column.Value;
            }
        }

        parsed.ChineseHeaders = chinese >= english;
        RosterColumn[] required = [RosterColumn.ChildId, RosterColumn.ChildName, RosterColumn.MentorName, RosterColumn.MentorPhone];
        foreach (var column in required.Where(c => !parsed.Headers.ContainsKey(c)))
        {
            parsed.MissingRequiredColumn = true;
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Text.Texts.Get(language, "roster.header.missing")));
        }

        if (!parsed.Headers.ContainsKey(RosterColumn.FatherPhone) && !parsed.Headers.ContainsKey(RosterColumn.MotherPhone))
        {
            parsed.MissingRequiredColumn = true;
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(RosterColumn.FatherPhone), Text.Texts.Get(language, "roster.header.no_parent_phone")));
        }

        return map;
    }
}

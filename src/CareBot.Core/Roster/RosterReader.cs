using System.Globalization;
using System.Text;
using CsvHelper;

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

/// <summary>Turns the bytes of a roster file into rows: decoding (UTF-8 / GB18030), CSV parsing, header mapping.</summary>
internal static class RosterReader
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Rows before the header that may hold a sheet title ("XX小学留守儿童档案"); they are skipped.</summary>
    private const int MaxTitleRows = 5;

    static RosterReader() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static ParsedRoster Read(Stream data, RosterEncoding encoding, string language)
    {
        var parsed = new ParsedRoster();
        byte[] bytes;
        using (var buffer = new MemoryStream())
        {
            data.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        var text = Decode(bytes, encoding, language, parsed);
        if (text is null)
        {
            return parsed;
        }

        Parse(text, language, parsed);
        return parsed;
    }

    private static string? Decode(byte[] bytes, RosterEncoding encoding, string language, ParsedRoster parsed)
    {
        var hasBom = bytes.AsSpan().StartsWith(Utf8Bom);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var gb = System.Text.Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        var body = hasBom ? bytes.AsMemory(Utf8Bom.Length) : bytes.AsMemory();

        switch (encoding)
        {
            case RosterEncoding.Utf8:
                parsed.Encoding = RosterEncoding.Utf8;
                return TryDecode(utf8, body, out var u, out var at)
                    ? u
                    : Fail(bytes, at + (hasBom ? Utf8Bom.Length : 0), Texts("roster.file.not_utf8"));
            case RosterEncoding.Gb18030:
                if (hasBom)
                {
                    return Fail(bytes, 0, Texts("roster.file.bom_but_gb18030"));
                }

                parsed.Encoding = RosterEncoding.Gb18030;
                return TryDecode(gb, body, out var g, out at) ? g : Fail(bytes, at, Texts("roster.file.not_gb18030"));
            default:
                if (hasBom)
                {
                    parsed.Encoding = RosterEncoding.Utf8;
                    return TryDecode(utf8, body, out u, out at) ? u : Fail(bytes, at + Utf8Bom.Length, Texts("roster.file.not_utf8"));
                }

                if (TryDecode(utf8, body, out u, out _))
                {
                    parsed.Encoding = RosterEncoding.Utf8;
                    return u;
                }

                if (TryDecode(gb, body, out g, out at))
                {
                    parsed.Encoding = RosterEncoding.Gb18030;
                    return g;
                }

                return Fail(bytes, at, Texts("roster.file.unknown_encoding"));
        }

        string Texts(string key) => Text.Texts.Get(language, key);

        string? Fail(byte[] all, int byteIndex, string message)
        {
            parsed.Encoding = null;
            parsed.Problems.Add(new RosterProblem(LineOfByte(all, byteIndex), "", message));
            return null;
        }
    }

    private static bool TryDecode(System.Text.Encoding encoding, ReadOnlyMemory<byte> bytes, out string text, out int badByte)
    {
        try
        {
            text = encoding.GetString(bytes.Span);
            badByte = -1;
            return true;
        }
        catch (DecoderFallbackException ex)
        {
            text = "";
            badByte = Math.Max(0, ex.Index);
            return false;
        }
    }

    private static int LineOfByte(byte[] bytes, int index)
    {
        var line = 1;
        for (var i = 0; i < Math.Min(index, bytes.Length); i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }

        return line;
    }

    private static void Parse(string text, string language, ParsedRoster parsed)
    {
        var malformed = new HashSet<long>();
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            Separator = ',',
            SkipEmptyLines = false, // kept so that line numbers stay right; skipped below
            TrimWhitespace = true,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            OnMalformedRecord = m => malformed.Add(m.LineNumber),
        };

        using var reader = CsvReader.FromText(text, options);
        int[]? map = null; // field index → column index, -1 for ignored
        var width = 0;
        var skipped = 0;
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var record = reader.Current.ToArray();
            var fields = record.Select(f => f.Trim()).ToArray();
            if (malformed.Remove(line) && map is not null)
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
                if (skipped < MaxTitleRows && fields.Count(f => f.Length > 0) == 1 && RosterHeaders.Parse(fields.First(f => f.Length > 0)) is null)
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
                // Excel may add trailing empty cells: only a real difference is a problem.
                var extraIsEmpty = record.Length > width && fields.Skip(width).All(f => f.Length == 0);
                if (!extraIsEmpty)
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
                    row[map[i]] = fields[i];
                }
            }

            parsed.Rows.Add(new RosterRow(line, row));
        }

        if (map is null)
        {
            parsed.Problems.Add(new RosterProblem(1, "", Text.Texts.Get(language, "roster.file.empty")));
        }
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

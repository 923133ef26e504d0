using System.Text;
using CsvHelper;

namespace CareBot.Core.Roster;

/// <summary>A roster saved as CSV: UTF-8 (with or without BOM) or GB18030, decoded, then parsed record by record.</summary>
internal sealed class CsvRosterSource : RosterSource
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private readonly Stream _data;
    private readonly RosterEncoding _encoding;
    private RosterEncoding? _used;

    static CsvRosterSource() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public CsvRosterSource(Stream data, string fileName, RosterEncoding encoding)
        : base(fileName)
    {
        _data = data;
        _encoding = encoding;
    }

    public override RosterEncoding? Encoding => _used;

    public override IEnumerable<SourceRecord> Records(List<RosterProblem> problems, string language)
    {
        var bytes = ImportLimits.ReadAll(_data, problems, language);
        if (bytes is null)
        {
            return [];
        }

        var text = Decode(bytes, language, problems);
        return text is null ? [] : Parse(text);
    }

    private string? Decode(byte[] bytes, string language, List<RosterProblem> problems)
    {
        var hasBom = bytes.AsSpan().StartsWith(Utf8Bom);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var gb = System.Text.Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        var body = hasBom ? bytes.AsMemory(Utf8Bom.Length) : bytes.AsMemory();

        switch (_encoding)
        {
            case RosterEncoding.Utf8:
                _used = RosterEncoding.Utf8;
                return TryDecode(utf8, body, out var u, out var at)
                    ? u
                    : Fail(bytes, at + (hasBom ? Utf8Bom.Length : 0), Texts("roster.file.not_utf8"));
            case RosterEncoding.Gb18030:
                if (hasBom)
                {
                    return Fail(bytes, 0, Texts("roster.file.bom_but_gb18030"));
                }

                _used = RosterEncoding.Gb18030;
                return TryDecode(gb, body, out var g, out at) ? g : Fail(bytes, at, Texts("roster.file.not_gb18030"));
            default:
                if (hasBom)
                {
                    _used = RosterEncoding.Utf8;
                    return TryDecode(utf8, body, out u, out at) ? u : Fail(bytes, at + Utf8Bom.Length, Texts("roster.file.not_utf8"));
                }

                if (TryDecode(utf8, body, out u, out _))
                {
                    _used = RosterEncoding.Utf8;
                    return u;
                }

                if (TryDecode(gb, body, out g, out at))
                {
                    _used = RosterEncoding.Gb18030;
                    return g;
                }

                return Fail(bytes, at, Texts("roster.file.unknown_encoding"));
        }

        string Texts(string key) => Text.Texts.Get(language, key);

        string? Fail(byte[] all, int byteIndex, string message)
        {
            _used = null;
            problems.Add(new RosterProblem(LineOfByte(all, byteIndex), "", message));
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

    private static IEnumerable<SourceRecord> Parse(string text)
    {
        var malformed = new HashSet<long>();
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            Separator = ',',
            SkipEmptyLines = false, // kept so that line numbers stay right; blank records are skipped by the reader
            TrimWhitespace = true,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            OnMalformedRecord = m => malformed.Add(m.LineNumber),
        };

        using var reader = CsvReader.FromText(text, options);
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            yield return new SourceRecord(line, reader.Current.ToArray(), malformed.Remove(line));
        }
    }
}

namespace CareBot.Core.Roster;

/// <summary>How the roster file's bytes are read.</summary>
public enum RosterEncoding
{
    /// <summary>A UTF-8 BOM means UTF-8; otherwise UTF-8 if the bytes are valid UTF-8; otherwise GB18030.</summary>
    Auto = 0,
    Utf8 = 1,
    /// <summary>What Excel on a Chinese Windows writes ("CSV (逗号分隔)"); a superset of GBK and GB2312.</summary>
    Gb18030 = 2,
}

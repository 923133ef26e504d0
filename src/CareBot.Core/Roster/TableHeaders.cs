using System.Collections.Frozen;

namespace CareBot.Core.Roster;

/// <summary>
/// The columns of a table a school keeps in a spreadsheet (the roster, the duty rota): each column's Chinese and
/// English header, and how a header cell is read. Shared by every table so that each reads its header the same way.
/// </summary>
/// <typeparam name="TColumn">The table's columns.</typeparam>
internal sealed class TableHeaders<TColumn>
    where TColumn : struct, Enum
{
    private readonly (TColumn Column, string Chinese, string English)[] _all;
    private readonly Dictionary<TColumn, int> _index;
    private readonly FrozenDictionary<string, TColumn> _byHeader;

    /// <param name="unknownKey">The text key for a header that names no column (it lists the table's columns).</param>
    /// <param name="all">Every column with its headers, in the order problems in one row are reported.</param>
    public TableHeaders(string unknownKey, params (TColumn Column, string Chinese, string English)[] all)
    {
        UnknownKey = unknownKey;
        _all = all;
        _index = all.Select((c, i) => (c.Column, i)).ToDictionary(x => x.Column, x => x.i);
        _byHeader = all
            .SelectMany(c => new[] { (Key: c.Chinese, c.Column), (Key: c.English, c.Column) })
            .ToFrozenDictionary(x => x.Key, x => x.Column, StringComparer.Ordinal);
        Columns = all.Select(c => c.Column).ToArray();
    }

    public IReadOnlyList<TColumn> Columns { get; }

    public string UnknownKey { get; }

    /// <summary>The column's place in <see cref="Columns"/> (and in a row's fields).</summary>
    public int IndexOf(TColumn column) => _index[column];

    public string Chinese(TColumn column) => _all[_index[column]].Chinese;

    public string English(TColumn column) => _all[_index[column]].English;

    /// <summary>
    /// The column a header names, or null. Spaces, a BOM and surrounding quotes are ignored; English headers are
    /// matched without case, and "Child ID" / "child-id" are read as child_id.
    /// </summary>
    public TColumn? Parse(string header)
    {
        var key = Clean(header);
        if (_byHeader.TryGetValue(key, out var column))
        {
            return column;
        }

        var english = key.ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        return _byHeader.TryGetValue(english, out column) ? column : null;
    }

    public static string Clean(string header) => header.Replace("\uFEFF", "", StringComparison.Ordinal).Trim();

    public static bool IsChinese(string header) => Clean(header).Any(c => c > '\u2E80');
}

namespace CareBot.Core.Roster;

/// <summary>One raw record of a roster source: where it starts (CSV line, or the sheet's own row number) and its cells as text.</summary>
/// <param name="Line">The line or row number problems name.</param>
/// <param name="Cells">The cells, untrimmed, in column order.</param>
/// <param name="Malformed">The record could not be read properly (CSV: unbalanced quotes).</param>
internal readonly record struct SourceRecord(int Line, string[] Cells, bool Malformed = false);

/// <summary>
/// Where the roster's rows come from: a CSV file or a workbook's sheet. A source only turns its bytes into raw records
/// with their line or row numbers; everything after that (title rows, the header, columns, every value rule, capacity,
/// all or nothing) is the importer's and the same for every source (<see cref="TableReader"/>, <see cref="RosterImporter"/>).
/// </summary>
internal abstract class RosterSource
{
    protected RosterSource(string fileName) => FileName = fileName;

    /// <summary>The file's name as problems show it.</summary>
    public string FileName { get; }

    /// <summary>The sheet read, for a workbook (problems read <c>FILE:SHEET!ROW</c>); null for CSV.</summary>
    public virtual string? Sheet => null;

    /// <summary>The CSV encoding the file was read with; null for a workbook, or when it could not be decoded.</summary>
    public virtual RosterEncoding? Encoding => null;

    /// <summary>
    /// A record shorter than the header is complete: a workbook leaves trailing empty cells out, while a CSV row with
    /// fewer fields than its header lost some.
    /// </summary>
    public virtual bool ShortRecordsAreComplete => false;

    /// <summary>Text keys for "no header at all" and "a header but no children", worded for a file or a sheet.</summary>
    public virtual string EmptyKey => "roster.file.empty";

    public virtual string NoRowsKey => "roster.file.no_rows";

    /// <summary>
    /// The records in order. Problems found while reading (undecodable bytes, not a workbook, no such sheet) are added
    /// to <paramref name="problems"/>; a source that cannot be read at all yields nothing and reports why.
    /// </summary>
    public abstract IEnumerable<SourceRecord> Records(List<RosterProblem> problems, string language);
}

using System.Globalization;
using CareBot.Core.Text;

namespace CareBot.Core.Roster;

/// <summary>
/// One problem in the roster file. <see cref="Line"/> is the CSV line or the sheet's own row number, 0 for the file as
/// a whole (not a workbook, no such sheet); <see cref="Column"/> is the header as written in the file, or "" for the
/// whole row.
/// </summary>
public sealed record RosterProblem(int Line, string Column, string Message)
{
    /// <summary>
    /// <c>FILE:LINE: COLUMN: message</c>, or <c>FILE:SHEET!ROW: COLUMN: message</c> in a workbook's sheet
    /// (<c>FILE:LINE: message</c> when the whole row is meant, <c>FILE: message</c> for the whole file).
    /// </summary>
    public string Format(string fileName, string? sheet = null)
    {
        var at = Line == 0 ? fileName
            : sheet is null ? string.Create(CultureInfo.InvariantCulture, $"{fileName}:{Line}")
            : string.Create(CultureInfo.InvariantCulture, $"{fileName}:{sheet}!{Line}");
        return Column.Length == 0 ? $"{at}: {Message}" : $"{at}: {Column}: {Message}";
    }
}

/// <summary>What an import did, or, when <see cref="Problems"/> is not empty, why it wrote nothing.</summary>
public sealed class ImportResult
{
    public required string FileName { get; init; }
    /// <summary>The sheet read, for a workbook; null for CSV.</summary>
    public string? Sheet { get; init; }
    /// <summary>"zh" or "en": the language of the messages.</summary>
    public required string Language { get; init; }
    /// <summary>The encoding a CSV file was read with (null for a workbook, or when it could not be decoded).</summary>
    public RosterEncoding? Encoding { get; init; }
    public IReadOnlyList<RosterProblem> Problems { get; init; } = [];
    public bool Succeeded => Problems.Count == 0;
    /// <summary>Rows imported with a note for the admin (a parent named without a phone), in file order.</summary>
    public IReadOnlyList<RosterProblem> Warnings { get; init; } = [];

    /// <summary>Data rows read from the file (one per child).</summary>
    public int Rows { get; init; }
    public int ChildrenCreated { get; init; }
    public int ChildrenUpdated { get; init; }
    public int ChildrenUnchanged { get; init; }
    /// <summary>Children in the database but not in this file: left as they were.</summary>
    public int ChildrenUntouched { get; init; }
    public int PeopleCreated { get; init; }
    public int PeopleUpdated { get; init; }
    public int PeopleUnchanged { get; init; }
    public int PairingsCreated { get; init; }
    public int PairingsRemoved { get; init; }

    /// <summary>Each problem as one line, <c>FILE:LINE: COLUMN: message</c> (<c>FILE:SHEET!ROW: ...</c>), in file order.</summary>
    public IEnumerable<string> FormatProblems() => Problems.Select(p => p.Format(FileName, Sheet));

    /// <summary>Each warning as one line, in the problems' format.</summary>
    public IEnumerable<string> FormatWarnings() => Warnings.Select(p => p.Format(FileName, Sheet));

    /// <summary>The file as a whole could not be read (not a workbook, no such sheet): one problem says it all.</summary>
    public bool Unreadable => Problems.Count == 1 && Problems[0].Line == 0;

    /// <summary>One line for the admin: what was imported, or how many problems stopped the import.</summary>
    public string Summary() => Succeeded
        ? Texts.Get(Language, "roster.summary.ok", FileName, Rows, ChildrenCreated, ChildrenUpdated, ChildrenUnchanged,
            PeopleCreated, PeopleUpdated, PeopleUnchanged, PairingsCreated, PairingsRemoved, ChildrenUntouched)
        : Texts.Get(Language, "roster.summary.failed", FileName, Problems.Count);
}

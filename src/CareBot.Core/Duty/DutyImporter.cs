using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Duty;

/// <summary>The columns of the duty rota file.</summary>
public enum DutyColumn
{
    Weekday,
    Slot,
    TeacherName,
    TeacherPhone,
}

/// <summary>What a rota import did, or, when <see cref="Problems"/> is not empty, why it changed nothing.</summary>
public sealed class DutyImportResult
{
    public required string FileName { get; init; }
    public required string Language { get; init; }
    /// <summary>The school's name as the admin reads it; empty for a deployment with one unnamed school.</summary>
    public string SchoolName { get; init; } = "";
    public RosterEncoding? Encoding { get; init; }
    public IReadOnlyList<RosterProblem> Problems { get; init; } = [];
    public bool Succeeded => Problems.Count == 0;
    public int Turns { get; init; }
    public int Teachers { get; init; }
    /// <summary>The school's turns before the import (all replaced).</summary>
    public int Replaced { get; init; }

    /// <summary>Each problem as one line, <c>FILE:LINE: COLUMN: message</c>, in file order.</summary>
    public IEnumerable<string> FormatProblems() => Problems.Select(p => p.Format(FileName));

    /// <summary>The file as a whole could not be read (over an import limit): one problem says it all.</summary>
    public bool Unreadable => Problems.Count == 1 && Problems[0].Line == 0;

    /// <summary>One line for the admin: what was imported, or how many problems stopped the import.</summary>
    public string Summary() => !Succeeded
        ? Texts.Get(Language, "duty.summary.failed", FileName, Problems.Count)
        : SchoolName.Length == 0
            ? Texts.Get(Language, "duty.summary.ok", FileName, Turns, Teachers, Replaced)
            : Texts.Get(Language, "duty.summary.ok_school", FileName, SchoolName, Turns, Teachers, Replaced);
}

/// <summary>
/// Imports a school's activity-room duty rota (轮流值日) from CSV: 星期 weekday, 时段 slot, 教师电话 teacher_phone and,
/// optionally, 教师 teacher_name. The file is read like the roster (<see cref="TableReader"/>: UTF-8 or GB18030,
/// Chinese or English headers, title rows, <c>FILE:LINE: COLUMN: message</c>), and like the roster it is all or nothing:
/// every row is checked, and only a file without problems replaces the school's rota, in one transaction.
/// </summary>
/// <remarks>
/// Rules: one teacher per weekday and slot (a second row for the same turn is a problem naming the first line); the
/// teacher is found by phone among the roster's people and must be a mentor or volunteer of the school; a name, when
/// given, must be the roster's name for that phone. A file with a header but no turns is refused (it would empty the
/// rota). Swaps already agreed stay; one whose turn the new rota gives to someone else no longer applies
/// (<see cref="DutyRota"/>).
/// </remarks>
public sealed class DutyImporter(CareDb db, TimeProvider time, SchoolDirectory schools)
{
    internal static TableHeaders<DutyColumn> Columns { get; } = new(
        "duty.header.unknown",
        (DutyColumn.Weekday, "星期", "weekday"),
        (DutyColumn.Slot, "时段", "slot"),
        (DutyColumn.TeacherName, "教师", "teacher_name"),
        (DutyColumn.TeacherPhone, "教师电话", "teacher_phone"));

    /// <summary>Reads the CSV file at <paramref name="path"/>; problems are reported with its file name.</summary>
    /// <summary>
    /// Empties the school's rota (the holidays: no duty, no morning reminders) in one audited write; swaps no longer
    /// apply, as with a new rota. Returns how many turns went. A new import fills it again.
    /// </summary>
    public int Clear(string schoolId, string actor) => db.Write(tx =>
    {
        var removed = tx.DutyTurns.DeleteMany(t => t.SchoolId == schoolId);
        tx.AuditWrite(time.GetUtcNow().UtcDateTime, actor, "duty.cleared", null, $"school:{schoolId} turns:{removed}");
        return removed;
    });

    public DutyImportResult Import(string path, RosterEncoding encoding, string schoolId, string language, string actor)
    {
        using var stream = File.OpenRead(path);
        return Import(stream, path, encoding, schoolId, language, actor);
    }

    /// <param name="data">The CSV file's bytes.</param>
    /// <param name="fileName">Used in problem lines.</param>
    /// <param name="encoding">Auto, or what the admin said with <c>--encoding</c>.</param>
    /// <param name="schoolId">The school whose rota this is (a configured id).</param>
    /// <param name="language">"zh" or "en" for the messages.</param>
    /// <param name="actor">Written to the audit entry, e.g. "cli".</param>
    public DutyImportResult Import(Stream data, string fileName, RosterEncoding encoding, string schoolId, string language, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(schoolId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        language = Texts.ParseLanguage(language) ?? Texts.Chinese;
        var source = new CsvRosterSource(data, fileName, encoding);
        var parsed = TableReader.Read(source, Columns, language, (table, line) => RequiredColumns(table, line, language));
        if (parsed.Unreadable)
        {
            // Over a limit: answered without touching the database.
            return new DutyImportResult { FileName = fileName, Language = language, Encoding = parsed.Encoding, Problems = parsed.SortedProblems() };
        }

        var rows = CheckRows(parsed, language);
        if (parsed.Problems.Count == 0 && parsed.Rows.Count == 0)
        {
            parsed.Problems.Add(new RosterProblem(parsed.HeaderLine, "", Texts.Get(language, "duty.file.no_rows")));
        }

        var schoolName = schools.Configured ? schools.NameOf(schoolId) : "";
        return db.Write(tx =>
        {
            var teachers = Teachers(tx, parsed, rows, schoolId, language);
            if (parsed.Problems.Count > 0)
            {
                return new DutyImportResult { FileName = fileName, Language = language, SchoolName = schoolName, Encoding = parsed.Encoding, Problems = parsed.SortedProblems() };
            }

            var now = time.GetUtcNow().UtcDateTime;
            var replaced = tx.DutyTurns.DeleteMany(t => t.SchoolId == schoolId);
            tx.DutyTurns.Insert(rows.Select((r, i) => new DutyTurn { SchoolId = schoolId, Weekday = r.Weekday, Slot = r.Slot, TeacherId = teachers[i], ImportedUtc = now }).ToList());
            var distinct = teachers.Distinct().Count();
            tx.AuditWrite(now, actor, "duty.imported", null, $"school:{schoolId} turns:{rows.Count} teachers:{distinct} replaced:{replaced}");
            return new DutyImportResult
            {
                FileName = fileName,
                Language = language,
                SchoolName = schoolName,
                Encoding = parsed.Encoding,
                Turns = rows.Count,
                Teachers = distinct,
                Replaced = replaced,
            };
        });
    }

    private sealed record ValidRow(int Line, DayOfWeek Weekday, DutySlot Slot, string Phone, string? Name);

    private static void RequiredColumns(ParsedTable<DutyColumn> parsed, int line, string language)
    {
        foreach (var column in new[] { DutyColumn.Weekday, DutyColumn.Slot, DutyColumn.TeacherPhone }.Where(c => !parsed.Headers.ContainsKey(c)))
        {
            parsed.MissingRequiredColumn = true;
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, "roster.header.missing")));
        }
    }

    /// <summary>The checks that need no database: each value, and one row per weekday and slot.</summary>
    private static List<ValidRow> CheckRows(ParsedTable<DutyColumn> parsed, string language)
    {
        var valid = new List<ValidRow>();
        if (parsed.MissingRequiredColumn)
        {
            return valid;
        }

        var seen = new Dictionary<(DayOfWeek, DutySlot), int>();
        foreach (var row in parsed.Rows)
        {
            var before = parsed.Problems.Count;
            var weekday = Value<DayOfWeek?>(row, DutyColumn.Weekday, DutyWords.Weekday, "duty.value.bad_weekday");
            var slot = Value<DutySlot?>(row, DutyColumn.Slot, DutyWords.Slot, "duty.value.bad_slot");
            var phone = Value<string?>(row, DutyColumn.TeacherPhone, Model.Phone.Normalize, "roster.value.bad_mobile");
            if (weekday is { } d && slot is { } s && !seen.TryAdd((d, s), row.Line))
            {
                Problem(row.Line, DutyColumn.Slot, "duty.value.duplicate_turn", DutyWords.Day(language, d), DutyWords.SlotName(language, s), seen[(d, s)]);
            }

            if (parsed.Problems.Count == before)
            {
                var name = row.Get(DutyColumn.TeacherName);
                valid.Add(new ValidRow(row.Line, weekday!.Value, slot!.Value, phone!, name.Length == 0 ? null : name));
            }
        }

        return valid;

        T? Value<T>(TableRow<DutyColumn> row, DutyColumn column, Func<string, T?> parse, string badKey)
        {
            var text = row.Get(column);
            if (text.Length == 0)
            {
                Problem(row.Line, column, "roster.value.required");
                return default;
            }

            var value = parse(text);
            if (value is null)
            {
                Problem(row.Line, column, RosterImporter.ExcelNumber().IsMatch(text) ? "roster.value.excel_number" : badKey, text);
            }

            return value;
        }

        void Problem(int line, DutyColumn column, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, key, args)));
    }

    /// <summary>The teacher of each valid row (by phone, a mentor or volunteer of the school); problems for the rest.</summary>
    private List<int> Teachers(CareTx tx, ParsedTable<DutyColumn> parsed, List<ValidRow> rows, string schoolId, string language)
    {
        var ids = new List<int>(rows.Count);
        var schoolsOf = new Dictionary<int, SortedSet<string>>();
        foreach (var row in rows)
        {
            var person = tx.People.FindOne(p => p.Phone == row.Phone);
            if (person is null)
            {
                Problem(row.Line, DutyColumn.TeacherPhone, "duty.teacher.unknown", Phone.Mask(row.Phone));
                continue;
            }

            if (!schoolsOf.TryGetValue(person.Id, out var theirs))
            {
                theirs = DutyRota.SchoolsOf(tx, person);
                schoolsOf.Add(person.Id, theirs);
            }

            if (!theirs.Contains(schoolId))
            {
                if (schools.Configured)
                {
                    Problem(row.Line, DutyColumn.TeacherPhone, "duty.teacher.not_of_school", person.Name, schools.NameOf(schoolId));
                }
                else
                {
                    Problem(row.Line, DutyColumn.TeacherPhone, "duty.teacher.not_a_teacher", person.Name);
                }

                continue;
            }

            if (row.Name is { } name && name != person.Name)
            {
                Problem(row.Line, DutyColumn.TeacherName, "duty.teacher.name_mismatch", name, person.Name);
                continue;
            }

            ids.Add(person.Id);
        }

        return ids;

        void Problem(int line, DutyColumn column, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, key, args)));
    }
}

using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Roster;

/// <summary>
/// Imports the school's roster file (one row per child) into the database, all or nothing: every row is read and
/// checked first, every problem is reported with its line and column, and only a file without problems is written,
/// in one transaction. Children are matched by 学号, people by normalised phone, so importing again updates in place
/// and importing the same file twice changes nothing. The rows come from a CSV file or an .xlsx workbook's sheet
/// (<see cref="RosterSource"/>); the rules below are the same for both (RosterImporter.Rules.cs).
/// </summary>
/// <remarks>
/// The rules, where the roster contract leaves them open:
/// <list type="bullet">
/// <item>Required per row: 学号, 姓名, 结对教师 + 教师电话, and at least one parent working away with a name and a
/// mobile (father or mother): a child without a parent phone is an error, since the weekly update is the point.</item>
/// <item>A person is a name and a phone together: a phone without a name is an error, and so is a mentor's or
/// volunteer's name without a phone. A parent's name without a phone (she left, or changed numbers) is taken with a
/// warning: kept on the child (<see cref="Model.Child.ParentsWithoutPhone"/>), counted unreachable, sent nothing; such a
/// parent alone is enough for the row. The volunteer is optional; a work city without its parent is ignored.</item>
/// <item>Parent, mentor and volunteer phones must be mainland mobiles (<see cref="Phone.Normalize"/>). The guardian
/// (grandparent at home) is not a CareBot user: a mobile or any landline of 7–12 digits is accepted, stored as digits.</item>
/// <item>性别: 男/女/M/F/male/female (any case) or empty, stored as "M" / "F" / null.</item>
/// <item>Roles are only added: a person keeps roles they already had (an admin stays admin, a former mentor stays
/// mentor). People are never deleted. A parent's work city is the last non-empty one in the file.</item>
/// <item>A phone given under two different names in the file is an error; a name in the file replaces the stored one.</item>
/// <item>Capacity counts distinct children per carer, mentor and volunteer pairings together, the carer's children
/// not in this file included; it is reported once per carer, on the row that goes over the limit.</item>
/// <item>A missing required column stops the row checks (every row would repeat it). Unknown columns are errors;
/// empty header cells (a spreadsheet's trailing columns) are ignored, as are blank rows and up to five one-cell
/// title rows above the header. Values Excel turned into 1.38E+10 are reported as such.</item>
/// </list>
/// </remarks>
public sealed partial class RosterImporter
{
    private readonly CareDb _db;
    private readonly TimeProvider _time;
    private readonly int _maxChildrenPerCarer;
    private readonly SchoolDirectory _schools;

    public RosterImporter(CareDb db, TimeProvider time, CadenceOptions cadence, SchoolDirectory? schools = null)
        : this(db, time, (cadence ?? throw new ArgumentNullException(nameof(cadence))).MaxChildrenPerMentor, schools)
    {
    }

    public RosterImporter(CareDb db, TimeProvider time, int maxChildrenPerCarer, SchoolDirectory? schools = null)
    {
        _schools = schools ?? new SchoolDirectory(null);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChildrenPerCarer, 1);
        _db = db;
        _time = time;
        _maxChildrenPerCarer = maxChildrenPerCarer;
    }

    /// <summary>Reads the CSV file at <paramref name="path"/>; problems are reported with its file name.</summary>
    public ImportResult Import(string path, RosterEncoding encoding, string language, string actor)
    {
        using var stream = File.OpenRead(path);
        return Import(stream, path, encoding, language, actor);
    }

    /// <param name="data">The CSV file's bytes.</param>
    /// <param name="fileName">Used in problem lines (<c>FILE:LINE: COLUMN: message</c>).</param>
    /// <param name="encoding">Auto, or what the admin said with <c>--encoding</c>.</param>
    /// <param name="language">"zh" or "en" for the messages.</param>
    /// <param name="actor">Written to the audit entries, e.g. "cli" or "person:12".</param>
    public ImportResult Import(Stream data, string fileName, RosterEncoding encoding, string language, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Import(new CsvRosterSource(data, fileName ?? "roster.csv", encoding), language, actor);
    }

    /// <summary>Reads the .xlsx workbook at <paramref name="path"/>: its first sheet, or <paramref name="sheet"/>.</summary>
    public ImportResult ImportWorkbook(string path, string? sheet, string language, string actor)
    {
        using var stream = File.OpenRead(path);
        return ImportWorkbook(stream, path, sheet, language, actor);
    }

    /// <summary>
    /// A roster kept as an .xlsx workbook, with the same columns, rules and all-or-nothing behaviour as a CSV file;
    /// problems read <c>FILE:SHEET!ROW: COLUMN: message</c> with the sheet's own row numbers.
    /// </summary>
    /// <param name="data">The workbook (seekable).</param>
    /// <param name="fileName">Used in problem lines.</param>
    /// <param name="sheet">The sheet's name; null for the first sheet. A name the workbook lacks is a problem naming it.</param>
    /// <param name="language">"zh" or "en" for the messages.</param>
    /// <param name="actor">Written to the audit entries.</param>
    public ImportResult ImportWorkbook(Stream data, string fileName, string? sheet, string language, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Import(new XlsxRosterSource(data, fileName ?? "roster.xlsx", sheet), language, actor);
    }

    private ImportResult Import(RosterSource source, string language, string actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        language = Texts.ParseLanguage(language) ?? Texts.Chinese;
        var fileName = source.FileName;

        var parsed = TableReader.Read(source, RosterHeaders.Table, language, (table, line) => Check.RequiredColumns(table, line, language));
        if (parsed.Unreadable)
        {
            // Not read at all (over a limit, not a workbook, no such sheet): answered without touching the database.
            return new ImportResult { FileName = fileName, Sheet = source.Sheet, Language = language, Encoding = parsed.Encoding, Problems = parsed.SortedProblems() };
        }

        var check = new Check(parsed, language, _schools);
        var rows = check.Rows();
        if (parsed.Problems.Count == 0 && parsed.Rows.Count == 0)
        {
            parsed.Problems.Add(new RosterProblem(parsed.HeaderLine, "", Texts.Get(language, source.NoRowsKey)));
        }

        // One transaction: the capacity check and the writes see the same data. Everything that needs the
        // database is read once, up front; nothing is written when there is any problem.
        return _db.Write(tx =>
        {
            var people = tx.People.FindAll().ToDictionary(p => p.Phone, StringComparer.Ordinal);
            var pairings = tx.Pairings.FindAll().ToList();
            check.Capacity(rows, people, pairings, _maxChildrenPerCarer);
            if (parsed.Problems.Count > 0)
            {
                var problems = parsed.SortedProblems();
                return new ImportResult { FileName = fileName, Sheet = source.Sheet, Language = language, Encoding = parsed.Encoding, Problems = problems, Rows = parsed.Rows.Count };
            }

            return Apply(tx, rows, people, pairings, source, language, parsed.Encoding, actor, [.. parsed.Warnings.OrderBy(w => w.Line)]);
        });
    }

    private ImportResult Apply(
        CareTx tx,
        List<ValidRow> rows,
        Dictionary<string, Person> people,
        List<Pairing> pairings,
        RosterSource source,
        string language,
        RosterEncoding? encoding,
        string actor,
        List<RosterProblem> warnings)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var audit = new List<AuditEntry>();
        void Audit(string action, string? childId, string? detail) =>
            audit.Add(new AuditEntry { AtUtc = now, Actor = actor, Action = action, ChildId = childId, Detail = detail });

        // People: one per phone, the roles the file gives them added to what they have.
        var planned = new Dictionary<string, PersonPlan>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var (contact, role, city) in row.Contacts())
            {
                if (!planned.TryGetValue(contact.Phone, out var plan))
                {
                    plan = new PersonPlan(contact.Phone);
                    planned.Add(contact.Phone, plan);
                }

                plan.Name = contact.Name;
                plan.Roles |= role;
                if (role == Roles.Parent)
                {
                    plan.IsParent = true;
                    plan.WorkCity = city ?? plan.WorkCity;
                }
                else if (role == Roles.Mentor)
                {
                    plan.School = row.School;
                }
            }
        }

        var newPeople = new List<Person>();
        var changedPeople = new List<Person>();
        var peopleUnchanged = 0;
        foreach (var plan in planned.Values)
        {
            if (people.TryGetValue(plan.Phone, out var person))
            {
                var roles = person.Roles | plan.Roles;
                var city = plan.IsParent ? plan.WorkCity : person.WorkCity;
                var school = plan.School ?? person.SchoolId;
                if (person.Name == plan.Name && person.Roles == roles && person.WorkCity == city && person.SchoolId == school)
                {
                    peopleUnchanged++;
                    continue;
                }

                person.Name = plan.Name;
                person.Roles = roles;
                person.WorkCity = city;
                person.SchoolId = school;
                person.UpdatedUtc = now;
                changedPeople.Add(person);
            }
            else
            {
                person = new Person
                {
                    Name = plan.Name,
                    Phone = plan.Phone,
                    Roles = plan.Roles,
                    WorkCity = plan.IsParent ? plan.WorkCity : null,
                    SchoolId = plan.School,
                    Language = Texts.Chinese,
                    CreatedUtc = now,
                    UpdatedUtc = now,
                };
                newPeople.Add(person);
                people.Add(plan.Phone, person);
            }
        }

        tx.People.Insert(newPeople);
        tx.People.Update(changedPeople);
        newPeople.ForEach(p => Audit("person.created", null, $"person:{p.Id} roles:{p.Roles}"));
        changedPeople.ForEach(p => Audit("person.updated", null, $"person:{p.Id} roles:{p.Roles}"));

        // Children: matched by 学号, updated in place.
        var existing = tx.Children.FindAll().ToDictionary(c => c.Id, StringComparer.Ordinal);
        var inFile = new HashSet<string>(rows.Select(r => r.ChildId), StringComparer.Ordinal);
        var newChildren = new List<Child>();
        var changedChildren = new List<Child>();
        var childrenUnchanged = 0;
        foreach (var row in rows)
        {
            var wanted = row.ToChild(phone => people[phone].Id);
            if (existing.TryGetValue(row.ChildId, out var child))
            {
                var changed = ChangedFields(child, wanted);
                if (changed.Count == 0)
                {
                    childrenUnchanged++;
                    continue;
                }

                child.Name = wanted.Name;
                child.Gender = wanted.Gender;
                child.Class = wanted.Class;
                child.GuardianName = wanted.GuardianName;
                child.GuardianRelation = wanted.GuardianRelation;
                child.GuardianPhone = wanted.GuardianPhone;
                child.Notes = wanted.Notes;
                child.Guardianship = wanted.Guardianship;
                child.Parents = wanted.Parents;
                child.ParentsWithoutPhone = wanted.ParentsWithoutPhone;
                child.UpdatedUtc = now;
                changedChildren.Add(child);
                Audit("child.updated", child.Id, "fields:" + string.Join(',', changed));
            }
            else
            {
                wanted.CreatedUtc = now;
                wanted.UpdatedUtc = now;
                newChildren.Add(wanted);
                Audit("child.created", wanted.Id, null);
            }
        }

        tx.Children.Insert(newChildren);
        tx.Children.Update(changedChildren);

        // Pairings: for each child in the file, the file is the truth.
        var byChild = pairings.Where(p => inFile.Contains(p.ChildId)).ToLookup(p => p.ChildId, StringComparer.Ordinal);
        var newPairings = new List<Pairing>();
        var removed = 0;
        foreach (var row in rows)
        {
            var wanted = new List<(int CarerId, PairingRole Role)> { (people[row.Mentor.Phone].Id, PairingRole.Mentor) };
            if (row.Volunteer is { } volunteer)
            {
                wanted.Add((people[volunteer.Phone].Id, PairingRole.Volunteer));
            }

            var kept = new HashSet<(int, PairingRole)>();
            foreach (var pairing in byChild[row.ChildId])
            {
                var key = (pairing.CarerId, pairing.Role);
                if (wanted.Contains(key) && kept.Add(key))
                {
                    continue;
                }

                tx.Pairings.Delete(pairing.Id);
                removed++;
                Audit("pairing.removed", row.ChildId, $"carer:{pairing.CarerId} role:{pairing.Role}");
            }

            foreach (var (carerId, role) in wanted.Where(w => !kept.Contains(w)))
            {
                newPairings.Add(new Pairing { CarerId = carerId, ChildId = row.ChildId, Role = role, CreatedUtc = now });
                Audit("pairing.created", row.ChildId, $"carer:{carerId} role:{role}");
            }
        }

        tx.Pairings.Insert(newPairings);
        tx.Audit.Insert(audit);

        return new ImportResult
        {
            FileName = source.FileName,
            Sheet = source.Sheet,
            Language = language,
            Encoding = encoding,
            Warnings = warnings,
            Rows = rows.Count,
            ChildrenCreated = newChildren.Count,
            ChildrenUpdated = changedChildren.Count,
            ChildrenUnchanged = childrenUnchanged,
            ChildrenUntouched = existing.Keys.Count(id => !inFile.Contains(id)),
            PeopleCreated = newPeople.Count,
            PeopleUpdated = changedPeople.Count,
            PeopleUnchanged = peopleUnchanged,
            PairingsCreated = newPairings.Count,
            PairingsRemoved = removed,
        };
    }

    private static List<string> ChangedFields(Child old, Child wanted)
    {
        var changed = new List<string>();
        if (old.Name != wanted.Name) changed.Add(nameof(Child.Name));
        if (old.Gender != wanted.Gender) changed.Add(nameof(Child.Gender));
        if (old.Class != wanted.Class) changed.Add(nameof(Child.Class));
        if (old.GuardianName != wanted.GuardianName) changed.Add(nameof(Child.GuardianName));
        if (old.GuardianRelation != wanted.GuardianRelation) changed.Add(nameof(Child.GuardianRelation));
        if (old.GuardianPhone != wanted.GuardianPhone) changed.Add(nameof(Child.GuardianPhone));
        if (old.Notes != wanted.Notes) changed.Add(nameof(Child.Notes));
        if (old.Guardianship != wanted.Guardianship) changed.Add(nameof(Child.Guardianship));
        if (!old.Parents.Select(p => (p.PersonId, p.Relation)).SequenceEqual(wanted.Parents.Select(p => (p.PersonId, p.Relation))))
        {
            changed.Add(nameof(Child.Parents));
        }

        if (!old.ParentsWithoutPhone.Select(p => (p.Name, p.Relation, p.WorkCity)).SequenceEqual(wanted.ParentsWithoutPhone.Select(p => (p.Name, p.Relation, p.WorkCity))))
        {
            changed.Add(nameof(Child.ParentsWithoutPhone));
        }

        return changed;
    }

    private sealed class PersonPlan(string phone)
    {
        public string Phone { get; } = phone;
        public string Name { get; set; } = "";
        public Roles Roles { get; set; }
        public bool IsParent { get; set; }
        public string? WorkCity { get; set; }
        public string? School { get; set; }
    }
}

using System.Text;
using System.Text.RegularExpressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Roster;

/// <summary>
/// Imports the school's roster file (one row per child) into the database, all or nothing: every row is read and
/// checked first, every problem is reported with its line and column, and only a file without problems is written,
/// in one transaction. Children are matched by 学号, people by normalised phone, so importing again updates in place
/// and importing the same file twice changes nothing.
/// </summary>
/// <remarks>
/// The rules, where the roster contract leaves them open:
/// <list type="bullet">
/// <item>Required per row: 学号, 姓名, 结对教师 + 教师电话, and at least one parent working away with a name and a
/// mobile (father or mother): a child without a parent phone is an error, since the weekly update is the point.</item>
/// <item>A person is a name and a phone together: a name without a phone (or the other way round) is an error, for
/// parents, mentor and volunteer alike. The volunteer is optional; a work city without its parent is ignored.</item>
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

    public RosterImporter(CareDb db, TimeProvider time, CadenceOptions cadence)
        : this(db, time, (cadence ?? throw new ArgumentNullException(nameof(cadence))).MaxChildrenPerMentor)
    {
    }

    public RosterImporter(CareDb db, TimeProvider time, int maxChildrenPerCarer)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChildrenPerCarer, 1);
        _db = db;
        _time = time;
        _maxChildrenPerCarer = maxChildrenPerCarer;
    }

    /// <summary>Reads the file at <paramref name="path"/>; problems are reported with its file name.</summary>
    public ImportResult Import(string path, RosterEncoding encoding, string language, string actor)
    {
        using var stream = File.OpenRead(path);
        return Import(stream, path, encoding, language, actor);
    }

    /// <param name="data">The file's bytes.</param>
    /// <param name="fileName">Used in problem lines (<c>FILE:LINE: COLUMN: message</c>).</param>
    /// <param name="encoding">Auto, or what the admin said with <c>--encoding</c>.</param>
    /// <param name="language">"zh" or "en" for the messages.</param>
    /// <param name="actor">Written to the audit entries, e.g. "cli" or "person:12".</param>
    public ImportResult Import(Stream data, string fileName, RosterEncoding encoding, string language, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        language = Texts.ParseLanguage(language) ?? Texts.Chinese;
        fileName ??= "roster.csv";

        var parsed = RosterReader.Read(data, encoding, language);
        var check = new Check(parsed, language);
        var rows = check.Rows();
        if (parsed.Problems.Count == 0 && parsed.Rows.Count == 0 && parsed.Encoding is not null)
        {
            parsed.Problems.Add(new RosterProblem(parsed.HeaderLine, "", Texts.Get(language, "roster.file.no_rows")));
        }

        // One transaction: the capacity check and the writes see the same data. Everything that needs the
        // database is read once, up front; nothing is written when there is any problem.
        return _db.Write(() =>
        {
            var people = _db.People.FindAll().ToDictionary(p => p.Phone, StringComparer.Ordinal);
            var pairings = _db.Pairings.FindAll().ToList();
            check.Capacity(rows, people, pairings, _maxChildrenPerCarer);
            if (parsed.Problems.Count > 0)
            {
                var problems = parsed.Problems
                    .OrderBy(p => p.Line)
                    .ThenBy(p => p.Column.Length == 0 ? -1 : ColumnOrder(parsed, p.Column))
                    .ToList();
                return new ImportResult { FileName = fileName, Language = language, Encoding = parsed.Encoding, Problems = problems, Rows = parsed.Rows.Count };
            }

            return Apply(rows, people, pairings, fileName, language, parsed.Encoding, actor);
        });
    }

    private static int ColumnOrder(ParsedRoster parsed, string header)
    {
        foreach (var (column, written) in parsed.Headers)
        {
            if (written == header)
            {
                return (int)column;
            }
        }

        return RosterHeaders.Columns.Count;
    }

    private ImportResult Apply(
        List<ValidRow> rows,
        Dictionary<string, Person> people,
        List<Pairing> pairings,
        string fileName,
        string language,
        RosterEncoding? encoding,
        string actor)
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
                if (person.Name == plan.Name && person.Roles == roles && person.WorkCity == city)
                {
                    peopleUnchanged++;
                    continue;
                }

                person.Name = plan.Name;
                person.Roles = roles;
                person.WorkCity = city;
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
                    Language = Texts.Chinese,
                    CreatedUtc = now,
                    UpdatedUtc = now,
                };
                newPeople.Add(person);
                people.Add(plan.Phone, person);
            }
        }

        _db.People.Insert(newPeople);
        _db.People.Update(changedPeople);
        newPeople.ForEach(p => Audit("person.created", null, $"person:{p.Id} roles:{p.Roles}"));
        changedPeople.ForEach(p => Audit("person.updated", null, $"person:{p.Id} roles:{p.Roles}"));

        // Children: matched by 学号, updated in place.
        var existing = _db.Children.FindAll().ToDictionary(c => c.Id, StringComparer.Ordinal);
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
                child.Parents = wanted.Parents;
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

        _db.Children.Insert(newChildren);
        _db.Children.Update(changedChildren);

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

                _db.Pairings.Delete(pairing.Id);
                removed++;
                Audit("pairing.removed", row.ChildId, $"carer:{pairing.CarerId} role:{pairing.Role}");
            }

            foreach (var (carerId, role) in wanted.Where(w => !kept.Contains(w)))
            {
                newPairings.Add(new Pairing { CarerId = carerId, ChildId = row.ChildId, Role = role, CreatedUtc = now });
                Audit("pairing.created", row.ChildId, $"carer:{carerId} role:{role}");
            }
        }

        _db.Pairings.Insert(newPairings);
        _db.Audit.Insert(audit);

        return new ImportResult
        {
            FileName = fileName,
            Language = language,
            Encoding = encoding,
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
        if (!old.Parents.Select(p => (p.PersonId, p.Relation)).SequenceEqual(wanted.Parents.Select(p => (p.PersonId, p.Relation))))
        {
            changed.Add(nameof(Child.Parents));
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
    }

    internal sealed record Contact(string Name, string Phone);

    internal sealed record ValidRow(int Line, string ChildId, string Name, string? Gender, string? Class,
        string? GuardianName, string? GuardianRelation, string? GuardianPhone, string? Notes,
        Contact? Father, string? FatherCity, Contact? Mother, string? MotherCity, Contact Mentor, Contact? Volunteer)
    {
        public IEnumerable<(Contact Contact, Roles Role, string? City)> Contacts()
        {
            if (Father is not null) yield return (Father, Roles.Parent, FatherCity);
            if (Mother is not null) yield return (Mother, Roles.Parent, MotherCity);
            yield return (Mentor, Roles.Mentor, null);
            if (Volunteer is not null) yield return (Volunteer, Roles.Volunteer, null);
        }

        public Child ToChild(Func<string, int> personId)
        {
            var parents = new List<ParentLink>();
            if (Father is not null) parents.Add(new ParentLink { PersonId = personId(Father.Phone), Relation = ParentRelation.Father });
            if (Mother is not null) parents.Add(new ParentLink { PersonId = personId(Mother.Phone), Relation = ParentRelation.Mother });
            return new Child
            {
                Id = ChildId,
                Name = Name,
                Gender = Gender,
                Class = Class,
                GuardianName = GuardianName,
                GuardianRelation = GuardianRelation,
                GuardianPhone = GuardianPhone,
                Notes = Notes,
                Parents = parents,
            };
        }
    }

    [GeneratedRegex(@"^\d+(\.\d+)?[Ee]\+?\d+$")]
    private static partial Regex ExcelNumber();

    /// <summary>The checks of every row, collecting problems into the parsed file.</summary>
    private sealed class Check(ParsedRoster parsed, string language)
    {
        private readonly Dictionary<string, (string Name, int Line)> _names = new(StringComparer.Ordinal);

        private void Problem(int line, RosterColumn column, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, key, args)));

        private void Problem(int line, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, "", Texts.Get(language, key, args)));

        public List<ValidRow> Rows()
        {
            var valid = new List<ValidRow>(parsed.Rows.Count);
            if (parsed.MissingRequiredColumn)
            {
                return valid;
            }

            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var row in parsed.Rows)
            {
                var before = parsed.Problems.Count;
                var id = Required(row, RosterColumn.ChildId);
                if (id is not null && ExcelNumber().IsMatch(id))
                {
                    Problem(row.Line, RosterColumn.ChildId, "roster.value.excel_number");
                }
                else if (id is not null && !ids.TryAdd(id, row.Line))
                {
                    Problem(row.Line, RosterColumn.ChildId, "roster.child.duplicate", id, ids[id]);
                }

                var name = Required(row, RosterColumn.ChildName);
                var gender = Gender(row);
                var guardianPhone = GuardianPhone(row);
                var father = Person(row, RosterColumn.FatherName, RosterColumn.FatherPhone, optional: true);
                var mother = Person(row, RosterColumn.MotherName, RosterColumn.MotherPhone, optional: true);
                var mentor = Person(row, RosterColumn.MentorName, RosterColumn.MentorPhone, optional: false);
                var volunteer = Person(row, RosterColumn.VolunteerName, RosterColumn.VolunteerPhone, optional: true);
                if (father is null && mother is null && parsed.Problems.Count == before)
                {
                    Problem(row.Line, parsed.Headers.ContainsKey(RosterColumn.FatherPhone) ? RosterColumn.FatherPhone : RosterColumn.MotherPhone,
                        "roster.parent.none");
                }

                if (father is not null && mother is not null && father.Phone == mother.Phone)
                {
                    Problem(row.Line, RosterColumn.MotherPhone, "roster.phone.same_parents");
                }

                if (volunteer is not null && mentor is not null && volunteer.Phone == mentor.Phone)
                {
                    Problem(row.Line, RosterColumn.VolunteerPhone, "roster.phone.mentor_is_volunteer");
                }

                if (parsed.Problems.Count == before && id is not null && name is not null && mentor is not null)
                {
                    valid.Add(new ValidRow(row.Line, id, name, gender, Optional(row, RosterColumn.Class),
                        Optional(row, RosterColumn.GuardianName), Optional(row, RosterColumn.GuardianRelation), guardianPhone,
                        Optional(row, RosterColumn.Notes), father, Optional(row, RosterColumn.FatherWorkCity),
                        mother, Optional(row, RosterColumn.MotherWorkCity), mentor, volunteer));
                }
            }

            return valid;
        }

        /// <summary>A carer may hold at most <paramref name="max"/> children: their children not in the file plus those in it.</summary>
        public void Capacity(List<ValidRow> rows, Dictionary<string, Person> people, List<Pairing> pairings, int max)
        {
            var inFile = new HashSet<string>(parsed.Rows.Select(r => r.Get(RosterColumn.ChildId)), StringComparer.Ordinal);
            var outside = pairings
                .Where(p => !inFile.Contains(p.ChildId))
                .GroupBy(p => p.CarerId)
                .ToDictionary(g => g.Key, g => g.Select(p => p.ChildId).Distinct(StringComparer.Ordinal).Count());

            var carers = new Dictionary<string, (Contact Contact, List<(ValidRow Row, RosterColumn Column)> Rows)>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                Add(row.Mentor, row, RosterColumn.MentorName);
                if (row.Volunteer is { } volunteer)
                {
                    Add(volunteer, row, RosterColumn.VolunteerName);
                }
            }

            foreach (var (phone, (contact, list)) in carers)
            {
                var already = people.TryGetValue(phone, out var person) ? outside.GetValueOrDefault(person.Id) : 0;
                var total = already + list.Count;
                if (total <= max)
                {
                    continue;
                }

                // Reported on the first row that takes the carer over the limit.
                var (row, column) = list[Math.Max(0, max - already)];
                Problem(row.Line, column, "roster.carer.over_capacity", contact.Name, Model.Phone.Mask(phone), total, max, already);
            }

            void Add(Contact contact, ValidRow row, RosterColumn column)
            {
                if (!carers.TryGetValue(contact.Phone, out var entry))
                {
                    entry = (contact, []);
                    carers.Add(contact.Phone, entry);
                }

                entry.Rows.Add((row, column));
            }
        }

        private string? Required(RosterRow row, RosterColumn column)
        {
            var value = row.Get(column);
            if (value.Length == 0)
            {
                Problem(row.Line, column, "roster.value.required");
                return null;
            }

            return value;
        }

        private static string? Optional(RosterRow row, RosterColumn column)
        {
            var value = row.Get(column);
            return value.Length == 0 ? null : value;
        }

        private string? Gender(RosterRow row)
        {
            var value = row.Get(RosterColumn.Gender);
            switch (value.ToLowerInvariant())
            {
                case "":
                    return null;
                case "男" or "m" or "male" or "男生":
                    return "M";
                case "女" or "f" or "female" or "女生":
                    return "F";
                default:
                    Problem(row.Line, RosterColumn.Gender, "roster.value.bad_gender");
                    return null;
            }
        }

        private string? GuardianPhone(RosterRow row)
        {
            var value = row.Get(RosterColumn.GuardianPhone);
            if (value.Length == 0)
            {
                return null;
            }

            var phone = Model.Phone.Normalize(value) ?? Landline(value);
            if (phone is null)
            {
                Problem(row.Line, RosterColumn.GuardianPhone, ExcelNumber().IsMatch(value) ? "roster.value.excel_number" : "roster.value.bad_guardian_phone");
            }

            return phone;
        }

        /// <summary>A landline such as "0851-8512 3456": 7 to 12 digits once separators are dropped.</summary>
        private static string? Landline(string value)
        {
            var sb = new StringBuilder();
            foreach (var c in value)
            {
                if (c is >= '0' and <= '9')
                {
                    sb.Append(c);
                }
                else if (c is >= '０' and <= '９')
                {
                    sb.Append((char)('0' + (c - '０')));
                }
                else if (c is not (' ' or '-' or '(' or ')' or '（' or '）' or '\u3000' or '－'))
                {
                    return null;
                }
            }

            return sb.Length is >= 7 and <= 12 ? sb.ToString() : null;
        }

        /// <summary>A name and a mobile phone, both or neither (neither only when <paramref name="optional"/>).</summary>
        private Contact? Person(RosterRow row, RosterColumn nameColumn, RosterColumn phoneColumn, bool optional)
        {
            var name = row.Get(nameColumn);
            var raw = row.Get(phoneColumn);
            if (name.Length == 0 && raw.Length == 0)
            {
                if (!optional)
                {
                    Problem(row.Line, nameColumn, "roster.value.required");
                    Problem(row.Line, phoneColumn, "roster.value.required");
                }

                return null;
            }

            if (name.Length == 0)
            {
                Problem(row.Line, nameColumn, "roster.value.name_without_phone_owner");
            }

            string? phone = null;
            if (raw.Length == 0)
            {
                Problem(row.Line, phoneColumn, "roster.value.phone_missing", name);
            }
            else
            {
                phone = Model.Phone.Normalize(raw);
                if (phone is null)
                {
                    Problem(row.Line, phoneColumn, ExcelNumber().IsMatch(raw) ? "roster.value.excel_number" : "roster.value.bad_mobile");
                }
            }

            if (name.Length == 0 || phone is null)
            {
                return null;
            }

            // One phone is one person: the same phone under two names is a mistake somewhere.
            if (_names.TryGetValue(phone, out var first))
            {
                if (first.Name != name)
                {
                    Problem(row.Line, nameColumn, "roster.phone.name_conflict", Model.Phone.Mask(phone), first.Name, first.Line, name);
                    return null;
                }
            }
            else
            {
                _names.Add(phone, (name, row.Line));
            }

            return new Contact(name, phone);
        }
    }
}

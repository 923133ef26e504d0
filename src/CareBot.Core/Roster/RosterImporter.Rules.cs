using System.Text;
using System.Text.RegularExpressions;
using CareBot.Core.Model;
using CareBot.Core.Text;
using ParsedRoster = CareBot.Core.Roster.ParsedTable<CareBot.Core.Roster.RosterColumn>;
using RosterRow = CareBot.Core.Roster.TableRow<CareBot.Core.Roster.RosterColumn>;

namespace CareBot.Core.Roster;

/// <summary>The importer's rules for every row, whatever the source (CSV or a workbook's sheet).</summary>
public sealed partial class RosterImporter
{
    internal sealed record Contact(string Name, string Phone);

    internal sealed record ValidRow(int Line, string School, string StudentNo, string Name, string? Gender, string? Class,
        string? GuardianName, string? GuardianRelation, string? GuardianPhone, string? Notes,
        Contact? Father, string? FatherCity, Contact? Mother, string? MotherCity, Contact Mentor, Contact? Volunteer,
        List<NamedParent> ParentsWithoutPhone)
    {
        /// <summary>The child's key: school and 学号.</summary>
        public string ChildId => SchoolDirectory.ChildKey(School, StudentNo);

        /// <summary>监护情况, or null when the cell is empty (or the file has no such column).</summary>
        public Guardianship? Guardianship { get; init; }

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
                SchoolId = School,
                StudentNo = StudentNo,
                Name = Name,
                Gender = Gender,
                Class = Class,
                GuardianName = GuardianName,
                GuardianRelation = GuardianRelation,
                GuardianPhone = GuardianPhone,
                Notes = Notes,
                Guardianship = Guardianship,
                Parents = parents,
                ParentsWithoutPhone = ParentsWithoutPhone,
            };
        }
    }

    /// <summary>A number Excel showed in scientific notation (1.38E+10): a phone or 学号 lost in the export.</summary>
    [GeneratedRegex(@"^\d+(\.\d+)?[Ee]\+?\d+$")]
    internal static partial Regex ExcelNumber();

    /// <summary>The checks of every row, collecting problems into the parsed file.</summary>
    private sealed class Check(ParsedRoster parsed, string language, SchoolDirectory schools)
    {
        private readonly Dictionary<string, (string School, int Line)> _mentorSchools = new(StringComparer.Ordinal);

        private readonly Dictionary<string, (string Name, int Line)> _names = new(StringComparer.Ordinal);

        private void Problem(int line, RosterColumn column, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, key, args)));

        private void Problem(int line, string key, params object?[] args) =>
            parsed.Problems.Add(new RosterProblem(line, "", Texts.Get(language, key, args)));

        /// <summary>The roster's header rules: 学号, 姓名, 结对教师 and 教师电话, and a father's or mother's phone.</summary>
        public static void RequiredColumns(ParsedRoster parsed, int line, string language)
        {
            RosterColumn[] required = [RosterColumn.ChildId, RosterColumn.ChildName, RosterColumn.MentorName, RosterColumn.MentorPhone];
            foreach (var column in required.Where(c => !parsed.Headers.ContainsKey(c)))
            {
                parsed.MissingRequiredColumn = true;
                parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(column), Texts.Get(language, "roster.header.missing")));
            }

            if (!parsed.Headers.ContainsKey(RosterColumn.FatherPhone) && !parsed.Headers.ContainsKey(RosterColumn.MotherPhone))
            {
                parsed.MissingRequiredColumn = true;
                parsed.Problems.Add(new RosterProblem(line, parsed.HeaderOf(RosterColumn.FatherPhone), Texts.Get(language, "roster.header.no_parent_phone")));
            }
        }

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
                var school = School(row);
                if (id is not null && ExcelNumber().IsMatch(id))
                {
                    Problem(row.Line, RosterColumn.ChildId, "roster.value.excel_number");
                }
                else if (id is not null && school is not null && !ids.TryAdd(SchoolDirectory.ChildKey(school, id), row.Line))
                {
                    Problem(row.Line, RosterColumn.ChildId, "roster.child.duplicate", id, ids[SchoolDirectory.ChildKey(school, id)]);
                }

                var name = Required(row, RosterColumn.ChildName);
                var gender = Gender(row);
                var level = Level(row);
                var guardianPhone = GuardianPhone(row);
                var phoneless = new List<NamedParent>();
                var father = Parent(row, RosterColumn.FatherName, RosterColumn.FatherPhone, RosterColumn.FatherWorkCity, ParentRelation.Father, phoneless);
                var mother = Parent(row, RosterColumn.MotherName, RosterColumn.MotherPhone, RosterColumn.MotherWorkCity, ParentRelation.Mother, phoneless);
                var mentor = Person(row, RosterColumn.MentorName, RosterColumn.MentorPhone, optional: false);
                var volunteer = Person(row, RosterColumn.VolunteerName, RosterColumn.VolunteerPhone, optional: true);
                if (father is null && mother is null && phoneless.Count == 0 && parsed.Problems.Count == before)
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

                if (mentor is not null && school is not null)
                {
                    if (!_mentorSchools.TryAdd(mentor.Phone, (school, row.Line)) && _mentorSchools[mentor.Phone].School != school)
                    {
                        Problem(row.Line, RosterColumn.MentorName, "roster.school.mentor_two", mentor.Name, schools.NameOf(_mentorSchools[mentor.Phone].School), _mentorSchools[mentor.Phone].Line);
                    }
                }

                if (parsed.Problems.Count == before && id is not null && school is not null && name is not null && mentor is not null)
                {
                    valid.Add(new ValidRow(row.Line, school, id, name, gender, Optional(row, RosterColumn.Class),
                        Optional(row, RosterColumn.GuardianName), Optional(row, RosterColumn.GuardianRelation), guardianPhone,
                        Optional(row, RosterColumn.Notes), father, Optional(row, RosterColumn.FatherWorkCity),
                        mother, Optional(row, RosterColumn.MotherWorkCity), mentor, volunteer, phoneless) { Guardianship = level });
                }
            }

            return valid;
        }

        /// <summary>The row's school id: by id or name; left out or empty only when one school is configured.</summary>
        private string? School(RosterRow row)
        {
            var text = Optional(row, RosterColumn.School);
            if (text is null)
            {
                if (schools.OnlySchool is { } only)
                {
                    return only;
                }

                Problem(row.Line, parsed.Headers.ContainsKey(RosterColumn.School) ? RosterColumn.School : RosterColumn.ChildId, "roster.school.required");
                return null;
            }

            if (schools.Find(text) is { } found)
            {
                return found.Id;
            }

            Problem(row.Line, RosterColumn.School, "roster.school.unknown", text, string.Join(", ", schools.All.Select(s => s.Name.Length > 0 ? $"{s.Id} ({s.Name})" : s.Id)));
            return null;
        }

        /// <summary>A carer may hold at most <paramref name="max"/> children: their children not in the file plus those in it.</summary>
        public void Capacity(List<ValidRow> rows, Dictionary<string, Person> people, List<Pairing> pairings, int max)
        {
            var inFile = new HashSet<string>(rows.Select(r => r.ChildId), StringComparer.Ordinal);
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

        /// <summary>监护情况: 较好 / 一般 / 差 (good / fair / poor) or empty; anything else is a problem naming the row and column.</summary>
        private Guardianship? Level(RosterRow row)
        {
            var value = row.Get(RosterColumn.Guardianship);
            if (value.Length == 0)
            {
                return null;
            }

            var level = GuardianshipWords.Parse(value);
            if (level is null)
            {
                Problem(row.Line, RosterColumn.Guardianship, "roster.value.bad_guardianship", value.Length > 20 ? value[..20] : value);
            }

            return level;
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

        /// <summary>
        /// A parent: a name and a mobile, or neither; or a name without a phone, taken with a warning into
        /// <paramref name="phoneless"/> (a phone that is there but not a mobile is still a problem).
        /// </summary>
        private Contact? Parent(RosterRow row, RosterColumn nameColumn, RosterColumn phoneColumn, RosterColumn cityColumn, ParentRelation relation, List<NamedParent> phoneless)
        {
            var name = row.Get(nameColumn);
            if (name.Length == 0 || row.Get(phoneColumn).Length > 0)
            {
                return Person(row, nameColumn, phoneColumn, optional: true);
            }

            parsed.Warnings.Add(new RosterProblem(row.Line, parsed.HeaderOf(phoneColumn), Texts.Get(language, "roster.warn.parent_no_phone", name)));
            phoneless.Add(new NamedParent { Name = name, Relation = relation, WorkCity = Optional(row, cityColumn) });
            return null;
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

using System.ComponentModel.DataAnnotations;
using CareBot.Core.Model;

namespace CareBot.Core;

/// <summary>One school of the county (<c>CareBot:Schools</c>).</summary>
public sealed class SchoolEntry
{
    /// <summary>A short id (letters, digits, - and _), e.g. "xq-zx". Part of every child's key.</summary>
    [Required]
    public string Id { get; set; } = "";

    [Required]
    public string Name { get; set; } = "";
}

/// <summary>
/// The schools of a deployment. None configured means one school with the id <see cref="DefaultId"/>. A child is
/// identified by school and 学号: its key is <c>{school}/{学号}</c> (<see cref="ChildKey"/>).
/// </summary>
public sealed class SchoolDirectory
{
    /// <summary>The school of a deployment that configures none (and of children from before schools existed).</summary>
    public const string DefaultId = "default";

    public SchoolDirectory(IEnumerable<SchoolEntry>? schools)
    {
        var list = (schools ?? []).Where(s => !string.IsNullOrWhiteSpace(s.Id)).ToList();
        Configured = list.Count > 0;
        All = Configured ? list : [new SchoolEntry { Id = DefaultId, Name = "" }];
    }

    public IReadOnlyList<SchoolEntry> All { get; }

    /// <summary>False when <c>CareBot:Schools</c> is empty (one unnamed school).</summary>
    public bool Configured { get; }

    /// <summary>The school a roster row without a school belongs to; null when several are configured.</summary>
    public string? OnlySchool => All.Count == 1 ? All[0].Id : null;

    /// <summary>The school the children of a database from before schools go to: the configured one, or the first.</summary>
    public string UpgradeTo => All[0].Id;

    public bool Several => All.Count > 1;

    /// <summary>The school named by id or name (ids without case); null when none.</summary>
    public SchoolEntry? Find(string? idOrName)
    {
        if (string.IsNullOrWhiteSpace(idOrName))
        {
            return null;
        }

        var key = idOrName.Trim();
        return All.FirstOrDefault(s => string.Equals(s.Id, key, StringComparison.OrdinalIgnoreCase))
            ?? All.FirstOrDefault(s => string.Equals(s.Name, key, StringComparison.Ordinal));
    }

    public string NameOf(string? id) => All.FirstOrDefault(s => s.Id == id) is { } s && s.Name.Length > 0 ? s.Name : id ?? "";

    public static string ChildKey(string school, string studentNo) => $"{school}/{studentNo}";

    /// <summary>The school of a child key (<see cref="DefaultId"/> for a key without one).</summary>
    public static string SchoolOfKey(string childKey) => childKey.IndexOf('/', StringComparison.Ordinal) is var i and > 0 ? childKey[..i] : DefaultId;

    /// <summary>How a person reads a child key: the 学号, with the school's name where there are several schools.</summary>
    public string Label(string childKey)
    {
        var i = childKey.IndexOf('/', StringComparison.Ordinal);
        var no = i >= 0 ? childKey[(i + 1)..] : childKey;
        return Several ? $"{NameOf(SchoolOfKey(childKey))} {no}" : no;
    }

    /// <summary>
    /// The key of the child an admin names: a key as is; a 学号 with its school; a 学号 alone when one school is
    /// configured or only one school has it. Null when no child matches; the schools when several have that 学号.
    /// </summary>
    public (string? Key, IReadOnlyList<string> Ambiguous) Resolve(Storage.CareTx tx, string given, string? school)
    {
        ArgumentNullException.ThrowIfNull(tx);
        given = given.Trim();
        if (given.Contains('/', StringComparison.Ordinal))
        {
            return (tx.Children.FindById(given) is null ? null : given, []);
        }

        if (school is not null || OnlySchool is not null)
        {
            var key = ChildKey(Find(school)?.Id ?? school ?? OnlySchool!, given);
            return (tx.Children.FindById(key) is not null ? key : tx.Children.FindById(given) is not null ? given : null, []);
        }

        var matches = tx.Children.Find(c => c.StudentNo == given || c.Id == given).ToList();
        return matches.Count switch
        {
            0 => (null, []),
            1 => (matches[0].Id, []),
            _ => (null, matches.Select(c => NameOf(c.SchoolId)).ToList()),
        };
    }

    /// <summary>
    /// The people of <paramref name="scope"/>'s schools: parents of their children, carers paired with them, their
    /// mentors, and the admins scoped to one of them.
    /// </summary>
    public static HashSet<int> PeopleOf(Storage.CareTx tx, IReadOnlyCollection<string> scope, IEnumerable<AdminEntry> admins)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var children = tx.Children.FindAll().Where(c => scope.Contains(c.SchoolId)).ToList();
        var keys = children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var ids = children.SelectMany(c => c.Parents.Select(p => p.PersonId)).ToHashSet();
        ids.UnionWith(tx.Pairings.FindAll().Where(p => keys.Contains(p.ChildId)).Select(p => p.CarerId));
        foreach (var person in tx.People.FindAll())
        {
            if ((person.SchoolId is not null && scope.Contains(person.SchoolId))
                || (person.Has(Roles.Admin) && AdminScope(admins, person.Phone) is { } own && own.Any(scope.Contains)))
            {
                ids.Add(person.Id);
            }
        }

        return ids;
    }

    /// <summary>Whether <paramref name="child"/> is in <paramref name="scope"/> (null: the whole county).</summary>
    public static bool InScope(IReadOnlyCollection<string>? scope, Child child) => scope is null || scope.Contains(child.SchoolId);

    public static bool InScope(IReadOnlyCollection<string>? scope, string? schoolId) => scope is null || (schoolId is not null && scope.Contains(schoolId));

    /// <summary>
    /// The schools an admin sees and acts on: <c>CareBot:Admins[].Schools</c> of the entry with this phone; null (the
    /// whole county) when absent or empty.
    /// </summary>
    public static IReadOnlyCollection<string>? AdminScope(IEnumerable<AdminEntry> admins, string phone)
    {
        var entry = admins.FirstOrDefault(a => Phone.Normalize(a.Phone) == phone);
        return entry?.Schools is { Count: > 0 } schools ? schools.ToHashSet(StringComparer.Ordinal) : null;
    }
}

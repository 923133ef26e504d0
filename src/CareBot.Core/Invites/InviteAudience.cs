using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Invites;

/// <summary>
/// Whom <c>carebot invite</c> covers: <paramref name="Schools"/> (null: the whole county), <paramref name="Classes"/>
/// (empty: every class) and <paramref name="Roles"/> (<see cref="Roles.None"/>: every role).
/// </summary>
/// <remarks>
/// A class covers the parents of its children and the mentors and volunteers paired with them (a class meeting is
/// where both are met); <c>--role parent</c> keeps only the parents. Admins belong to no class.
/// </remarks>
public sealed record InviteFilter(IReadOnlyCollection<string>? Schools, IReadOnlyCollection<string> Classes, Roles Roles)
{
    public bool Matches(Person person) => Roles == Roles.None || (person.Roles & Roles) != 0;
}

/// <summary>A person to invite and the children their slip names (name and class only).</summary>
public sealed record InviteTarget(Person Person, IReadOnlyList<Child> Children);

/// <summary>Picks the people of an invite run and the children each of them cares for.</summary>
public static class InviteAudience
{
    /// <summary>The classes of <paramref name="filter"/> that no child in its schools is in (a typo, most likely).</summary>
    public static IReadOnlyList<string> UnknownClasses(CareTx tx, InviteFilter filter)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Classes.Count == 0)
        {
            return [];
        }

        var known = tx.Children.FindAll().Where(c => SchoolDirectory.InScope(filter.Schools, c)).Select(c => c.Class).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return filter.Classes.Where(c => !known.Contains(c)).ToList();
    }

    /// <summary>
    /// The people of <paramref name="filter"/> with a role, in id order; without <paramref name="linkedToo"/> only
    /// those not linked to a chat yet.
    /// </summary>
    public static List<Person> People(CareTx tx, InviteFilter filter, IEnumerable<AdminEntry> admins, bool linkedToo = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(filter);
        HashSet<int>? covered = filter.Schools is { } schools ? SchoolDirectory.PeopleOf(tx, schools, admins) : null;
        if (filter.Classes.Count > 0)
        {
            var ofClasses = OfClasses(tx, filter);
            covered = covered is null ? ofClasses : [.. covered.Intersect(ofClasses)];
        }

        return tx.People.FindAll()
            .Where(p => p.Roles != Roles.None && (linkedToo || p.Chat is null) && (covered is null || covered.Contains(p.Id)) && filter.Matches(p))
            .OrderBy(p => p.Id)
            .ToList();
    }

    /// <summary>Each person with the children of <paramref name="schools"/> they are a parent of or paired with, by class and name.</summary>
    public static List<InviteTarget> WithChildren(CareTx tx, IReadOnlyList<Person> people, IReadOnlyCollection<string>? schools)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(people);
        var ids = people.Select(p => p.Id).ToHashSet();
        var children = tx.Children.FindAll().Where(c => SchoolDirectory.InScope(schools, c)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var theirs = new Dictionary<int, HashSet<string>>();
        void Add(int person, string child)
        {
            if (ids.Contains(person) && children.ContainsKey(child))
            {
                (theirs.TryGetValue(person, out var set) ? set : theirs[person] = new HashSet<string>(StringComparer.Ordinal)).Add(child);
            }
        }

        foreach (var child in children.Values)
        {
            foreach (var parent in child.Parents)
            {
                Add(parent.PersonId, child.Id);
            }
        }

        foreach (var pairing in tx.Pairings.FindAll())
        {
            Add(pairing.CarerId, pairing.ChildId);
        }

        return people.Select(p => new InviteTarget(p, theirs.TryGetValue(p.Id, out var keys)
            ? keys.Select(k => children[k]).OrderBy(c => c.Class ?? "", StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal).ToList()
            : [])).ToList();
    }

    private static HashSet<int> OfClasses(CareTx tx, InviteFilter filter)
    {
        var children = tx.Children.FindAll()
            .Where(c => SchoolDirectory.InScope(filter.Schools, c) && c.Class is not null && filter.Classes.Contains(c.Class))
            .ToList();
        var keys = children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var ids = children.SelectMany(c => c.Parents.Select(p => p.PersonId)).ToHashSet();
        ids.UnionWith(tx.Pairings.FindAll().Where(p => keys.Contains(p.ChildId)).Select(p => p.CarerId));
        return ids;
    }
}

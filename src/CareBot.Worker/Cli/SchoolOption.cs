using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Cli;

/// <summary><c>--school ID</c> of the admin verbs: the schools a verb acts on (null: the whole county).</summary>
internal static class SchoolOption
{
    public static IReadOnlyCollection<string>? Scope(string? school, CareOptions care, string language)
    {
        if (string.IsNullOrWhiteSpace(school))
        {
            return null;
        }

        var found = care.Directory.Find(school) ?? throw new ConfigurationErrorException("--school: " + Texts.Get(language, "cli.school_unknown", school.Trim()));
        return [found.Id];
    }

    /// <summary>
    /// The key of the child an admin names with <c>--child</c> (and <c>--school</c>): null when there is none; exit 2
    /// with one line for an unknown school or a 学号 several schools share.
    /// </summary>
    public static string? ResolveChild(CareDb db, SchoolDirectory schools, string child, string? school, string language)
    {
        if (school is not null && schools.Find(school) is null)
        {
            throw new ConfigurationErrorException("--school: " + Texts.Get(language, "cli.school_unknown", school));
        }

        var (key, ambiguous) = db.Read(tx => schools.Resolve(tx, child, school));
        return ambiguous.Count > 0
            ? throw new ConfigurationErrorException("--child: " + Texts.Get(language, "cli.child_ambiguous", child.Trim(), string.Join(", ", ambiguous)))
            : key;
    }

    /// <summary>
    /// The one school a verb acts on: <c>--school</c> (id or name), or the only school there is; with several configured
    /// and none named, exit 2 with <paramref name="requiredKey"/> (its {0}: the ids).
    /// </summary>
    public static string Single(SchoolDirectory schools, string? school, string language, string requiredKey)
    {
        ArgumentNullException.ThrowIfNull(schools);
        if (!string.IsNullOrWhiteSpace(school))
        {
            return schools.Find(school)?.Id ?? throw new ConfigurationErrorException("--school: " + Texts.Get(language, "cli.school_unknown", school.Trim()));
        }

        return schools.OnlySchool
            ?? throw new ConfigurationErrorException(Texts.Get(language, requiredKey, string.Join(", ", schools.All.Select(s => s.Id))));
    }
}

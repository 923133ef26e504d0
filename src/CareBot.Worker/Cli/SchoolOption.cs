using CareBot.Core;
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
}

using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Text;

namespace CareBot.Core.Planning;

/// <summary>The week's group activities of a child in the weekly update: each one's date and title, oldest first.</summary>
internal static class WeeklyActivities
{
    /// <summary>Appends the activities among <paramref name="records"/> (the child's week); false when there are none.</summary>
    public static bool Append(StringBuilder text, string lang, List<CareRecord>? records)
    {
        var items = records?.Where(r => r.Kind == CareKind.Activity).OrderBy(r => r.LocalDate).ThenBy(r => r.AtUtc).ThenBy(r => r.Id).ToList();
        if (items is null || items.Count == 0)
        {
            return false;
        }

        text.Append('\n').Append(Texts.Get(lang, "act.weekly.header"));
        foreach (var r in items)
        {
            text.Append('\n').Append(Texts.Get(lang, "act.weekly.item", PlanText.Date(lang, r.LocalDate), PlanText.Day(lang, r.LocalDate), r.Text));
        }

        return true;
    }
}

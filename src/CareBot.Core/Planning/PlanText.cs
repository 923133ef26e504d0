using CareBot.Core.Text;

namespace CareBot.Core.Planning;

/// <summary>Small formatting helpers shared by the planners, in the reader's language.</summary>
internal static class PlanText
{
    public static string Lang(string? language) => language == Texts.English ? Texts.English : Texts.Chinese;

    public static string Date(string lang, DateOnly date) => Texts.Get(lang, "plan.date", date.Month, date.Day);

    /// <summary>Monday = 1 ... Sunday = 7.</summary>
    public static string Day(string lang, DateOnly date) => Texts.Get(lang, $"plan.day.{((int)date.DayOfWeek + 6) % 7 + 1}");

    /// <summary>Keeps a free-text note to one compact line.</summary>
    public static string Compact(string text, int max)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        if (oneLine.Length <= max)
        {
            return oneLine;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(oneLine[cut - 1]))
        {
            cut--;
        }

        return string.Concat(oneLine.AsSpan(0, cut), "…");
    }
}

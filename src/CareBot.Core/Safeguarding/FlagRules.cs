using CareBot.Core.Model;

namespace CareBot.Core.Safeguarding;

/// <summary>
/// When a check-in raises a flag (<c>CareBot:Safeguarding</c>): 心理 or 安全 at <see cref="SafeguardingOptions.FlagLowAt"/>
/// or below; any area down by <see cref="SafeguardingOptions.FlagDropBy"/> or more since the child's previous check-in;
/// an area at <see cref="SafeguardingOptions.FlagLowInARowAt"/> or below when the previous check-in also had an area
/// at or below it (two low check-ins in a row, in any areas).
/// </summary>
public static class FlagRules
{
    /// <summary>The areas of a check-in in the order of <see cref="Ratings.ToArray"/> (text keys <c>rating.{area}</c>).</summary>
    public static readonly string[] Areas = ["study", "life", "mood", "safety", "health"];

    private static readonly HashSet<string> Guarded = new(["mood", "safety"], StringComparer.Ordinal);

    /// <summary>The areas that raise a flag; empty when the check-in raises none.</summary>
    public static List<FlagItem> Evaluate(Ratings now, Ratings? previous, SafeguardingOptions options)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(options);
        var current = now.ToArray();
        var before = previous?.ToArray();
        var previousLow = before is not null && before.Any(v => v <= options.FlagLowInARowAt);
        var items = new List<FlagItem>();
        for (var i = 0; i < Areas.Length; i++)
        {
            var item = new FlagItem
            {
                Area = Areas[i],
                Now = current[i],
                Before = before?[i],
                Low = Guarded.Contains(Areas[i]) && current[i] <= options.FlagLowAt,
                Dropped = before is not null && before[i] - current[i] >= options.FlagDropBy,
                LowAgain = previousLow && current[i] <= options.FlagLowInARowAt,
            };
            if (item.Low || item.Dropped || item.LowAgain)
            {
                items.Add(item);
            }
        }

        return items;
    }
}

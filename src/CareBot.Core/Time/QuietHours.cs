using System.Globalization;

namespace CareBot.Core.Time;

/// <summary>A daily local time range such as 22:00-07:00 (may wrap past midnight) when no bulk message goes to parents.</summary>
public readonly record struct QuietHours(TimeOnly Start, TimeOnly End)
{
    public static bool TryParse(string? text, out QuietHours quiet)
    {
        quiet = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0], ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !TimeOnly.TryParseExact(parts[1], ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            return false;
        }

        quiet = new QuietHours(start, end);
        return true;
    }

    public bool Contains(TimeOnly t) =>
        Start == End ? false : Start < End ? t >= Start && t < End : t >= Start || t < End;

    /// <summary>When the quiet period holding <paramref name="localNow"/> ends, as a local time; localNow when not quiet.</summary>
    public DateTime EndOf(DateTime localNow)
    {
        var t = TimeOnly.FromDateTime(localNow);
        if (!Contains(t))
        {
            return localNow;
        }

        var endToday = localNow.Date + End.ToTimeSpan();
        return endToday > localNow ? endToday : endToday.AddDays(1);
    }
}

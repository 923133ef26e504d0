using System.Globalization;

namespace CareBot.Core.Time;

/// <summary>The school's clock: the injected <see cref="TimeProvider"/> seen in the configured time zone.</summary>
public sealed class CareClock
{
    private readonly TimeProvider _time;
    private readonly Func<TimeZoneInfo> _zone;

    public CareClock(TimeProvider time, TimeZoneInfo zone)
        : this(time, () => zone)
    {
    }

    /// <summary>A clock whose zone follows a setting that may change while the worker runs (CareBot:TimeZone).</summary>
    public CareClock(TimeProvider time, Func<TimeZoneInfo> zone)
    {
        _time = time;
        _zone = zone;
    }

    /// <summary>For tests and tools with a fixed zone; the worker passes the parsed <c>CareBot:TimeZone</c>.</summary>
    public CareClock(TimeProvider time, string timeZoneId)
        : this(time, TimeZoneInfo.FindSystemTimeZoneById(timeZoneId))
    {
    }

    public TimeZoneInfo Zone => _zone();

    public TimeProvider Time => _time;

    public DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    public DateTime LocalNow => TimeZoneInfo.ConvertTimeFromUtc(UtcNow, Zone);

    public DateOnly Today => DateOnly.FromDateTime(LocalNow);

    public DateOnly ToLocalDate(DateTime utc) => DateOnly.FromDateTime(ToLocal(utc));

    /// <summary>A UTC instant as the school's local time.</summary>
    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>The UTC instant of local midnight starting <paramref name="date"/>.</summary>
    public DateTime StartOfDayUtc(DateOnly date) =>
        TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), Zone);

    /// <summary>"2026-W48" for a local date (ISO 8601 week, Monday first; handles week 53).</summary>
    public static string IsoWeek(DateOnly date)
    {
        var dt = date.ToDateTime(TimeOnly.MinValue);
        return $"{ISOWeek.GetYear(dt):D4}-W{ISOWeek.GetWeekOfYear(dt):D2}";
    }

    /// <summary>The Monday of the ISO week holding <paramref name="date"/>.</summary>
    public static DateOnly WeekStart(DateOnly date)
    {
        var offset = ((int)date.DayOfWeek + 6) % 7;
        return date.AddDays(-offset);
    }
}

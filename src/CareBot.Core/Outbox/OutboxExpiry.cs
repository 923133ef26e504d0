using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Outbox;

/// <summary>
/// How long a message still matters. Until then the network's passing trouble (time-outs, refused connections, 5xx)
/// never ends a row: it waits and is tried again. Past it, the row is Expired, counted in <c>carebot status</c> and the
/// report, and not sent.
/// </summary>
public static class OutboxExpiry
{
    /// <summary>
    /// A daily reminder: the end of the day it was planned for; a weekly update and its photos: the end of its week
    /// plus <paramref name="catchUpDays"/> (<c>CareBot:CatchUpDays</c>, the window in which a missed run is caught up);
    /// a meeting's invitation or reminder: the start of the meeting; anything else (relays, replies, alerts,
    /// escalations): null, it matters until it is sent.
    /// </summary>
    public static DateTime? Of(CareTx tx, OutboxMessage row, CareClock clock, int catchUpDays)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(clock);
        return row.Kind switch
        {
            OutboxKind.Meeting when MeetingOf(row.Key) is { } id && tx.Meetings.FindById(id) is { } meeting => MeetingStartUtc(meeting, clock),
            OutboxKind.Reminder => clock.StartOfDayUtc(clock.ToLocalDate(row.CreatedUtc).AddDays(1)),
            OutboxKind.WeeklyUpdate or OutboxKind.WeeklyMedia when WeekStart(row.Week) is { } monday =>
                clock.StartOfDayUtc(monday.AddDays(7 + Math.Max(0, catchUpDays))),
            _ => null,
        };
    }

    /// <summary>True when the row no longer matters at <paramref name="utcNow"/>.</summary>
    public static bool HasExpired(CareTx tx, OutboxMessage row, CareClock clock, int catchUpDays, DateTime utcNow) =>
        Of(tx, row, clock, catchUpDays) is { } until && utcNow >= until;

    /// <summary>The meeting id in an invitation's or a meeting reminder's key ("meeting:7:42", "meeting-remind:7:42").</summary>
    private static int? MeetingOf(string key)
    {
        var parts = key.Split(':');
        return parts.Length == 3 && parts[0] is "meeting" or "meeting-remind"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static DateTime MeetingStartUtc(Meeting meeting, CareClock clock)
    {
        var start = TimeOnly.TryParseExact(meeting.Time, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : TimeOnly.MaxValue;
        return TimeZoneInfo.ConvertTimeToUtc(meeting.Date.ToDateTime(start, DateTimeKind.Unspecified), clock.Zone);
    }

    /// <summary>The Monday of an ISO week written "2026-W48"; null when it is not one.</summary>
    internal static DateOnly? WeekStart(string? week)
    {
        if (week is not { Length: 8 } || week[4] != '-' || week[5] != 'W'
            || !int.TryParse(week.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(week.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1 || number > ISOWeek.GetWeeksInYear(year))
        {
            return null;
        }

        return DateOnly.FromDateTime(ISOWeek.ToDateTime(year, number, DayOfWeek.Monday));
    }
}

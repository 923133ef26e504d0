using System.Globalization;

namespace CareBot.Core.Meetings;

/// <summary>A meeting as typed, by the command line (<c>carebot meeting add</c>) or in chat (<c>/meeting</c>).</summary>
public sealed record MeetingInput(string? Date, string? Time, string? Place, string? Title, IReadOnlyList<string> Classes, string? School = null);

/// <summary>
/// What is wrong with a meeting as typed: the field ("date", "time", "place", "title", "class", "school") and the
/// text key of the message (Text/meeting.*.json) with its arguments.
/// </summary>
public sealed record MeetingProblem(string Field, string Key, params object?[] Args);

/// <summary>A meeting whose fields are checked (not yet its school or classes, which need the roster).</summary>
public sealed record MeetingDraft(DateOnly Date, string Time, string Place, string Title, IReadOnlyList<string> Classes);

/// <summary>The rules for a meeting's fields, shared by the command line and the chat.</summary>
public static class MeetingRules
{
    public const int MaxPlaceLength = 60;
    public const int MaxTitleLength = 40;
    public const int MaxClasses = 30;

    /// <summary>How far ahead a meeting may be announced.</summary>
    public const int MaxDaysAhead = 366;

    /// <summary>Checks the typed fields; the meeting may be today but not in the past.</summary>
    public static MeetingProblem? Check(MeetingInput input, DateOnly today, out MeetingDraft? draft)
    {
        ArgumentNullException.ThrowIfNull(input);
        draft = null;
        if (!DateOnly.TryParseExact(input.Date?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new MeetingProblem("date", "meeting.bad_date", input.Date?.Trim() ?? "");
        }

        if (date < today || date.DayNumber > today.DayNumber + MaxDaysAhead)
        {
            return new MeetingProblem("date", "meeting.date_range", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), MaxDaysAhead);
        }

        if (!TimeOnly.TryParseExact(input.Time?.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new MeetingProblem("time", "meeting.bad_time", input.Time?.Trim() ?? "");
        }

        var place = Clean(input.Place);
        if (place.Length == 0 || place.Length > MaxPlaceLength)
        {
            return new MeetingProblem("place", "meeting.bad_place", MaxPlaceLength);
        }

        var title = Clean(input.Title);
        if (title.Length == 0 || title.Length > MaxTitleLength)
        {
            return new MeetingProblem("title", "meeting.bad_title", MaxTitleLength);
        }

        var classes = input.Classes.Select(Clean).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (classes.Count > MaxClasses)
        {
            return new MeetingProblem("class", "meeting.too_many_classes", MaxClasses);
        }

        draft = new MeetingDraft(date, time.ToString("HH:mm", CultureInfo.InvariantCulture), place, title, classes);
        return null;
    }

    private static string Clean(string? text) =>
        new string((text ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
}

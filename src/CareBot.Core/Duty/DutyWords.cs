using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Text;

namespace CareBot.Core.Duty;

/// <summary>
/// Weekdays and slots as teachers write them, in the rota file and in chat: 周三 / 星期三 / 礼拜三 / Wed / Wednesday (and
/// 3 in the file), 中午 / noon, 放学后 / after school. Also how a turn is shown back, in the reader's language.
/// </summary>
public static class DutyWords
{
    private static readonly string[] ChineseDays = ["一", "二", "三", "四", "五", "六", "日"];

    private static readonly (string Word, DayOfWeek Day)[] EnglishDays =
    [
        ("monday", DayOfWeek.Monday), ("mon", DayOfWeek.Monday),
        ("tuesday", DayOfWeek.Tuesday), ("tues", DayOfWeek.Tuesday), ("tue", DayOfWeek.Tuesday),
        ("wednesday", DayOfWeek.Wednesday), ("wed", DayOfWeek.Wednesday),
        ("thursday", DayOfWeek.Thursday), ("thurs", DayOfWeek.Thursday), ("thur", DayOfWeek.Thursday), ("thu", DayOfWeek.Thursday),
        ("friday", DayOfWeek.Friday), ("fri", DayOfWeek.Friday),
        ("saturday", DayOfWeek.Saturday), ("sat", DayOfWeek.Saturday),
        ("sunday", DayOfWeek.Sunday), ("sun", DayOfWeek.Sunday),
    ];

    private static readonly (string Word, DutySlot Slot)[] SlotWords =
    [
        ("中午", DutySlot.Noon), ("午间", DutySlot.Noon), ("午休", DutySlot.Noon), ("noon", DutySlot.Noon), ("lunch", DutySlot.Noon),
        ("放学后", DutySlot.AfterSchool), ("放学", DutySlot.AfterSchool), ("after_school", DutySlot.AfterSchool),
        ("after school", DutySlot.AfterSchool), ("after-school", DutySlot.AfterSchool), ("afterschool", DutySlot.AfterSchool),
        ("after", DutySlot.AfterSchool),
    ];

    /// <summary>Every weekday word, Chinese and English, longest first (so "星期三" wins over nothing, "sunday" over "sun").</summary>
    private static readonly (string Word, DayOfWeek Day)[] DayWords =
    [
        .. ChineseDays.SelectMany((d, i) => new[] { "周" + d, "星期" + d, "礼拜" + d }.Select(w => (w, IsoDay(i + 1)))),
        ("周天", DayOfWeek.Sunday), ("星期天", DayOfWeek.Sunday), ("礼拜天", DayOfWeek.Sunday),
        .. EnglishDays,
    ];

    /// <summary>Monday = 1 ... Sunday = 7.</summary>
    public static int Iso(DayOfWeek day) => ((int)day + 6) % 7 + 1;

    public static DayOfWeek IsoDay(int iso) => (DayOfWeek)(iso % 7);

    /// <summary>A weekday as the rota file gives it (also 1–7, Monday = 1); null when it is none.</summary>
    public static DayOfWeek? Weekday(string? text)
    {
        var t = text?.Trim().ToLowerInvariant() ?? "";
        if (t.Length == 1 && t[0] is >= '1' and <= '7')
        {
            return IsoDay(t[0] - '0');
        }

        foreach (var (word, day) in DayWords)
        {
            if (t == word)
            {
                return day;
            }
        }

        return null;
    }

    /// <summary>A slot as the rota file gives it: 中午 / noon, 放学后 / after_school (and a few ways people write them).</summary>
    public static DutySlot? Slot(string? text)
    {
        var t = text?.Trim().ToLowerInvariant() ?? "";
        foreach (var (word, slot) in SlotWords)
        {
            if (t == word)
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>
    /// Two turns as a teacher types them after <c>/duty swap</c>: "周三中午 周五放学后", "下周一 放学后 周二 中午",
    /// "wed noon next fri after school". 下 / 下周 / next before a day means next week's; otherwise the day is this
    /// week's (Monday–Sunday). Null when the text is not exactly two turns of a day and a slot.
    /// </summary>
    public static IReadOnlyList<TurnWords>? ParseTurns(string text)
    {
        var turns = new List<TurnWords>();
        var (next, day, slot) = (false, (DayOfWeek?)null, (DutySlot?)null);
        foreach (var token in Tokens(text.ToLowerInvariant()))
        {
            switch (token)
            {
                case null:
                    return null; // a word that is neither a day, a slot nor "next"
                case { Next: true } when next || day is not null:
                case { Day: not null } when day is not null:
                case { Slot: not null } when slot is not null:
                    return null;
                case { Next: true }:
                    next = true;
                    break;
                case { Day: { } d }:
                    day = d;
                    break;
                case { Slot: { } s }:
                    slot = s;
                    break;
            }

            if (day is { } doneDay && slot is { } doneSlot)
            {
                turns.Add(new TurnWords(next, doneDay, doneSlot));
                (next, day, slot) = (false, null, null);
            }
        }

        return turns.Count == 2 && !next && day is null && slot is null ? turns : null;
    }

    private sealed record Token(bool Next = false, DayOfWeek? Day = null, DutySlot? Slot = null);

    private static readonly string[] NextWords = ["下个", "下", "next"];

    /// <summary>Words people put between the two turns, skipped like spaces.</summary>
    private static readonly string[] Connectors = ["和", "与", "跟", "换", "with", "and", "for", "->", "<->", "→", "↔", "⇄"];

    /// <summary>Every word of a turn, longest first; a connector's token is null (skipped). Declared after the lists it uses.</summary>
    private static readonly (string Word, Token? Token)[] TurnWordList = DayWords.Select(d => (d.Word, (Token?)new Token(Day: d.Day)))
        .Concat(SlotWords.Select(s => (s.Word, (Token?)new Token(Slot: s.Slot))))
        .Concat(NextWords.Select(n => (n, (Token?)new Token(Next: true))))
        .Concat(Connectors.Select(c => (c, (Token?)null)))
        .OrderByDescending(w => w.Item1.Length)
        .ToArray();

    private static IEnumerable<Token?> Tokens(string text)
    {
        var words = TurnWordList;
        var i = 0;
        while (i < text.Length)
        {
            var match = words.FirstOrDefault(w => string.CompareOrdinal(text, i, w.Word, 0, w.Word.Length) == 0);
            if (match.Word is null)
            {
                if (char.IsWhiteSpace(text[i]) || text[i] is ',' or '，' or '、' or '/' or '-' or '_' or ';' or '；' or '.' or '。' or ':' or '：')
                {
                    i++;
                    continue;
                }

                yield return null;
                yield break;
            }

            i += match.Word.Length;
            if (match.Token is not null)
            {
                yield return match.Token;
            }
        }
    }

    /// <summary>"周三" / "Wed".</summary>
    public static string Day(string lang, DayOfWeek day) => Texts.Get(PlanText.Lang(lang), $"plan.day.{Iso(day)}");

    /// <summary>"中午" / "noon".</summary>
    public static string SlotName(string lang, DutySlot slot) =>
        Texts.Get(PlanText.Lang(lang), slot == DutySlot.Noon ? "duty.slot.noon" : "duty.slot.after_school");

    /// <summary>A dated turn as people read it: "12月2日 周三 中午" / "Wed 12/2 noon".</summary>
    public static string Turn(string lang, DateOnly date, DutySlot slot) =>
        Texts.Get(PlanText.Lang(lang), "duty.turn", PlanText.Date(PlanText.Lang(lang), date), Day(lang, date.DayOfWeek), SlotName(lang, slot));
}

/// <summary>One turn as typed in chat: this week's or next week's <see cref="Day"/>, in <see cref="Slot"/>.</summary>
public sealed record TurnWords(bool NextWeek, DayOfWeek Day, DutySlot Slot)
{
    /// <summary>The date: in the week of <paramref name="today"/>, or the week after.</summary>
    public DateOnly DateFrom(DateOnly today) =>
        Time.CareClock.WeekStart(today).AddDays((NextWeek ? 7 : 0) + DutyWords.Iso(Day) - 1);
}

using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>What the school year adds to the contact card: the last phone talk, guidance notes, and aid (admins only).</summary>
internal static class YearCard
{
    private static readonly string[] GuidanceTags = ["#指导", "＃指导", "#guidance"];

    /// <summary>A visit or talk note tagged as guidance to the guardian (家教指导).</summary>
    public static bool IsGuidance(string? note) =>
        note is not null && GuidanceTags.Any(tag => note.Contains(tag, StringComparison.OrdinalIgnoreCase));

    public static DateOnly? LastCall(CareTx tx, string childId)
    {
        var calls = tx.Records.Find(r => r.ChildId == childId && r.Kind == CareKind.Call).Select(r => r.LocalDate).ToList();
        return calls.Count == 0 ? null : calls.Max();
    }

    public static void Append(ChatTurn turn, Child child, StringBuilder sb, CareOptions options, string lastCall)
    {
        var id = child.Id;
        sb.Append('\n').Append(turn.T("year.card_call", lastCall));
        sb.Append('\n').Append(turn.T("year.card_guidance", turn.Tx.Records.Count(r => r.ChildId == id && r.Guidance)));

        // Aid is for the admins of the child's school only, never a carer's or parent's chat.
        var person = turn.Person!;
        if (!person.Has(Roles.Admin) || !SchoolDirectory.InScope(SchoolDirectory.AdminScope(options.Admins, person.Phone), child))
        {
            return;
        }

        var aid = turn.Tx.Aid.Find(a => a.ChildId == id).OrderBy(a => a.Date).ThenBy(a => a.Id).ToList();
        if (aid.Count == 0)
        {
            sb.Append('\n').Append(turn.T("year.card_aid_none"));
            return;
        }

        sb.Append('\n').Append(turn.T("year.card_aid_title", aid.Count, AidRules.FormatAmount(aid.Sum(a => a.Amount))));
        foreach (var a in aid)
        {
            sb.Append('\n').Append(turn.T(
                "year.card_aid_row",
                a.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                a.Kind,
                AidRules.FormatAmount(a.Amount),
                a.Source ?? "-"));
        }
    }
}

/// <summary>The admins' /stats line for the year features: this week's phone talks, group activities and aid.</summary>
internal static class YearStats
{
    /// <param name="turn">The admin's turn.</param>
    /// <param name="children">The ids of the children in the admin's schools.</param>
    /// <param name="weekStart">Monday of this week (local).</param>
    /// <param name="weekEnd">The Monday after.</param>
    public static string Week(ChatTurn turn, HashSet<string> children, DateOnly weekStart, DateOnly weekEnd)
    {
        var records = turn.Tx.Records.Find(r => r.LocalDate >= weekStart && r.LocalDate < weekEnd && (r.Kind == CareKind.Call || r.Kind == CareKind.Activity))
            .Where(r => children.Contains(r.ChildId))
            .ToList();
        var activities = records.Where(r => r.Kind == CareKind.Activity).Select(r => r.GroupId ?? r.Id).Distinct().Count();
        var aid = turn.Tx.Aid.Find(a => a.Date >= weekStart && a.Date < weekEnd).Where(a => children.Contains(a.ChildId)).ToList();
        return turn.T("act.stats", records.Count(r => r.Kind == CareKind.Call), activities, aid.Count, AidRules.FormatAmount(aid.Sum(a => a.Amount)));
    }
}

/// <summary>The admins' <c>/aid CHILD KIND AMOUNT [DATE] [SOURCE]</c>, for children in the admin's schools.</summary>
internal static class AidCommand
{
    public static void Add(ChatTurn turn, string args, IReadOnlyCollection<string>? scope, CareClock clock)
    {
        var tokens = args.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 3)
        {
            turn.Reply("year.aid_usage");
            return;
        }

        if (ResolveInScope(turn, tokens[0], scope) is not { } child)
        {
            return;
        }

        var kind = ChatCommand.Clean(tokens[1]);
        if (!AidRules.ValidKind(kind))
        {
            turn.Reply("year.aid_bad_kind", AidRules.MaxKindLength);
            return;
        }

        if (!AidRules.TryParseAmount(tokens[2], out var amount))
        {
            turn.Reply("year.aid_bad_amount", tokens[2]);
            return;
        }

        var date = clock.Today;
        var rest = 3;
        if (tokens.Length > 3 && AidRules.TryParseDate(tokens[3], out var given))
        {
            date = given;
            rest = 4;
        }
        else if (tokens.Length > 3 && tokens[3].Length == 10 && char.IsDigit(tokens[3][0]) && tokens[3].Contains('-', StringComparison.Ordinal))
        {
            turn.Reply("year.aid_bad_date", tokens[3]);
            return;
        }

        var source = tokens.Length > rest ? ChatCommand.Clean(string.Join(' ', tokens[rest..])) : null;
        if (!AidRules.ValidSource(source))
        {
            turn.Reply("year.aid_bad_source", AidRules.MaxSourceLength);
            return;
        }

        AidRules.Save(turn.Tx, new AidEntry
        {
            ChildId = child.Id,
            Kind = kind,
            Amount = amount,
            Date = date,
            Source = string.IsNullOrEmpty(source) ? null : source,
            RecordedBy = turn.Actor,
            AtUtc = clock.UtcNow,
        });
        turn.Reply("year.aid_saved", child.Name, kind, AidRules.FormatAmount(amount), date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The child named by 学号 (or school/学号) among the admin's schools; replies and returns null when there is none
    /// or several. A child outside the admin's schools is "unknown": the answer does not tell that it exists.
    /// </summary>
    public static Child? ResolveInScope(ChatTurn turn, string who, IReadOnlyCollection<string>? scope)
    {
        who = who.Trim();
        var matches = MatchInScope(turn.Tx, who, scope);
        switch (matches.Count)
        {
            case 1:
                turn.About(matches[0]);
                return matches[0];
            case 0:
                turn.Reply("year.child_unknown", who);
                return null;
            default:
                turn.Reply("year.child_ambiguous", who, string.Join(", ", matches.Select(c => c.Id).Order(StringComparer.Ordinal)));
                return null;
        }
    }

    /// <summary>The children of the admin's schools with 学号 (or key, or school/学号) <paramref name="who"/>; nothing is replied.</summary>
    public static List<Child> MatchInScope(CareTx tx, string who, IReadOnlyCollection<string>? scope)
    {
        var matches = who.Contains('/', StringComparison.Ordinal)
            ? [.. tx.Children.FindById(who) is { } byKey ? [byKey] : Array.Empty<Child>()]
            : tx.Children.Find(c => c.StudentNo == who || c.Id == who).ToList();
        return matches.Where(c => SchoolDirectory.InScope(scope, c)).ToList();
    }

    /// <summary>Whether <paramref name="who"/> (a 学号, a key, or SCHOOL/学号) names <paramref name="child"/>: the rule of <see cref="MatchInScope"/>.</summary>
    public static bool Numbered(Child child, string who) =>
        who.Contains('/', StringComparison.Ordinal) ? child.Id == who : child.StudentNo == who || child.Id == who;
}

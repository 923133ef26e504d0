using System.Text;
using CareBot.Core.Duty;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// <c>/duty</c> for mentors, volunteers and admins: this week's activity-room rota (<c>/duty next</c>: next week's),
/// Monday to Sunday, with swaps applied and the sender's own turns marked; <c>/duty swap MINE THEIRS</c> asks another
/// teacher to swap a turn (<see cref="DutySwapCommands"/>). A teacher sees the rota of their school(s), an admin that of
/// their schools. Parents and unlinked chats never get here (<see cref="ChatHandler"/>).
/// </summary>
internal static class DutyCommands
{
    private static readonly string[] NextWords = ["next", "下周", "下", "下星期"];
    private static readonly string[] SwapWords = ["swap", "换班", "换", "调班"];

    /// <summary>Whether the sender may use <c>/duty</c> at all: a teacher (mentor or volunteer) or an admin.</summary>
    public static bool Allowed(Person person) => person.IsCarer || person.Has(Roles.Admin);

    public static void Handle(ChatTurn turn, string args, CareClock clock, CareOptions options)
    {
        var (first, rest) = ChatCommand.SplitFirst(args);
        var word = first.ToLowerInvariant();
        if (word.Length == 0)
        {
            Show(turn, CareClock.WeekStart(turn.Today), options);
        }
        else if (NextWords.Contains(word) && rest.Length == 0)
        {
            Show(turn, CareClock.WeekStart(turn.Today).AddDays(7), options);
        }
        else if (SwapWords.FirstOrDefault(w => word.StartsWith(w, StringComparison.Ordinal)) is { } swap)
        {
            // "/duty 换班周三中午 周五放学后" works too: the turns may follow the word without a space.
            DutySwapCommands.Propose(turn, (first[swap.Length..] + " " + rest).Trim(), clock, options);
        }
        else
        {
            turn.Reply("duty.usage");
        }
    }

    /// <summary>The schools whose rota the sender sees: their own as a teacher, and their schools as an admin.</summary>
    public static SortedSet<string> SchoolsFor(CareTx tx, Person person, CareOptions options)
    {
        var schools = DutyRota.SchoolsOf(tx, person);
        if (person.Has(Roles.Admin))
        {
            schools.UnionWith(SchoolDirectory.AdminScope(options.Admins, person.Phone) ?? options.Directory.All.Select(s => s.Id));
        }

        return schools;
    }

    private static void Show(ChatTurn turn, DateOnly monday, CareOptions options)
    {
        var person = turn.Person!;
        var rotas = SchoolsFor(turn.Tx, person, options).Select(s => DutyRota.Load(turn.Tx, s)).Where(r => !r.IsEmpty).ToList();
        if (rotas.Count == 0)
        {
            turn.Reply(person.Has(Roles.Admin) ? "duty.none_admin" : "duty.none");
            return;
        }

        var names = new Dictionary<int, string>();
        string Name(int id)
        {
            if (!names.TryGetValue(id, out var name))
            {
                name = turn.Tx.People.FindById(id)?.Name ?? "?";
                names.Add(id, name);
            }

            return name;
        }

        var sunday = monday.AddDays(6);
        var thisWeek = monday == CareClock.WeekStart(turn.Today);
        var parts = new List<string>();
        var mine = false;
        var swapped = false;
        foreach (var rota in rotas)
        {
            var sb = new StringBuilder(turn.T(thisWeek ? "duty.show_title" : "duty.show_title_next", PlanText.Date(turn.Lang, monday), PlanText.Date(turn.Lang, sunday)));
            if (options.Directory.Several)
            {
                sb.Append(' ').Append(turn.T("duty.show_school", options.Directory.NameOf(rota.SchoolId)));
            }

            for (var date = monday; date <= sunday; date = date.AddDays(1))
            {
                var shifts = rota.On(date).Select(s =>
                {
                    mine |= s.TeacherId == person.Id;
                    swapped |= s.Swapped;
                    var who = Name(s.TeacherId) + (s.TeacherId == person.Id ? "★" : "") + (s.Swapped ? "⇄" : "");
                    return turn.T("duty.show_shift", DutyWords.SlotName(turn.Lang, s.Slot), who);
                }).ToList();
                var day = turn.T("duty.show_day", PlanText.Day(turn.Lang, date), PlanText.Date(turn.Lang, date));
                if (date == turn.Today)
                {
                    day += turn.T("duty.show_today");
                }

                sb.Append('\n').Append(day).Append(turn.T("duty.show_sep"))
                    .Append(shifts.Count == 0 ? turn.T("duty.show_free") : string.Join(turn.T("duty.show_join"), shifts));
            }

            parts.Add(sb.ToString());
        }

        var footer = new List<string>();
        if (mine)
        {
            footer.Add(turn.T("duty.show_mine"));
        }

        if (swapped)
        {
            footer.Add(turn.T("duty.show_swapped"));
        }

        if (DutyRota.SchoolsOf(turn.Tx, person).Count > 0)
        {
            footer.Add(turn.T("duty.show_hint"));
        }

        turn.ReplyText(string.Join("\n\n", parts) + (footer.Count == 0 ? "" : "\n" + string.Join("\n", footer)));
    }
}

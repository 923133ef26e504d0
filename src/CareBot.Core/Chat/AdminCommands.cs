using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// Admins: /stats, /overdue, /notice TEXT, /aid, /activity, /card by 学号, each within the admin's schools (<c>CareBot:Admins[].Schools</c>; none
/// listed: the whole county, and /stats then adds a line per school).
/// </summary>
internal sealed class AdminCommands(CareClock clock, CareQueries care, CareOptions options, CarerCommands carer)
{
    private SchoolDirectory _schools => options.Directory;

    private IReadOnlyCollection<string>? Scope(ChatTurn turn) => SchoolDirectory.AdminScope(options.Admins, turn.Person?.Phone ?? "");

    public bool TryHandle(ChatTurn turn, ChatCommand command)
    {
        switch (command.Name)
        {
            case "stats":
                Stats(turn);
                return true;
            case "overdue":
                Overdue(turn);
                return true;
            case "notice":
                Notice(turn, command.Args);
                return true;
            case "aid":
                AidCommand.Add(turn, command.Args, Scope(turn), clock);
                return true;
            case "activity":
                ActivityCommand.Add(turn, command.Args, asAdmin: true, Scope(turn), clock);
                return true;
            case "card":
                // A carer's own child (name or /mine number) is the carer's card; otherwise the 学号 in the admin's schools.
                var who = ChatCommand.SplitFirst(command.Args).First;
                if (turn.Person!.IsCarer && (who.Length == 0 || CarerCommands.IsOwn(turn, who)))
                {
                    return false;
                }

                if (who.Length == 0)
                {
                    turn.Reply("year.card_usage_admin");
                    return true;
                }

                if (AidCommand.ResolveInScope(turn, who, Scope(turn)) is { } child)
                {
                    carer.ShowCard(turn, child);
                }

                return true;
            default:
                return false;
        }
    }

    private void Stats(ChatTurn turn)
    {
        var scope = Scope(turn);
        var weekStart = CareClock.WeekStart(clock.Today);
        var weekEnd = weekStart.AddDays(7);
        var children = turn.Tx.Children.FindAll().Where(c => SchoolDirectory.InScope(scope, c)).ToList();
        var schoolOf = children.ToDictionary(c => c.Id, c => c.SchoolId, StringComparer.Ordinal);
        var visits = new Dictionary<string, int>(StringComparer.Ordinal);
        var talks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in turn.Tx.Records.Find(r => r.LocalDate >= weekStart && r.LocalDate < weekEnd))
        {
            if (!schoolOf.TryGetValue(r.ChildId, out var school))
            {
                continue;
            }

            if (r.Kind == CareKind.Visit)
            {
                visits[school] = visits.GetValueOrDefault(school) + 1;
            }
            else if (r.Kind == CareKind.Talk)
            {
                talks[school] = talks.GetValueOrDefault(school) + 1;
            }
        }

        var overdue = OverdueList(turn.Tx, scope, turn.Lang);
        var inScope = scope is null ? null : SchoolDirectory.PeopleOf(turn.Tx, scope, options.Admins);
        var people = turn.Tx.People.FindAll().Where(p => inScope is null || inScope.Contains(p.Id)).ToList();
        var text = new StringBuilder(turn.T(
            "admin.stats",
            children.Count,
            people.Count(p => p.Chat != null),
            people.Count,
            visits.Values.Sum(),
            talks.Values.Sum(),
            overdue.Count));
        text.Append('\n').Append(YearStats.Week(turn, schoolOf.Keys.ToHashSet(StringComparer.Ordinal), weekStart, weekEnd));
        var schools = _schools.All.Where(x => SchoolDirectory.InScope(scope, x.Id)).ToList();
        if (schools.Count > 1)
        {
            text.Append('\n').Append(turn.T("admin.stats_by_school"));
            foreach (var school in schools)
            {
                text.Append('\n').Append(turn.T(
                    "admin.stats_school",
                    _schools.NameOf(school.Id),
                    children.Count(c => c.SchoolId == school.Id),
                    visits.GetValueOrDefault(school.Id),
                    talks.GetValueOrDefault(school.Id),
                    overdue.Count(o => o.Standing.Child.SchoolId == school.Id)));
            }
        }

        turn.ReplyText(text.ToString());
    }

    private void Overdue(ChatTurn turn)
    {
        var list = OverdueList(turn.Tx, Scope(turn), turn.Lang);
        if (list.Count == 0)
        {
            turn.Reply("admin.overdue_none");
            return;
        }

        turn.About(list.Select(x => x.Standing.Child.Id));
        var sb = new StringBuilder(turn.T("admin.overdue_title", list.Count));
        foreach (var (standing, carers) in list.OrderByDescending(x => x.Standing.OverdueDays))
        {
            sb.Append('\n').Append(turn.T("admin.overdue_row", standing.Child.Name, standing.Child.Class ?? "-", carers, standing.OverdueDays));
        }

        turn.ReplyText(sb.ToString());
    }

    private List<(ChildStanding Standing, string Carers)> OverdueList(CareTx tx, IReadOnlyCollection<string>? scope, string lang)
    {
        var carerNames = tx.People.Find(p => p.Roles != Roles.None).ToDictionary(p => p.Id, p => p.Name);
        var byChild = tx.Pairings.FindAll().GroupBy(p => p.ChildId).ToDictionary(g => g.Key, g => g.Select(p => p.CarerId).ToList());
        var result = new List<(ChildStanding, string)>();
        foreach (var standing in care.Standings(tx, tx.Children.FindAll().Where(c => SchoolDirectory.InScope(scope, c)).ToList()))
        {
            if (standing.OverdueDays > 0)
            {
                var names = byChild.TryGetValue(standing.Child.Id, out var ids) ? Texts.Join(lang, ids.Select(id => carerNames.GetValueOrDefault(id, "?"))) : "-";
                result.Add((standing, names));
            }
        }

        return result;
    }

    private void Notice(ChatTurn turn, string args)
    {
        if (turn.Note(args, "admin.notice_usage") is not { } text)
        {
            return;
        }

        var scope = Scope(turn);
        var parentsInScope = turn.Tx.Children.FindAll().Where(c => SchoolDirectory.InScope(scope, c)).SelectMany(c => c.Parents.Select(p => p.PersonId)).ToHashSet();
        var queued = 0;
        foreach (var parent in turn.Tx.People.Find(p => p.Chat != null).Where(p => p.Has(Roles.Parent) && parentsInScope.Contains(p.Id)).ToList())
        {
            if (turn.SendTo(parent, OutboxKind.Notice, OutboxPriority.Bulk, Texts.Get(parent.Language, "admin.notice_text", text)))
            {
                queued++;
            }
        }

        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "notice.sent", null, $"recipients:{queued}");
        turn.Reply("admin.notice_queued", queued);
    }
}

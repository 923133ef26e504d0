using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>Admins: /stats, /overdue, /notice TEXT.</summary>
internal sealed class AdminCommands(CareClock clock, CareQueries care)
{
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
            default:
                return false;
        }
    }

    private void Stats(ChatTurn turn)
    {
        var weekStart = CareClock.WeekStart(clock.Today);
        var weekEnd = weekStart.AddDays(7);
        int visits = 0, talks = 0;
        foreach (var r in turn.Tx.Records.Find(r => r.LocalDate >= weekStart && r.LocalDate < weekEnd))
        {
            if (r.Kind == CareKind.Visit)
            {
                visits++;
            }
            else if (r.Kind == CareKind.Talk)
            {
                talks++;
            }
        }

        var overdue = OverdueList(turn.Tx).Count;
        turn.Reply(
            "admin.stats",
            turn.Tx.Children.Count(),
            turn.Tx.People.Count(p => p.ChatId != null),
            turn.Tx.People.Count(),
            visits,
            talks,
            overdue);
    }

    private void Overdue(ChatTurn turn)
    {
        var list = OverdueList(turn.Tx);
        if (list.Count == 0)
        {
            turn.Reply("admin.overdue_none");
            return;
        }

        var sb = new StringBuilder(turn.T("admin.overdue_title", list.Count));
        foreach (var (standing, carers) in list.OrderByDescending(x => x.Standing.OverdueDays))
        {
            sb.Append('\n').Append(turn.T("admin.overdue_row", standing.Child.Name, standing.Child.Class ?? "-", carers, standing.OverdueDays));
        }

        turn.ReplyText(sb.ToString());
    }

    private List<(ChildStanding Standing, string Carers)> OverdueList(CareTx tx)
    {
        var carerNames = tx.People.Find(p => p.Roles != Roles.None).ToDictionary(p => p.Id, p => p.Name);
        var byChild = tx.Pairings.FindAll().GroupBy(p => p.ChildId).ToDictionary(g => g.Key, g => g.Select(p => p.CarerId).ToList());
        var result = new List<(ChildStanding, string)>();
        foreach (var standing in care.Standings(tx.Children.FindAll().ToList()))
        {
            if (standing.OverdueDays > 0)
            {
                var names = byChild.TryGetValue(standing.Child.Id, out var ids) ? string.Join("、", ids.Select(id => carerNames.GetValueOrDefault(id, "?"))) : "-";
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

        var queued = 0;
        foreach (var parent in turn.Tx.People.Find(p => p.ChatId != null).Where(p => p.Has(Roles.Parent)).ToList())
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

using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>Where a child stands: last visit and talk, when each is due next, days overdue.</summary>
public sealed record ChildStanding(Child Child, DateOnly? LastVisit, DateOnly? LastTalk, DateOnly NextVisit, DateOnly NextTalk, int OverdueDays);

/// <summary>The questions the chat commands ask of the records, limited to what the asking person may see.</summary>
internal sealed class CareQueries(CareDb db, CareClock clock, CadenceOptions cadence)
{
    /// <summary>The carer's children in a stable order; /mine numbers them from 1 in this order.</summary>
    public List<Child> ChildrenOf(int carerId)
    {
        var ids = db.Pairings.Find(p => p.CarerId == carerId).Select(p => p.ChildId).Distinct().ToList();
        return ids.Select(id => db.Children.FindById(id)).Where(c => c is not null).OrderBy(c => c!.Id, StringComparer.Ordinal).ToList()!;
    }

    public bool IsPaired(int carerId, string childId) => db.Pairings.Exists(p => p.CarerId == carerId && p.ChildId == childId);

    public ChildStanding Standing(Child child)
    {
        DateOnly? lastVisit = null, lastTalk = null;
        foreach (var r in db.Records.Find(r => r.ChildId == child.Id))
        {
            if (r.Kind == CareKind.Visit && (lastVisit is null || r.LocalDate > lastVisit))
            {
                lastVisit = r.LocalDate;
            }
            else if (r.Kind == CareKind.Talk && (lastTalk is null || r.LocalDate > lastTalk))
            {
                lastTalk = r.LocalDate;
            }
        }

        var today = clock.Today;
        // A child never visited (or never talked with) is due at once: from the day the child was paired.
        var paired = db.Pairings.Find(p => p.ChildId == child.Id).Select(p => p.CreatedUtc).DefaultIfEmpty(clock.UtcNow).Min();
        var since = paired == default ? today : clock.ToLocalDate(paired);
        var nextVisit = lastVisit?.AddDays(cadence.VisitEveryDays) ?? since;
        var nextTalk = lastTalk?.AddDays(cadence.TalkEveryDays) ?? since;
        var overdue = Math.Max(0, Math.Max(today.DayNumber - nextVisit.DayNumber, today.DayNumber - nextTalk.DayNumber));
        return new ChildStanding(child, lastVisit, lastTalk, nextVisit, nextTalk, overdue);
    }
}

using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Planning;

/// <summary>When a child's next home visit and talk are due, and by how many days they are overdue.</summary>
/// <param name="ChildId">The child.</param>
/// <param name="LastVisit">The latest home visit, or null when never visited.</param>
/// <param name="LastTalk">The latest talk, or null when never talked to.</param>
/// <param name="NextVisitDue">Last visit + VisitEveryDays; a child never visited is due from the day it was paired.</param>
/// <param name="NextTalkDue">Last talk + TalkEveryDays; likewise.</param>
/// <param name="Today">The local date the status was computed for.</param>
/// <param name="LastCall">The latest phone talk with a parent or guardian, or null.</param>
/// <param name="NextCallDue">
/// Last call + CallParentsEveryDays; a child never called is due that long after pairing. When the latest attempt did
/// not get through (<see cref="LastUnansweredCall"/>), <see cref="RetryUnansweredCallDays"/> after it.
/// </param>
/// <param name="LastUnansweredCall">The latest call that did not get through (<c>/call CHILD 未接通</c>), or null.</param>
public sealed record ChildCareStatus(
    string ChildId,
    DateOnly? LastVisit,
    DateOnly? LastTalk,
    DateOnly NextVisitDue,
    DateOnly NextTalkDue,
    DateOnly Today,
    DateOnly? LastCall = null,
    DateOnly? NextCallDue = null,
    DateOnly? LastUnansweredCall = null)
{
    /// <summary>A call that did not get through is due again this many days later.</summary>
    public const int RetryUnansweredCallDays = 3;

    /// <summary>The latest call attempt did not get through: the due call is a second try.</summary>
    public bool CallRetry => LastUnansweredCall is { } u && (LastCall is null || u > LastCall);

    /// <summary>How far ahead a visit or talk counts as "due" for reminders and reports.</summary>
    public const int DueWithinDays = 2;

    public int VisitOverdueDays => Math.Max(0, Today.DayNumber - NextVisitDue.DayNumber);

    public int TalkOverdueDays => Math.Max(0, Today.DayNumber - NextTalkDue.DayNumber);

    /// <summary>The larger of the two overdue counts.</summary>
    public int DaysOverdue => Math.Max(VisitOverdueDays, TalkOverdueDays);

    public bool VisitDue => NextVisitDue.DayNumber <= Today.DayNumber + DueWithinDays;

    public bool TalkDue => NextTalkDue.DayNumber <= Today.DayNumber + DueWithinDays;

    public int CallOverdueDays => NextCallDue is { } due ? Math.Max(0, Today.DayNumber - due.DayNumber) : 0;

    /// <summary>A phone talk with a parent is due within <see cref="DueWithinDays"/> days or overdue (not escalated).</summary>
    public bool CallDue => NextCallDue is { } due && due.DayNumber <= Today.DayNumber + DueWithinDays;

    /// <summary>A visit, talk or call is due within <see cref="DueWithinDays"/> days or overdue.</summary>
    public bool AnythingDue => VisitDue || TalkDue || CallDue;

    public bool Overdue => DaysOverdue > 0;
}

/// <summary>
/// Computes <see cref="ChildCareStatus"/> for many children at once (a whole county) without a query per child:
/// one indexed pass over the recent visits and talks (LocalDate range), and an indexed per-child look-up only for
/// the few children with nothing recent (they are due anyway; the look-up finds how long ago).
/// Shared by the reminder planner, the report and the chat commands /mine, /overdue, /stats.
/// </summary>
public sealed class CareStatusCalculator(CareDb db, CareClock clock, CareOptions options)
{
    /// <summary>Status of every paired child, keyed by child id, as of <paramref name="today"/>.</summary>
    public Dictionary<string, ChildCareStatus> ForAllPaired(DateOnly today, IReadOnlyCollection<Pairing> pairings) =>
        db.Read(tx => ForAllPaired(tx, today, pairings));

    /// <summary><see cref="ForAllPaired(DateOnly, IReadOnlyCollection{Pairing})"/> in the caller's turn.</summary>
    public Dictionary<string, ChildCareStatus> ForAllPaired(CareTx tx, DateOnly today, IReadOnlyCollection<Pairing> pairings)
    {
        ArgumentNullException.ThrowIfNull(pairings);
        return Compute(tx, today, SincePaired(today, pairings), byChild: false);
    }

    private Dictionary<string, DateOnly> SincePaired(DateOnly today, IEnumerable<Pairing> pairings)
    {
        var pairedSince = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var p in pairings)
        {
            var since = p.CreatedUtc == default ? today : clock.ToLocalDate(p.CreatedUtc);
            if (!pairedSince.TryGetValue(p.ChildId, out var existing) || since < existing)
            {
                pairedSince[p.ChildId] = since;
            }
        }

        return pairedSince;
    }

    /// <summary>Status of the given children (e.g. a mentor's three for /mine), as of <paramref name="today"/>.</summary>
    public Dictionary<string, ChildCareStatus> ForChildren(DateOnly today, IEnumerable<string> childIds)
    {
        ArgumentNullException.ThrowIfNull(childIds);
        return db.Read(tx => ForChildren(tx, today, childIds));
    }

    /// <summary><see cref="ForChildren(DateOnly, IEnumerable{string})"/> in the caller's turn.</summary>
    public Dictionary<string, ChildCareStatus> ForChildren(CareTx tx, DateOnly today, IEnumerable<string> childIds)
    {
        ArgumentNullException.ThrowIfNull(childIds);
        var ids = childIds.Distinct(StringComparer.Ordinal).ToList();
        var pairings = new List<Pairing>();
        foreach (var id in ids)
        {
            pairings.AddRange(tx.Pairings.Find(p => p.ChildId == id));
        }

        var result = Compute(tx, today, SincePaired(today, pairings), byChild: ids.Count <= FewChildren);
        foreach (var id in ids.Where(id => !result.ContainsKey(id)))
        {
            // Not paired: due from today.
            result[id] = Compute(tx, today, new Dictionary<string, DateOnly>(StringComparer.Ordinal) { [id] = today }, byChild: true)[id];
        }

        return result;
    }

    /// <summary>Up to this many children are looked up one by one rather than by a pass over the recent window.</summary>
    private const int FewChildren = 50;

    private Dictionary<string, ChildCareStatus> Compute(CareTx tx, DateOnly today, Dictionary<string, DateOnly> pairedSince, bool byChild)
    {
        var care = options.Care;
        var visitEvery = VisitEveryDays(tx, pairedSince.Keys, byChild);
        var window = Math.Max(Math.Max(care.LongestVisitEveryDays, care.TalkEveryDays), care.CallParentsEveryDays) + ChildCareStatus.DueWithinDays;
        var from = today.AddDays(-window);
        var lastVisit = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var lastTalk = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var lastCall = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var lastUnanswered = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var last = new Latest(lastVisit, lastTalk, lastCall, lastUnanswered);

        // A few children (a mentor's /mine): their own records by the ChildId index. Many (a county's reminders):
        // one indexed pass over the recent window, so everyone with a recent visit / talk is settled at once.
        if (byChild)
        {
            foreach (var childId in pairedSince.Keys)
            {
                var id = childId;
                foreach (var r in tx.Records.Find(r => r.ChildId == id))
                {
                    Keep(r, last);
                }
            }
        }
        else
        {
            foreach (var r in tx.Records.Find(r => r.LocalDate >= from && r.LocalDate <= today))
            {
                if (pairedSince.ContainsKey(r.ChildId))
                {
                    Keep(r, last);
                }
            }
        }

        // Children with nothing in the window are due or overdue; find their latest record, if any, by child id.
        foreach (var childId in byChild ? Enumerable.Empty<string>() : pairedSince.Keys)
        {
            var needVisit = !lastVisit.ContainsKey(childId);
            var needTalk = !lastTalk.ContainsKey(childId);
            var needCall = !lastCall.ContainsKey(childId) && !lastUnanswered.ContainsKey(childId);
            if (!needVisit && !needTalk && !needCall)
            {
                continue;
            }

            var id = childId;
            foreach (var r in tx.Records.Find(r => r.ChildId == id))
            {
                if (r.LocalDate < from && ((needVisit && r.Kind == CareKind.Visit) || (needTalk && r.Kind == CareKind.Talk) || (needCall && r.Kind is CareKind.Call or CareKind.UnansweredCall)))
                {
                    Keep(r, last);
                }
            }
        }

        // An open check-in flag or concern makes the home visit due from the day it was raised (unless a visit came after).
        var urgent = Safeguarding.SafeguardingService.VisitDueFrom(tx);
        var result = new Dictionary<string, ChildCareStatus>(pairedSince.Count, StringComparer.Ordinal);
        foreach (var (childId, since) in pairedSince)
        {
            var start = since > today ? today : since;
            DateOnly? visit = lastVisit.TryGetValue(childId, out var v) ? v : null;
            DateOnly? talk = lastTalk.TryGetValue(childId, out var t) ? t : null;
            DateOnly? call = lastCall.TryGetValue(childId, out var c) ? c : null;
            DateOnly? unanswered = lastUnanswered.TryGetValue(childId, out var u) ? u : null;
            var nextCall = unanswered is { } failed && (call is null || failed > call)
                ? failed.AddDays(ChildCareStatus.RetryUnansweredCallDays)
                : (call ?? start).AddDays(care.CallParentsEveryDays);
            var nextVisit = visit?.AddDays(visitEvery(childId)) ?? start;
            if (urgent.TryGetValue(childId, out var raised) && (visit is null || visit < raised) && raised < nextVisit)
            {
                nextVisit = raised;
            }

            result[childId] = new ChildCareStatus(
                childId,
                visit,
                talk,
                nextVisit,
                talk?.AddDays(care.TalkEveryDays) ?? start,
                today,
                call,
                nextCall,
                unanswered);
        }

        return result;
    }

    /// <summary>
    /// Each child's home visit cadence, by the roster's 监护情况 (<c>CareBot:Care:VisitEveryDaysByGuardianship</c>);
    /// <c>VisitEveryDays</c> for a child without a level. A few children are looked up by id; many in one projected pass.
    /// </summary>
    private Func<string, int> VisitEveryDays(CareTx tx, IEnumerable<string> childIds, bool byChild)
    {
        var care = options.Care;
        var levels = new Dictionary<string, Guardianship>(StringComparer.Ordinal);
        if (byChild)
        {
            foreach (var id in childIds)
            {
                if (tx.Children.FindById(id) is { Guardianship: { } level })
                {
                    levels[id] = level;
                }
            }
        }
        else
        {
            foreach (var child in tx.Children.Select(c => c.Guardianship != null, c => new { c.Id, c.Guardianship }))
            {
                if (child.Guardianship is { } known)
                {
                    levels[child.Id] = known;
                }
            }
        }

        return id => care.VisitEveryDaysFor(levels.TryGetValue(id, out var level) ? level : null);
    }

    private sealed record Latest(Dictionary<string, DateOnly> Visit, Dictionary<string, DateOnly> Talk, Dictionary<string, DateOnly> Call, Dictionary<string, DateOnly> Unanswered);

    private static void Keep(CareRecord r, Latest last)
    {
        var target = r.Kind switch
        {
            CareKind.Visit => last.Visit,
            CareKind.Talk => last.Talk,
            CareKind.Call => last.Call,
            CareKind.UnansweredCall => last.Unanswered,
            _ => null,
        };
        if (target is not null && (!target.TryGetValue(r.ChildId, out var d) || r.LocalDate > d))
        {
            target[r.ChildId] = r.LocalDate;
        }
    }
}

using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>A carer's children in /mine order; <paramref name="Current"/>: the numbers the carer was last shown still mean them.</summary>
public sealed record OwnChildren(List<Child> List, bool Current);

/// <summary>Where a child stands: last visit and talk, when each is due next, days overdue.</summary>
public sealed record ChildStanding(Child Child, DateOnly? LastVisit, DateOnly? LastTalk, DateOnly NextVisit, DateOnly NextTalk, int OverdueDays);

/// <summary>The questions the chat commands ask of the records, limited to what the asking person may see.</summary>
internal sealed class CareQueries(CareDb db, CareClock clock, CareOptions options)
{
    private readonly CareStatusCalculator _calculator = new(db, clock, options);

    /// <summary>The carer's children in a stable order; /mine numbers them from 1 in this order.</summary>
    public static List<Child> ChildrenOf(CareTx tx, int carerId) => tx.ChildrenOfCarer(carerId);

    /// <summary>
    /// The carer's children numbered as /mine shows them, and whether those numbers still mean the children of the
    /// list the carer was last shown (true when no list was recorded yet: nothing to compare with).
    /// </summary>
    public static OwnChildren Numbered(CareTx tx, int carerId)
    {
        var (list, shown) = tx.ChildrenOfCarerAndState(carerId, ShownKey(carerId));
        return new OwnChildren(list, shown is null || shown.Value == Fingerprint(list));
    }

    /// <summary>Records that the carer was shown <paramref name="list"/> numbered: its numbers are the ones the carer's next command may use.</summary>
    public static void Shown(CareTx tx, int carerId, IReadOnlyList<Child> list) =>
        tx.State.Upsert(new StateEntry { Id = ShownKey(carerId), Value = Fingerprint(list) });

    private static string ShownKey(int carerId) => "mine-shown:" + carerId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The ordered child keys, hashed: equal exactly when the numbers mean the same children.</summary>
    private static long Fingerprint(IReadOnlyList<Child> list) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', list.Select(c => c.Id)))), 0);

    public static bool IsPaired(CareTx tx, int carerId, string childId) => tx.Pairings.Exists(p => p.CarerId == carerId && p.ChildId == childId);

    /// <summary>Where each child stands, computed by the planners' <see cref="CareStatusCalculator"/> in one pass.</summary>
    public List<ChildStanding> Standings(CareTx tx, IReadOnlyList<Child> children)
    {
        var statuses = _calculator.ForChildren(tx, clock.Today, children.Select(c => c.Id));
        return children.Select(c =>
        {
            var s = statuses[c.Id];
            return new ChildStanding(c, s.LastVisit, s.LastTalk, s.NextVisitDue, s.NextTalkDue, s.DaysOverdue);
        }).ToList();
    }
}

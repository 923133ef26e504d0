using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Duty;

/// <summary>One dated turn: who is on duty on <see cref="Date"/> in <see cref="Slot"/>, and whether a swap put them there.</summary>
public readonly record struct DutyShift(DateOnly Date, DutySlot Slot, int TeacherId, bool Swapped);

/// <summary>
/// A school's duty rota as it stands: the imported weekly turns with the accepted swaps applied, in the order they
/// were accepted. A swap applies while both of its turns are still held by the two teachers who agreed to it; a
/// re-import that gives either turn to someone else undoes it on both dates (nobody ends up with two turns or none).
/// </summary>
public sealed class DutyRota
{
    public static readonly DutySlot[] Slots = [DutySlot.Noon, DutySlot.AfterSchool];

    private readonly Dictionary<(DayOfWeek, DutySlot), int> _weekly;
    private readonly Dictionary<(DateOnly, DutySlot), int> _swapped = [];

    private DutyRota(string schoolId, Dictionary<(DayOfWeek, DutySlot), int> weekly)
    {
        SchoolId = schoolId;
        _weekly = weekly;
    }

    public string SchoolId { get; }

    /// <summary>No turns imported for this school.</summary>
    public bool IsEmpty => _weekly.Count == 0;

    /// <summary>Every teacher with a weekly turn.</summary>
    public IEnumerable<int> Teachers => _weekly.Values.Distinct();

    public static DutyRota Load(CareTx tx, string schoolId)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var weekly = new Dictionary<(DayOfWeek, DutySlot), int>();
        foreach (var turn in tx.DutyTurns.Find(t => t.SchoolId == schoolId))
        {
            weekly[(turn.Weekday, turn.Slot)] = turn.TeacherId;
        }

        var rota = new DutyRota(schoolId, weekly);
        if (weekly.Count > 0)
        {
            var accepted = tx.DutySwaps.Find(s => s.SchoolId == schoolId && s.Status == DutySwapStatus.Accepted)
                .OrderBy(s => s.AnsweredUtc).ThenBy(s => s.Id);
            foreach (var swap in accepted)
            {
                if (rota.Fits(swap))
                {
                    rota.Apply(swap);
                }
            }
        }

        return rota;
    }

    /// <summary>Who is on duty then; null when nobody is.</summary>
    public int? Holder(DateOnly date, DutySlot slot) =>
        _swapped.TryGetValue((date, slot), out var swapped) ? swapped
        : _weekly.TryGetValue((date.DayOfWeek, slot), out var weekly) ? weekly
        : null;

    /// <summary>The turns of one day, noon first.</summary>
    public IEnumerable<DutyShift> On(DateOnly date)
    {
        foreach (var slot in Slots)
        {
            if (Holder(date, slot) is { } teacher)
            {
                yield return new DutyShift(date, slot, teacher, _swapped.ContainsKey((date, slot)));
            }
        }
    }

    /// <summary>Whether both turns of the swap are held by the teachers it names (it could be applied now).</summary>
    public bool Fits(DutySwap swap)
    {
        ArgumentNullException.ThrowIfNull(swap);
        return Holder(swap.ProposerDate, swap.ProposerSlot) == swap.ProposerId && Holder(swap.OtherDate, swap.OtherSlot) == swap.OtherId;
    }

    private void Apply(DutySwap swap)
    {
        _swapped[(swap.ProposerDate, swap.ProposerSlot)] = swap.OtherId;
        _swapped[(swap.OtherDate, swap.OtherSlot)] = swap.ProposerId;
    }

    /// <summary>
    /// The schools a person is a teacher of, for the rota: a mentor's own school and the schools of the children they
    /// (mentor or volunteer) are paired with. Empty for anyone who is neither.
    /// </summary>
    public static SortedSet<string> SchoolsOf(CareTx tx, Person person)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(person);
        var schools = new SortedSet<string>(StringComparer.Ordinal);
        if (!person.IsCarer)
        {
            return schools;
        }

        if (person.SchoolId is { } own)
        {
            schools.Add(own);
        }

        foreach (var pairing in tx.Pairings.Find(p => p.CarerId == person.Id))
        {
            schools.Add(SchoolDirectory.SchoolOfKey(pairing.ChildId));
        }

        return schools;
    }
}

namespace CareBot.Core.Model;

/// <summary>The two duty slots of a school day in the activity room (活动室).</summary>
public enum DutySlot
{
    /// <summary>中午: the lunch break.</summary>
    Noon = 1,

    /// <summary>放学后: after the last lesson.</summary>
    AfterSchool = 2,
}

/// <summary>
/// One turn of a school's activity-room duty rota (轮流值日): every week on <see cref="Weekday"/>, in <see cref="Slot"/>,
/// <see cref="TeacherId"/> is on duty. One teacher per weekday and slot. <c>carebot duty import</c> replaces a school's
/// turns as a whole; swaps never change them (<see cref="DutySwap"/>).
/// </summary>
public sealed class DutyTurn
{
    public long Id { get; set; }
    public string SchoolId { get; set; } = SchoolDirectory.DefaultId;
    public DayOfWeek Weekday { get; set; }
    public DutySlot Slot { get; set; }
    /// <summary>A mentor or volunteer of the school (<see cref="Person.Id"/>).</summary>
    public int TeacherId { get; set; }
    public DateTime ImportedUtc { get; set; }
}

public enum DutySwapStatus
{
    /// <summary>Asked; waiting for the other teacher's answer.</summary>
    Proposed = 1,
    Accepted = 2,
    Declined = 3,
    /// <summary>Accepted too late: a turn had passed or was no longer held by the teacher it was asked of. Nothing changed.</summary>
    Lapsed = 4,
}

/// <summary>
/// Two teachers trade one concrete turn each: on <see cref="ProposerDate"/> (<see cref="ProposerSlot"/>) the other
/// teacher is on duty instead of the proposer, and on <see cref="OtherDate"/> (<see cref="OtherSlot"/>) the proposer
/// instead of the other teacher. Only those two dates change, and only once accepted; the rota stays as imported.
/// </summary>
public sealed class DutySwap
{
    public long Id { get; set; }
    public string SchoolId { get; set; } = SchoolDirectory.DefaultId;

    /// <summary>The teacher who asked, and the turn of theirs they give away.</summary>
    public int ProposerId { get; set; }
    public DateOnly ProposerDate { get; set; }
    public DutySlot ProposerSlot { get; set; }

    /// <summary>The teacher asked, and the turn of theirs the proposer takes.</summary>
    public int OtherId { get; set; }
    public DateOnly OtherDate { get; set; }
    public DutySlot OtherSlot { get; set; }

    public DutySwapStatus Status { get; set; }
    public DateTime ProposedUtc { get; set; }
    public DateTime? AnsweredUtc { get; set; }
}

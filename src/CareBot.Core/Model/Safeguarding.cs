namespace CareBot.Core.Model;

/// <summary>What a concern is about (关注类型). The chat words are in <see cref="Safeguarding.ConcernWords"/>.</summary>
public enum ConcernType
{
    /// <summary>侵害: beating, neglect, other harm by an adult.</summary>
    Abuse = 1,
    /// <summary>性侵: sexual harm.</summary>
    Sexual = 2,
    /// <summary>独居: no capable guardian, the child lives alone.</summary>
    Alone = 3,
    /// <summary>失联: the child cannot be found.</summary>
    Missing = 4,
    /// <summary>自伤: self-harm, talk of suicide.</summary>
    SelfHarm = 5,
    /// <summary>辍学: has left or is about to leave school.</summary>
    Dropout = 6,
    /// <summary>其他.</summary>
    Other = 7,
}

/// <summary>The authority a concern was reported to (强制报告).</summary>
public enum Authority
{
    /// <summary>公安 (police).</summary>
    Police = 1,
    /// <summary>民政 (civil affairs).</summary>
    CivilAffairs = 2,
    /// <summary>妇联 (women's federation).</summary>
    WomensFederation = 3,
    /// <summary>其他.</summary>
    Other = 4,
}

public enum ConcernStatus
{
    Open = 0,
    Reported = 1,
    Closed = 2,
}

/// <summary>
/// A worry about a child (关注 / 强制报告), recorded by a carer or an admin. Never shown to a parent: only to whoever
/// recorded it, the child's carers, and the admins of the child's school or the county.
/// </summary>
public sealed class Concern
{
    public int Id { get; set; }
    public string ChildId { get; set; } = "";
    public string SchoolId { get; set; } = "";
    public ConcernType Type { get; set; }
    public string Note { get; set; } = "";
    /// <summary>Who recorded it: a person id (0: the command line).</summary>
    public int RecordedBy { get; set; }
    public DateTime RecordedUtc { get; set; }
    /// <summary>The local date it was recorded (the school's time zone).</summary>
    public DateOnly LocalDate { get; set; }
    /// <summary>The care record whose held note was recorded as this concern, if any.</summary>
    public long? FromRecordId { get; set; }

    /// <summary>The last alert round queued: 0 the first alert, then one more per repeat while nobody acknowledges.</summary>
    public int AlertRound { get; set; }

    public int? AcknowledgedBy { get; set; }
    public DateTime? AcknowledgedUtc { get; set; }

    public Authority? ReportedTo { get; set; }
    public string? Reference { get; set; }
    /// <summary>Who recorded the report (person id, 0: the command line).</summary>
    public int? ReportedBy { get; set; }
    public DateTime? ReportedUtc { get; set; }

    public string? Outcome { get; set; }
    public int? ClosedBy { get; set; }
    public DateTime? ClosedUtc { get; set; }

    public ConcernStatus Status => ClosedUtc is not null ? ConcernStatus.Closed : ReportedUtc is not null ? ConcernStatus.Reported : ConcernStatus.Open;

    public bool IsOpen => ClosedUtc is null;
}

/// <summary>An area of a check-in that raised a flag, and why.</summary>
public sealed class FlagItem
{
    /// <summary>"study", "life", "mood", "safety", "health" (the text key <c>rating.{area}</c>).</summary>
    public string Area { get; set; } = "";
    public int? Before { get; set; }
    public int Now { get; set; }
    /// <summary>At or below the low mark in 心理 or 安全.</summary>
    public bool Low { get; set; }
    /// <summary>Dropped by the drop mark or more since the previous check-in.</summary>
    public bool Dropped { get; set; }
    /// <summary>Low now, and the previous check-in was low in some area too.</summary>
    public bool LowAgain { get; set; }
}

/// <summary>A check-in that needs an adult's eye: raised at once, cleared by a visit or talk logged after it, or by an admin.</summary>
public sealed class SafeguardingFlag
{
    public int Id { get; set; }
    public string ChildId { get; set; } = "";
    public string SchoolId { get; set; } = "";
    /// <summary>The check-in (care record) that raised it.</summary>
    public long CheckId { get; set; }
    public DateTime RaisedUtc { get; set; }
    public DateOnly RaisedDate { get; set; }
    public List<FlagItem> Items { get; set; } = [];
    public DateTime? ClearedUtc { get; set; }
    /// <summary>"record:ID" (a visit or talk) or "person:ID" / "cli" (an admin).</summary>
    public string? ClearedBy { get; set; }

    public bool IsOpen => ClearedUtc is null;
}

/// <summary>Who may read a note of a care record.</summary>
public enum NotePrivacy
{
    /// <summary>The parents see it in the weekly update.</summary>
    Shared = 0,
    /// <summary>Tagged #私密 / #private, or kept private by the carer: the parents see only that the visit was made.</summary>
    Private = 1,
    /// <summary>Holds a safeguarding word; the carer was asked. Treated as private until they say "send to the parents".</summary>
    Held = 2,
}

namespace CareBot.Core.Model;

/// <summary>What a person does in the care programme. One person may hold several roles.</summary>
[Flags]
public enum Roles
{
    None = 0,
    Admin = 1,
    Mentor = 2,
    Volunteer = 4,
    Parent = 8,
}

public enum Reachability
{
    /// <summary>Not linked to a chat yet.</summary>
    NotLinked = 0,
    Reachable = 1,
    /// <summary>The bot got 403 (blocked) for this person; nothing is sent until they /start again.</summary>
    Blocked = 2,
}

/// <summary>An adult: admin, mentor, volunteer proxy parent or parent working away. Matched by phone.</summary>
public sealed class Person
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Normalised Chinese mobile number, 11 digits (see <see cref="Phone"/>).</summary>
    public string Phone { get; set; } = "";
    public Roles Roles { get; set; }
    /// <summary>"zh" or "en".</summary>
    public string Language { get; set; } = "zh";
    /// <summary>The chat the person linked with an invite, on its channel (<see cref="ChatAddress"/>); null until linked.</summary>
    public ChatAddress? Chat { get; set; }
    public Reachability Status { get; set; }
    /// <summary>A parent who sent /stop gets no weekly updates until /start.</summary>
    public bool UpdatesPaused { get; set; }
    public string? WorkCity { get; set; }

    /// <summary>A mentor's school (mentors belong to one school); null for parents, volunteers and admins.</summary>
    public string? SchoolId { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }

    public bool Has(Roles role) => (Roles & role) != 0;
    public bool IsCarer => Has(Roles.Mentor) || Has(Roles.Volunteer);

    /// <summary>Linked to a chat and not blocking the bot: a message to them can go out now.</summary>
    public bool IsReachable => Status == Reachability.Reachable && Chat is not null;
}

public enum ParentRelation
{
    Father = 1,
    Mother = 2,
}

public sealed class ParentLink
{
    public int PersonId { get; set; }
    public ParentRelation Relation { get; set; }
}

/// <summary>
/// A parent the roster names without a phone (she left, or changed numbers and nobody has the new one): kept on the
/// child's card, never a <see cref="Person"/> (people are matched by phone), so no invite and no messages. An import
/// that gives the phone makes them a linked parent instead.
/// </summary>
public sealed class NamedParent
{
    public string Name { get; set; } = "";
    public ParentRelation Relation { get; set; }
    public string? WorkCity { get; set; }
}

/// <summary>A left-behind child: the record and contact card (留守儿童档案).</summary>
public sealed class Child
{
    /// <summary>The child's key: school and 学号, <c>{school}/{学号}</c> (<see cref="SchoolDirectory.ChildKey"/>).</summary>
    public string Id { get; set; } = "";

    /// <summary>The school (<c>CareBot:Schools</c> id).</summary>
    public string SchoolId { get; set; } = SchoolDirectory.DefaultId;

    /// <summary>The school's id for the child (学号), unique within the school.</summary>
    public string StudentNo { get; set; } = "";

    /// <summary>The 学号 as the school writes it (the key for children made before schools had numbers of their own).</summary>
    public string No => StudentNo.Length > 0 ? StudentNo : Id;

    public string Name { get; set; } = "";
    public string? Gender { get; set; }
    public string? Class { get; set; }
    public string? GuardianName { get; set; }
    public string? GuardianRelation { get; set; }
    public string? GuardianPhone { get; set; }
    public string? Notes { get; set; }
    /// <summary>监护情况 from the roster: sets the visit cadence; null when the roster gives no level.</summary>
    public Guardianship? Guardianship { get; set; }
    public List<ParentLink> Parents { get; set; } = [];
    /// <summary>Parents named without a phone: on the card, counted unreachable, sent nothing.</summary>
    public List<NamedParent> ParentsWithoutPhone { get; set; } = [];
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

public enum PairingRole
{
    Mentor = 1,
    Volunteer = 2,
}

/// <summary>A mentor teacher or volunteer proxy parent paired with a child (结对).</summary>
public sealed class Pairing
{
    public int Id { get; set; }
    public int CarerId { get; set; }
    public string ChildId { get; set; } = "";
    public PairingRole Role { get; set; }
    public DateTime CreatedUtc { get; set; }
}

public enum CareKind
{
    Visit = 1,
    Talk = 2,
    Diary = 3,
    Check = 4,
    /// <summary>A parent's message about the child, relayed to the mentors.</summary>
    ParentMessage = 5,
    /// <summary>A phone talk with a parent or guardian (电话访问).</summary>
    Call = 6,
    /// <summary>A group activity the child took part in (集体活动): one record per child, the title as the text.</summary>
    Activity = 7,
    /// <summary>A phone call to a parent or guardian that did not get through (<c>/call CHILD 未接通</c>): not a phone talk.</summary>
    UnansweredCall = 16,
}

/// <summary>The five 1–5 ratings of a check-in.</summary>
public sealed class Ratings
{
    public int Study { get; set; }
    public int Life { get; set; }
    public int Mood { get; set; }
    public int Safety { get; set; }
    public int Health { get; set; }

    public int[] ToArray() => [Study, Life, Mood, Safety, Health];
}

/// <summary>A home visit, talk, diary entry or check-in, by one author about one child on one local date.</summary>
public sealed class CareRecord
{
    public long Id { get; set; }
    public string ChildId { get; set; } = "";
    public int AuthorId { get; set; }
    public CareKind Kind { get; set; }
    /// <summary>The date in the school's time zone.</summary>
    public DateOnly LocalDate { get; set; }
    public DateTime AtUtc { get; set; }
    public string Text { get; set; } = "";
    public Ratings? Ratings { get; set; }
    /// <summary>A photo or voice note that is (part of) this record: the channel's file reference, never bytes.</summary>
    public MediaRef? Media { get; set; }
    /// <summary>A visit or talk note tagged #指导 / #guidance: guidance to the guardian (家教指导). The tag stays in the note.</summary>
    public bool Guidance { get; set; }
    /// <summary>An activity's records share this: the id of its first record (null for every other kind).</summary>
    public long? GroupId { get; set; }
    /// <summary>Whether the parents may read the note (<see cref="NotePrivacy"/>); only shared notes reach them.</summary>
    public NotePrivacy Privacy { get; set; }
}

/// <summary>Who did what to which child, when. Never holds notes, diary text or phone numbers.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    /// <summary>"person:12", "cli", "system".</summary>
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string? ChildId { get; set; }
    public string? Detail { get; set; }
}

public sealed class Invite
{
    public int Id { get; set; }
    /// <summary>SHA-256 of the code, hex. The code itself is never stored.</summary>
    public string CodeHash { get; set; } = "";
    public int PersonId { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime ExpiresUtc { get; set; }
    public DateTime? UsedUtc { get; set; }
    /// <summary>Made by <c>carebot invite --relink</c> for someone already linked: using it unlinks the old chat.</summary>
    public bool Relink { get; set; }
}

/// <summary>Failed invite attempts per chat, for the slow-down. Keyed by the chat's address text (<see cref="ChatAddress"/>).</summary>
public sealed class ChatThrottle
{
    public string Id { get; set; } = "";
    public int Failures { get; set; }
    public DateTime LastFailureUtc { get; set; }
    public DateTime? BlockedUntilUtc { get; set; }
}

/// <summary>
/// An inbound update already applied, or skipped after repeated failures. Its <see cref="Id"/> is unique: the update id
/// within the server's id sequence (see <see cref="Chat.UpdateProcessor.RecordId"/>), so an id that comes again in a
/// later sequence (the server started its ids again) is a new update, not a redelivery.
/// </summary>
public sealed class ProcessedUpdate
{
    public long Id { get; set; }
    /// <summary>Which id sequence of the server it came in (0 until the server's ids first went back).</summary>
    public long Sequence { get; set; }
    /// <summary>The channel's ids of what the update carried (chat and message, or button press), never its text.</summary>
    public string? Fingerprint { get; set; }
    public DateTime AtUtc { get; set; }
    public int Attempts { get; set; }
    /// <summary>Set when the update was skipped: the exception type, never message text.</summary>
    public string? Error { get; set; }
}

/// <summary>Small key/value state, e.g. a channel's poll offset (its adapter names the key).</summary>
public sealed class StateEntry
{
    public string Id { get; set; } = "";
    public long Value { get; set; }
    public string? Text { get; set; }
}

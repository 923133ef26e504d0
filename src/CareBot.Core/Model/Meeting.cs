namespace CareBot.Core.Model;

/// <summary>A parent's answer to a meeting invitation (the three buttons).</summary>
public enum MeetingAnswer
{
    None = 0,
    /// <summary>参加: will come.</summary>
    Attend = 1,
    /// <summary>不能来，请老师打电话: cannot come, please call; becomes a phone-talk task on the mentor's reminder.</summary>
    CallMe = 2,
    /// <summary>今年不回家: not coming home this year.</summary>
    NotHome = 3,
}

/// <summary>One parent's latest answer (a parent may change their mind; the last press counts).</summary>
public sealed class MeetingReply
{
    public int ParentId { get; set; }
    public MeetingAnswer Answer { get; set; }
    public DateTime AtUtc { get; set; }
}

/// <summary>
/// A parents' meeting (家长会), e.g. when parents come home at Spring Festival or the start of term: announced by an
/// admin for one school (all classes or some), with each invited parent's answer and the children whose family came.
/// </summary>
public sealed class Meeting
{
    public int Id { get; set; }
    public string SchoolId { get; set; } = SchoolDirectory.DefaultId;
    /// <summary>The local date of the meeting.</summary>
    public DateOnly Date { get; set; }
    /// <summary>The local start time, "HH:mm".</summary>
    public string Time { get; set; } = "";
    public string Place { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The classes concerned; empty means every class of the school.</summary>
    public List<string> Classes { get; set; } = [];
    /// <summary>The children concerned (those with a parent on the roster when it was announced), by key.</summary>
    public List<string> ChildIds { get; set; } = [];
    /// <summary>The parents who were sent an invitation (linked and reachable when it was announced).</summary>
    public List<int> InvitedParentIds { get; set; } = [];
    public List<MeetingReply> Replies { get; set; } = [];
    /// <summary>The children whose family came, as marked by their mentor (or an admin) after the meeting.</summary>
    public List<string> Attended { get; set; } = [];
    /// <summary>"person:12" or "cli".</summary>
    public string CreatedBy { get; set; } = "";
    public DateTime CreatedUtc { get; set; }

    public MeetingAnswer AnswerOf(int parentId) => Replies.FirstOrDefault(r => r.ParentId == parentId)?.Answer ?? MeetingAnswer.None;
}

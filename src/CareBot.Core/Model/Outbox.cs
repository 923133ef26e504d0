namespace CareBot.Core.Model;

public enum OutboxStatus
{
    Pending = 0,
    /// <summary>Marked before the call to the channel; a row found Sending at start-up is sent again.</summary>
    Sending = 1,
    Sent = 2,
    /// <summary>A permanent answer (400: chat not found, a text the channel refuses): sending again will not help.</summary>
    Failed = 3,
    /// <summary>The person blocked the bot (403) or is not reachable.</summary>
    Unreachable = 4,
    /// <summary>
    /// A parent's message for someone not linked yet or who blocked the bot: kept, and released (oldest first) when
    /// they link or unblock. Never due while held.
    /// </summary>
    Held = 5,
    /// <summary>
    /// It stopped mattering before it could be sent (a daily reminder past its day, a weekly update past its week's
    /// catch-up window, an invitation past its meeting; see <see cref="Outbox.OutboxExpiry"/>): counted, never sent.
    /// </summary>
    Expired = 6,
}

/// <summary>Replies go before bulk.</summary>
public enum OutboxPriority
{
    Reply = 0,
    Bulk = 1,
}

/// <summary>What a message is, for reports and for mapping a reply back to its context.</summary>
public enum OutboxKind
{
    Reply = 0,
    Reminder = 1,
    Relay = 2,
    WeeklyUpdate = 3,
    Escalation = 4,
    Notice = 5,
    Nudge = 6,
    Greeting = 7,
    /// <summary>The week's photos and voice notes of a child, sent after the weekly update text.</summary>
    WeeklyMedia = 8,
    /// <summary>Admins told about parents' messages waiting for a teacher.</summary>
    Waiting = 9,
    /// <summary>A parents' meeting: the invitation with its three answer buttons, or the reminder the day before.</summary>
    Meeting = 10,
    /// <summary>
    /// A safeguarding alert to staff (a concern, a check-in flag, a note held for a safeguarding word): sent at once,
    /// with reply priority, never held by quiet hours, never to a parent. Kept until sent.
    /// </summary>
    Alert = 11,
    /// <summary>Activity-room duty: the morning reminder, a swap request and its answer.</summary>
    Duty = 20,
    /// <summary>
    /// A new text and buttons for a message already sent (<see cref="OutboxMessage.EditsMessageId"/>): a reminder
    /// redrawn after a button press on it.
    /// </summary>
    Edit = 30,
}

public sealed class OutButton
{
    public string Text { get; set; } = "";
    public string Data { get; set; } = "";
}

/// <summary>One message to one chat. Created inside the same transaction as the change that caused it.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    /// <summary>Idempotency key, unique: a planner that runs twice adds nothing twice.</summary>
    public string Key { get; set; } = "";
    public int PersonId { get; set; }
    /// <summary>
    /// The chat it goes to (the person's chat when it was written; the claim before sending readdresses it to their
    /// current one). Null for a row held for someone not linked yet.
    /// </summary>
    public ChatAddress? Chat { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Inline buttons, one row each.</summary>
    public List<OutButton> Buttons { get; set; } = [];
    public OutboxPriority Priority { get; set; }
    public OutboxKind Kind { get; set; }
    /// <summary>The child this message is about, so that a reply to it needs no CHILD.</summary>
    public string? ChildId { get; set; }
    /// <summary>
    /// Every child this message is about or may name (a reminder's children, a carer's reply, a list), by id: what
    /// <c>carebot forget</c> erases sent messages by (never by their text). Empty for rows written before it existed.
    /// </summary>
    public List<string> ChildIds { get; set; } = [];
    /// <summary>What a plain reply to this message records for <see cref="ChildId"/> (a reminder: Visit or Talk).</summary>
    public CareKind? ReplyAs { get; set; }
    /// <summary>For a relay: the parent who wrote, so the mentor's reply goes back to them.</summary>
    public int? RelayFromPersonId { get; set; }
    /// <summary>The week the message belongs to, e.g. "2026-W48", for reports.</summary>
    public string? Week { get; set; }
    public OutboxStatus Status { get; set; }
    /// <summary>For a text split into several messages: how many parts went out, so a retry resumes after them.</summary>
    public int PartsSent { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime NotBeforeUtc { get; set; }
    public DateTime? SentUtc { get; set; }
    /// <summary>The channel's id of the sent message (the last part when split).</summary>
    public int? ChannelMessageId { get; set; }
    /// <summary>A photo, voice note, album or copy to send instead of a plain text (Text is then the caption).</summary>
    public OutMedia? Media { get; set; }

    /// <summary>An edit (<see cref="OutboxKind.Edit"/>): the channel's id of the message in this chat that gets Text and Buttons instead.</summary>
    public int? EditsMessageId { get; set; }

    /// <summary>A reminder's lines, so that a button press can redraw it (<see cref="ReminderContent"/>); null for other rows.</summary>
    public ReminderContent? Reminder { get; set; }

    /// <summary>
    /// The sender (a worker node) that claimed the row for sending (<see cref="Storage.CareDb.ClaimOutbox"/>): no other
    /// sender takes it before <see cref="LeaseUntilUtc"/>. Null when nobody has claimed it.
    /// </summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Until when <see cref="ClaimedBy"/> holds the row; after that any sender may claim it again.</summary>
    public DateTime? LeaseUntilUtc { get; set; }
}

using CareBot.Core.Model;
using LiteDB;

namespace CareBot.Core.Storage;

/// <summary>
/// The collections of the database, reachable only inside a turn on it: the callback of <see cref="CareDb.Write{T}"/>,
/// <see cref="CareDb.WriteDeferred{T}"/>, <see cref="CareDb.Read{T}"/> or <see cref="CareDb.Mark"/> receives one.
/// Do not keep it past the callback; the next turn gets its own.
/// </summary>
public sealed class CareTx
{
    internal CareTx(LiteDatabase db)
    {
        Raw = db;
        People = db.GetCollection<Person>("people");
        Children = db.GetCollection<Child>("children");
        Pairings = db.GetCollection<Pairing>("pairings");
        Records = db.GetCollection<CareRecord>("records");
        Audit = db.GetCollection<AuditEntry>("audit");
        Invites = db.GetCollection<Invite>("invites");
        Throttles = db.GetCollection<ChatThrottle>("throttles");
        Outbox = db.GetCollection<OutboxMessage>("outbox");
        Updates = db.GetCollection<ProcessedUpdate>("updates");
        State = db.GetCollection<StateEntry>("state");
        Aid = db.GetCollection<AidEntry>("aid");
        Meetings = db.GetCollection<Meeting>("meetings");
        DutyTurns = db.GetCollection<DutyTurn>("duty_turns");
        DutySwaps = db.GetCollection<DutySwap>("duty_swaps");
        ReminderMarks = db.GetCollection<ReminderMark>("reminder_marks");
        Concerns = db.GetCollection<Concern>("concerns");
        Flags = db.GetCollection<SafeguardingFlag>("flags");
    }

    /// <summary>The database itself, for the backup and the schema upgrade only (every collection, UserVersion).</summary>
    internal LiteDatabase Raw { get; }

    public ILiteCollection<Person> People { get; }
    public ILiteCollection<Child> Children { get; }
    public ILiteCollection<Pairing> Pairings { get; }
    public ILiteCollection<CareRecord> Records { get; }
    public ILiteCollection<AuditEntry> Audit { get; }
    public ILiteCollection<Invite> Invites { get; }
    public ILiteCollection<ChatThrottle> Throttles { get; }
    public ILiteCollection<OutboxMessage> Outbox { get; }
    public ILiteCollection<ProcessedUpdate> Updates { get; }
    public ILiteCollection<StateEntry> State { get; }
    /// <summary>Aid given to children (资助); shown to admins only.</summary>
    public ILiteCollection<AidEntry> Aid { get; }
    /// <summary>Parents' meetings with their invitations' answers and attendance.</summary>
    public ILiteCollection<Meeting> Meetings { get; }
    /// <summary>The activity-room duty rota of each school (<c>carebot duty import</c>).</summary>
    public ILiteCollection<DutyTurn> DutyTurns { get; }
    /// <summary>Swaps of two dated duty turns, proposed and answered in chat (<c>/duty swap</c>).</summary>
    public ILiteCollection<DutySwap> DutySwaps { get; }
    /// <summary>What each carer was last reminded of, per item (the reminders' repetition).</summary>
    public ILiteCollection<ReminderMark> ReminderMarks { get; }
    /// <summary>Worries about children (关注 / 强制报告): never shown to parents.</summary>
    public ILiteCollection<Concern> Concerns { get; }
    /// <summary>Check-ins that raised a flag, open until a visit or talk, or an admin, clears them.</summary>
    public ILiteCollection<SafeguardingFlag> Flags { get; }

    public void AuditWrite(DateTime utc, string actor, string action, string? childId, string? detail = null) =>
        Audit.Insert(new AuditEntry { AtUtc = utc, Actor = actor, Action = action, ChildId = childId, Detail = detail });

    /// <summary>Saves a care record and its audit entry ("record.{kind}", by <paramref name="actor"/>).</summary>
    public CareRecord SaveRecord(CareRecord record, string actor)
    {
        ArgumentNullException.ThrowIfNull(record);
        Records.Insert(record);
        AuditWrite(record.AtUtc, actor, "record." + record.Kind.ToString().ToLowerInvariant(), record.ChildId, $"record:{record.Id}");
        return record;
    }

    /// <summary>
    /// The person blocked the bot (a 403 on a send, or Telegram's my_chat_member "kicked"): marked Blocked until they
    /// /start again, with an audit entry. False when they were not reachable before (nothing changes).
    /// </summary>
    public bool MarkBlocked(Person person, DateTime utc, string actor)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (person.Status != Reachability.Reachable)
        {
            return false;
        }

        person.Status = Reachability.Blocked;
        person.UpdatedUtc = utc;
        People.Update(person);
        AuditWrite(utc, actor, "person.blocked", null, $"person:{person.Id}");
        return true;
    }
}

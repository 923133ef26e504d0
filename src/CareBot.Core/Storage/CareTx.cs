using CareBot.Core.Model;

namespace CareBot.Core.Storage;

/// <summary>
/// One turn on the database: the collections, and the named queries a provider answers its own way. Reachable only
/// inside the callback of <see cref="CareDb.Write{T}"/>, <see cref="CareDb.WriteDeferred{T}"/>, <see cref="CareDb.Read{T}"/>
/// or <see cref="CareDb.Mark"/>; do not keep it past the callback: the next turn gets its own.
/// </summary>
public abstract class CareTx
{
    public abstract IDocs<Person> People { get; }
    public abstract IDocs<Child> Children { get; }
    public abstract IDocs<Pairing> Pairings { get; }
    public abstract IDocs<CareRecord> Records { get; }
    public abstract IDocs<AuditEntry> Audit { get; }
    public abstract IDocs<Invite> Invites { get; }
    public abstract IDocs<ChatThrottle> Throttles { get; }
    public abstract IDocs<OutboxMessage> Outbox { get; }
    public abstract IDocs<ProcessedUpdate> Updates { get; }
    public abstract IDocs<StateEntry> State { get; }
    /// <summary>Aid given to children (资助); shown to admins only.</summary>
    public abstract IDocs<AidEntry> Aid { get; }
    /// <summary>Parents' meetings with their invitations' answers and attendance.</summary>
    public abstract IDocs<Meeting> Meetings { get; }
    /// <summary>The activity-room duty rota of each school (<c>carebot duty import</c>).</summary>
    public abstract IDocs<DutyTurn> DutyTurns { get; }
    /// <summary>Swaps of two dated duty turns, proposed and answered in chat (<c>/duty swap</c>).</summary>
    public abstract IDocs<DutySwap> DutySwaps { get; }
    /// <summary>What each carer was last reminded of, per item (the reminders' repetition).</summary>
    public abstract IDocs<ReminderMark> ReminderMarks { get; }
    /// <summary>Worries about children (关注 / 强制报告): never shown to parents.</summary>
    public abstract IDocs<Concern> Concerns { get; }
    /// <summary>Check-ins that raised a flag, open until a visit or talk, or an admin, clears them.</summary>
    public abstract IDocs<SafeguardingFlag> Flags { get; }

    /// <summary>The children one of whose parents is <paramref name="personId"/> (an index on the parents' ids).</summary>
    public abstract IEnumerable<Child> ChildrenOfParent(int personId);

    /// <summary>Whether any child has <paramref name="personId"/> among its parents.</summary>
    public virtual bool IsParentOfAny(int personId) => ChildrenOfParent(personId).Any();

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

    /// <summary>Every collection of the database, as (name, its documents): the backup, <c>migrate</c> and <c>forget</c> walk them all.</summary>
    public IReadOnlyList<(string Name, Func<IEnumerable<object>> All, Func<int> Count)> AllCollections() =>
    [
        Entry(People), Entry(Children), Entry(Pairings), Entry(Records), Entry(Audit), Entry(Invites), Entry(Throttles),
        Entry(Outbox), Entry(Updates), Entry(State), Entry(Aid), Entry(Meetings), Entry(DutyTurns), Entry(DutySwaps),
        Entry(ReminderMarks), Entry(Concerns), Entry(Flags),
    ];

    private static (string, Func<IEnumerable<object>>, Func<int>) Entry<T>(IDocs<T> docs)
        where T : class => (docs.Name, () => docs.FindAll(), docs.Count);
}

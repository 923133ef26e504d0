using CareBot.Core.Model;

namespace CareBot.Core.Storage;

/// <summary>
/// One turn on the database: the collections, and the named queries a provider answers its own way. Reachable only
/// inside the callback of <see cref="CareDb.Write{T}"/>, <see cref="CareDb.WriteDeferred{T}"/>, <see cref="CareDb.Read{T}"/>
/// or <see cref="CareDb.Mark"/>; do not keep it past the callback: the next turn gets its own.
/// </summary>
public abstract class CareTx
{
    public IDocs<Person> People => field ??= Docs<Person>();
    public IDocs<Child> Children => field ??= Docs<Child>();
    public IDocs<Pairing> Pairings => field ??= Docs<Pairing>();
    public IDocs<CareRecord> Records => field ??= Docs<CareRecord>();
    public IDocs<AuditEntry> Audit => field ??= Docs<AuditEntry>();
    public IDocs<Invite> Invites => field ??= Docs<Invite>();
    public IDocs<ChatThrottle> Throttles => field ??= Docs<ChatThrottle>();
    public IDocs<OutboxMessage> Outbox => field ??= Docs<OutboxMessage>();
    public IDocs<ProcessedUpdate> Updates => field ??= Docs<ProcessedUpdate>();
    public IDocs<StateEntry> State => field ??= Docs<StateEntry>();
    /// <summary>Aid given to children (资助); shown to admins only.</summary>
    public IDocs<AidEntry> Aid => field ??= Docs<AidEntry>();
    /// <summary>Parents' meetings with their invitations' answers and attendance.</summary>
    public IDocs<Meeting> Meetings => field ??= Docs<Meeting>();
    /// <summary>The activity-room duty rota of each school (<c>carebot duty import</c>).</summary>
    public IDocs<DutyTurn> DutyTurns => field ??= Docs<DutyTurn>();
    /// <summary>Swaps of two dated duty turns, proposed and answered in chat (<c>/duty swap</c>).</summary>
    public IDocs<DutySwap> DutySwaps => field ??= Docs<DutySwap>();
    /// <summary>What each carer was last reminded of, per item (the reminders' repetition).</summary>
    public IDocs<ReminderMark> ReminderMarks => field ??= Docs<ReminderMark>();
    /// <summary>Worries about children (关注 / 强制报告): never shown to parents.</summary>
    public IDocs<Concern> Concerns => field ??= Docs<Concern>();
    /// <summary>Check-ins that raised a flag, open until a visit or talk, or an admin, clears them.</summary>
    public IDocs<SafeguardingFlag> Flags => field ??= Docs<SafeguardingFlag>();

    /// <summary>The provider's collection of <typeparamref name="T"/> for this turn (asked once per collection and turn).</summary>
    protected abstract IDocs<T> Docs<T>()
        where T : class;

    /// <summary>The state entries with these keys, in their order (null where there is none), in one look-up.</summary>
    public virtual StateEntry?[] StateEntries(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return [.. keys.Select(k => (StateEntry?)State.FindById(k))];
    }

    /// <summary>The children paired with the carer <paramref name="carerId"/>, by key (ordinal).</summary>
    public virtual List<Child> ChildrenOfCarer(int carerId)
    {
        var ids = Pairings.Find(p => p.CarerId == carerId).Select(p => p.ChildId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return [.. ids.Select(id => Children.FindById(id)).Where(c => c is not null).OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    /// <summary>The children of the carer (as <see cref="ChildrenOfCarer"/>) and the state entry <paramref name="key"/> (or null), in one look-up.</summary>
    public virtual (List<Child> Children, StateEntry? Entry) ChildrenOfCarerAndState(int carerId, string key) =>
        (ChildrenOfCarer(carerId), State.FindById(key));

    /// <summary>
    /// A channel's state for an update, in one look-up: its sequence and offset entries (null where there is none), the
    /// update recorded under <paramref name="updateId"/> in that sequence (its record id,
    /// <see cref="Chat.UpdateProcessor.RecordId"/>), or null, and the entry <paramref name="fenceKey"/> names (an
    /// <see cref="Chat.IUpdateFence"/>'s), null when none is asked for or there is none.
    /// </summary>
    public virtual (StateEntry? Sequence, StateEntry? Offset, ProcessedUpdate? Recorded, StateEntry? Fence) ChannelState(string sequenceKey, string offsetKey, long updateId, string? fenceKey = null)
    {
        var entries = fenceKey is null ? StateEntries(sequenceKey, offsetKey) : StateEntries(sequenceKey, offsetKey, fenceKey);
        return (entries[0], entries[1], Updates.FindById(Chat.UpdateProcessor.RecordId(entries[0]?.Value ?? 0, updateId)), fenceKey is null ? null : entries[2]);
    }

    /// <summary>The children one of whose parents is <paramref name="personId"/> (an index on the parents' ids).</summary>
    public abstract IEnumerable<Child> ChildrenOfParent(int personId);

    /// <summary>Whether any child has <paramref name="personId"/> among its parents.</summary>
    public virtual bool IsParentOfAny(int personId) => ChildrenOfParent(personId).Any();

    /// <summary>
    /// The rows <paramref name="claim"/>'s sender may claim now, read only: open (Pending, or Sending when a crash cut
    /// the send off), due, and not held by another sender's live lease; replies before bulk, rows cut off first, then
    /// oldest first. Each status and priority is its own query, so that it seeks the Status index.
    /// </summary>
    public List<OutboxMessage> DueFor(OutboxClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var (now, owner) = (claim.NowUtc, claim.Owner);
        var due = new List<OutboxMessage>(claim.Max);
        foreach (var priority in new[] { OutboxPriority.Reply, OutboxPriority.Bulk })
        {
            foreach (var status in OutboxClaim.Open)
            {
                if (due.Count >= claim.Max)
                {
                    return due;
                }

                due.AddRange(Outbox.FindOrdered(
                    o => o.Status == status && o.Priority == priority && o.NotBeforeUtc <= now
                        && (o.ClaimedBy == null || o.ClaimedBy == owner || o.LeaseUntilUtc <= now),
                    o => o.Id,
                    claim.Max - due.Count));
            }
        }

        return due;
    }

    /// <summary>
    /// Claims the rows <see cref="DueFor"/> gives, in this turn (see <see cref="CareDb.ClaimOutbox"/>): each is stamped
    /// with the claim's owner and lease.
    /// </summary>
    public virtual List<OutboxMessage> ClaimDue(OutboxClaim claim)
    {
        var due = DueFor(claim);
        foreach (var row in due)
        {
            row.ClaimedBy = claim.Owner;
            row.LeaseUntilUtc = claim.LeaseUntilUtc;
            Outbox.Update(row);
        }

        return due;
    }

    public void AuditWrite(DateTime utc, string actor, string action, string? childId, string? detail = null) =>
        Audit.Insert(new AuditEntry { AtUtc = utc, Actor = actor, Action = action, ChildId = childId, Detail = detail });

    /// <summary>Saves a care record and its audit entry ("record.{kind}", by <paramref name="actor"/>; see <see cref="RecordAudit"/>).</summary>
    public virtual CareRecord SaveRecord(CareRecord record, string actor)
    {
        ArgumentNullException.ThrowIfNull(record);
        Records.Insert(record);
        Audit.Insert(RecordAudit(record, actor));
        return record;
    }

    /// <summary>The audit entry of a saved care record (its detail names the record's id).</summary>
    protected static AuditEntry RecordAudit(CareRecord record, string actor)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new AuditEntry { AtUtc = record.AtUtc, Actor = actor, Action = "record." + record.Kind.ToString().ToLowerInvariant(), ChildId = record.ChildId, Detail = $"record:{record.Id}" };
    }

    /// <summary>
    /// Records a handled update and, when <paramref name="offset"/> is given, the channel's offset entry past it, in
    /// one step (a provider may write both in one statement). A taken update id is <see cref="DuplicateKeyException"/>,
    /// and the offset is then not written.
    /// </summary>
    public virtual void SaveProcessed(ProcessedUpdate update, StateEntry? offset)
    {
        Updates.Insert(update);
        if (offset is not null)
        {
            State.Upsert(offset);
        }
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

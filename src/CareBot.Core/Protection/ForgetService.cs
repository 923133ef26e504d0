using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Protection;

/// <summary>What <see cref="ForgetService.Forget"/> erased.</summary>
public sealed record ForgetResult(string ChildId, int Records, int Pairings, int OutboxRows, int ParentsErased, int InvitesErased)
{
    public string Summary() =>
        $"child {ChildId} forgotten: {Records} record(s), {Pairings} pairing(s), {OutboxRows} outbox row(s), {ParentsErased} parent(s) with no other child ({InvitesErased} invite(s)), contact card erased.";
}

/// <summary>
/// Erases a child (PIPL deletion request, child left the school): in ONE transaction the child's contact card,
/// care records, aid, concerns and check-in flags, pairings, outbox rows about the child, and every parent who has no other child (person, invites,
/// outbox rows). Carers are kept (they are staff). One audit entry "child.forgotten" with the id and counts remains;
/// audit entries never hold names or phones.
/// </summary>
public sealed class ForgetService(CareDb db, TimeProvider time)
{
    /// <summary>Returns null when no child has this id (nothing is changed).</summary>
    public ForgetResult? Forget(string childId, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(childId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        return db.Write(tx =>
        {
            var child = tx.Children.FindById(childId);
            if (child is null)
            {
                return null;
            }

            var records = tx.Records.DeleteMany(r => r.ChildId == childId) + tx.Aid.DeleteMany(a => a.ChildId == childId)
                + tx.Concerns.DeleteMany(c => c.ChildId == childId) + tx.Flags.DeleteMany(f => f.ChildId == childId);
            var carers = tx.Pairings.Find(p => p.ChildId == childId).Select(p => p.CarerId).ToHashSet();
            var pairings = tx.Pairings.DeleteMany(p => p.ChildId == childId);
            var outbox = tx.Outbox.DeleteMany(o => o.ChildId == childId);
            tx.Children.Delete(childId);

            int parents = 0, invites = 0;
            var erasedParents = new List<int>();
            foreach (var parentId in child.Parents.Select(p => p.PersonId).Distinct())
            {
                var person = tx.People.FindById(parentId);
                if (person is null)
                {
                    continue;
                }

                if (tx.IsParentOfAny(parentId))
                {
                    continue;
                }

                // A parent who is also staff (mentor, volunteer, admin) keeps their person, only loses the parent role.
                if ((person.Roles & ~Roles.Parent) != Roles.None)
                {
                    person.Roles &= ~Roles.Parent;
                    person.WorkCity = null;
                    person.UpdatedUtc = time.GetUtcNow().UtcDateTime;
                    tx.People.Update(person);
                    continue;
                }

                invites += tx.Invites.DeleteMany(i => i.PersonId == parentId);
                outbox += tx.Outbox.DeleteMany(o => o.PersonId == parentId || o.RelayFromPersonId == parentId);
                erasedParents.Add(parentId);
                tx.People.Delete(parentId);
                parents++;
            }

            // Messages already delivered that name the child among others (a /card answer, "visit saved for NAME", a
            // /mine list, a reminder's lines, an invitation naming two children) carry its id in ChildIds: they go,
            // found by id, never by their text (a teacher named 王小明 is not the child 小明). Pending rows are only
            // erased by ChildId above and below, so another child's queued message is never lost.
            var delivered = tx.Outbox.Find(o => o.Status != OutboxStatus.Pending && o.Status != OutboxStatus.Sending)
                .Where(o => o.ChildIds.Contains(childId, StringComparer.Ordinal))
                .Select(o => o.Id)
                .ToList();
            foreach (var id in delivered)
            {
                tx.Outbox.Delete(id);
            }

            outbox += delivered.Count;

            // Messages still to be sent that name the child among others: the carers' reminders (the child's lines, a
            // parent's "please call me" with name and phone) and meeting invitations naming several children. A
            // reminder comes again with the next day's run; an invitation is made again for the children left.
            var invitations = new List<(int Meeting, int Parent)>();
            foreach (var row in tx.Outbox.Find(o => o.Status == OutboxStatus.Pending || o.Status == OutboxStatus.Sending).ToList())
            {
                if (row.Kind == OutboxKind.Meeting && Meetings.MeetingService.InvitationNaming(tx, row, child) is { } invitation)
                {
                    invitations.Add(invitation);
                }
                else if (row.Kind is not (OutboxKind.Reminder or OutboxKind.Edit) || !carers.Contains(row.PersonId))
                {
                    continue;
                }

                tx.Outbox.Delete(row.Id);
                outbox++;
            }

            // What the carers were reminded of about the child.
            tx.ReminderMarks.DeleteMany(m => m.ChildId == childId);

            // The child leaves every parents' meeting, and so do the answers of the parents erased with it.
            Meetings.MeetingService.Forget(tx, childId, erasedParents);
            foreach (var (meeting, parent) in invitations)
            {
                Meetings.MeetingService.Reinvite(tx, meeting, parent, time.GetUtcNow().UtcDateTime);
            }

            // Earlier audit entries stay: they hold ids and actions only, never names, notes or phones.
            tx.AuditWrite(time.GetUtcNow().UtcDateTime, actor, "child.forgotten", childId,
                $"records:{records} pairings:{pairings} outbox:{outbox} parents:{parents} invites:{invites}");
            return new ForgetResult(childId, records, pairings, outbox, parents, invites);
        });
    }
}

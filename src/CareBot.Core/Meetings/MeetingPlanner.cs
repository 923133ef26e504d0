using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Meetings;

/// <summary>A parent who answered "cannot come, please call" and has not been called since: a task for the child's mentor.</summary>
public sealed record CallRequest(string ChildId, int ParentId, ParentRelation Relation, string ParentName, string Phone, string MeetingTitle, DateTime AskedUtc);

/// <summary>
/// What the daily reminder run adds for meetings: the reminder the day before to every parent who said they will
/// come, and the open "please call me" answers that go on the mentors' reminders until a call is logged.
/// </summary>
public static class MeetingPlanner
{
    /// <summary>A "please call me" stays a task this many days after the meeting at most, even with no call logged.</summary>
    public const int CallRequestDays = 60;

    /// <summary>Queues tomorrow's meetings' reminders (once per meeting and parent). Returns the rows new this run.</summary>
    public static int PlanReminders(CareDb db, OutboxStore outbox, CareClock clock)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(clock);
        var tomorrow = clock.Today.AddDays(1);
        return db.Write(tx =>
        {
            var added = 0;
            foreach (var meeting in tx.Meetings.Find(m => m.Date == tomorrow).ToList())
            {
                foreach (var reply in meeting.Replies.Where(r => r.Answer == MeetingAnswer.Attend))
                {
                    if (tx.People.FindById(reply.ParentId) is not { } parent || !parent.IsReachable)
                    {
                        continue;
                    }

                    var lang = PlanText.Lang(parent.Language);
                    var row = new OutboxMessage
                    {
                        Key = MeetingService.ReminderKey(meeting.Id, parent.Id),
                        PersonId = parent.Id,
                        Chat = parent.Chat,
                        Text = Texts.Get(lang, "meeting.reminder", meeting.Title, MeetingService.When(lang, meeting), meeting.Place),
                        Kind = OutboxKind.Meeting,
                        Priority = OutboxPriority.Bulk,
                    };
                    added += outbox.Enqueue(tx, row) ? 1 : 0;
                }
            }

            return added;
        });
    }

    /// <summary>The open "please call me" answers by child: asked at a recent meeting, no call about the child logged since.</summary>
    public static Dictionary<string, List<CallRequest>> CallRequests(CareTx tx, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var since = today.AddDays(-CallRequestDays);
        var open = new Dictionary<string, List<CallRequest>>(StringComparer.Ordinal);
        foreach (var meeting in tx.Meetings.Find(m => m.Date >= since).ToList())
        {
            foreach (var reply in meeting.Replies.Where(r => r.Answer == MeetingAnswer.CallMe))
            {
                if (tx.People.FindById(reply.ParentId) is not { } parent)
                {
                    continue;
                }

                // The parent's own children at the meeting, through the parents index (not one look-up per child).
                foreach (var child in tx.ChildrenOfParent(parent.Id).Where(c => meeting.ChildIds.Contains(c.Id)).ToList())
                {
                    var childId = child.Id;
                    var link = child.Parents.First(p => p.PersonId == parent.Id);
                    var askedUtc = reply.AtUtc;
                    if (tx.Records.Exists(r => r.ChildId == childId && r.Kind == CareKind.Call && r.AtUtc >= askedUtc))
                    {
                        continue;
                    }

                    if (!open.TryGetValue(childId, out var list))
                    {
                        open[childId] = list = [];
                    }

                    list.Add(new CallRequest(childId, parent.Id, link.Relation, parent.Name, parent.Phone, meeting.Title, askedUtc));
                }
            }
        }

        return open;
    }

    /// <summary>The reminder's line for one request, in the carer's language.</summary>
    public static string Line(string lang, CallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Texts.Get(lang, "meeting.remind_call", MeetingView.Relation(lang, request.Relation), PlanText.Compact(request.ParentName, 20), request.MeetingTitle, request.Phone);
    }
}

using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Planning;

/// <summary>The daily run tells the admins about parents' messages held for a teacher for more than two days.</summary>
public sealed partial class ReminderPlanner
{
    /// <summary>Held this long, a parent's message is reported to the admins.</summary>
    public static readonly TimeSpan WaitingReportAfter = TimeSpan.FromDays(2);

    public static string WaitingKey(int adminId, DateOnly date) =>
        $"waiting:{adminId}:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private int PlanWaiting(CareTx tx, DateOnly today, Dictionary<int, Person> people, OutboxBatch batch)
    {
        var before = _clock.UtcNow - WaitingReportAfter;
        var held = tx.Outbox.Find(o => o.Status == OutboxStatus.Held)
            .Where(o => o.Kind == OutboxKind.Relay && o.CreatedUtc < before && people.ContainsKey(o.PersonId))
            .ToList();
        if (held.Count == 0)
        {
            return 0;
        }

        var planned = 0;
        foreach (var admin in people.Values.Where(p => p.Has(Roles.Admin) && p.IsReachable).OrderBy(p => p.Id))
        {
            // Each admin hears only of their own schools' children (CareBot:Admins[].Schools).
            var scope = SchoolDirectory.AdminScope(_options.Admins, admin.Phone);
            var waiting = held
                .Where(o => SchoolDirectory.InScope(scope, SchoolDirectory.SchoolOfKey(o.ChildId ?? "")))
                .GroupBy(o => o.PersonId)
                .Select(g => (Carer: people[g.Key], Count: g.Count(), Oldest: g.Min(o => o.CreatedUtc)))
                .OrderBy(w => w.Oldest)
                .ToList();
            if (waiting.Count == 0)
            {
                continue;
            }

            var lang = PlanText.Lang(admin.Language);
            var text = new StringBuilder(Texts.Get(lang, "media.waiting.header"));
            foreach (var (carer, count, oldest) in waiting)
            {
                text.Append('\n').Append(Texts.Get(lang, "media.waiting.row", PlanText.Compact(carer.Name, NameMax), count, PlanText.Date(lang, _clock.ToLocalDate(oldest))));
            }

            text.Append('\n').Append(Texts.Get(lang, "media.waiting.footer"));
            batch.Add(new OutboxMessage
            {
                Key = WaitingKey(admin.Id, today),
                PersonId = admin.Id,
                Chat = admin.Chat,
                Text = text.ToString(),
                Kind = OutboxKind.Waiting,
                Priority = OutboxPriority.Bulk,
            });
            planned++;
        }

        return planned;
    }
}

using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareBot.Core.Planning;

/// <summary>What one reminder run added.</summary>
public sealed record ReminderPlanResult(int Reminders, int Escalations);

/// <summary>
/// The daily job's planner: at most one reminder per carer per local day with the items (a visit, talk or call due
/// within two days or overdue; a parent's "please call me") that became due since the last reminder or were last
/// reminded RemindEveryDays ago (see <see cref="ReminderMark"/>; nothing new and nothing to repeat: no message), escalations to the admins for children overdue longer than EscalateAfterDays (once per ISO week per
/// child and admin), and the nudge on the day before the weekly update. Every row has an idempotency key, so
/// running it again the same day adds nothing.
/// </summary>
public sealed partial class ReminderPlanner
{
    private const int NameMax = 40;

    private readonly CareDb _db;
    private readonly OutboxStore _outbox;
    private readonly CareClock _clock;
    private readonly CareOptions _options;
    private readonly ILogger _logger;

    public ReminderPlanner(CareDb db, OutboxStore outbox, CareClock clock, CareOptions options, ILogger<ReminderPlanner>? logger = null)
    {
        _db = db;
        _outbox = outbox;
        _clock = clock;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public static string ReminderKey(int carerId, DateOnly date) =>
        $"remind:{carerId}:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    public static string EscalationKey(string childId, string isoWeek, int adminId) => $"escalate:{childId}:{isoWeek}:{adminId}";

    public static string NudgeKey(int carerId, string isoWeek) => $"nudge:{carerId}:{isoWeek}";

    /// <summary>Plans today's reminders and escalations.</summary>
    public ReminderPlanResult Plan()
    {
        // Read in one turn, then written in turns of a batch each (other work comes between the batches).
        var (today, reminders, batch, escalations) = _db.Read(Collect);
        var planned = reminders.Flush();
        var added = batch.Flush() + planned;
        _logger.LogInformation(
            "Reminder plan for {Date}: {Reminders} reminders and {Escalations} escalations planned, {Added} rows new",
            today, planned, escalations, added);
        return new ReminderPlanResult(planned, escalations);
    }

    private (DateOnly Today, ReminderBatch Reminders, OutboxBatch Batch, int Escalations) Collect(CareTx tx)
    {
        var today = _clock.Today;
        var week = CareClock.IsoWeek(today);
        var people = tx.People.FindAll().ToDictionary(p => p.Id);
        var pairings = tx.Pairings.FindAll().ToList();
        var childNames = ChildNames(tx);
        var status = new CareStatusCalculator(_db, _clock, _options).ForAllPaired(tx, today, pairings);
        var callRequests = Meetings.MeetingPlanner.CallRequests(tx, today);
        var safeguarding = Safeguarding.SafeguardingService.VisitDueFrom(tx);

        var reminders = new ReminderBatch(_db, _clock.UtcNow, autoFlush: false);
        foreach (var group in pairings.GroupBy(p => p.CarerId))
        {
            if (!people.TryGetValue(group.Key, out var carer) || !carer.IsCarer || !carer.IsReachable)
            {
                continue;
            }

            var due = group
                .Select(p => p.ChildId)
                .Distinct(StringComparer.Ordinal)
                .Select(id => status[id])
                .Where(s => s.AnythingDue || callRequests.ContainsKey(s.ChildId))
                .OrderByDescending(s => s.DaysOverdue)
                .ThenBy(s => childNames.GetValueOrDefault(s.ChildId, s.ChildId), StringComparer.Ordinal)
                .ToList();
            var lang = PlanText.Lang(carer.Language);
            var items = Items(lang, due, callRequests);
            var marks = tx.ReminderMarks.Find(m => m.CarerId == carer.Id).ToDictionary(m => m.Id, StringComparer.Ordinal);
            var fresh = items.Where(i => ShouldRemind(marks.GetValueOrDefault(MarkId(carer.Id, i.Key)), i.DueOn, today, _options.Care.RemindEveryDays)).ToList();
            var always = AlwaysShown(group.Select(p => p.ChildId), safeguarding, childNames, lang);
            var stale = marks.Keys.Except(items.Select(i => MarkId(carer.Id, i.Key)), StringComparer.Ordinal).ToList();
            if (fresh.Count == 0 && always.Count == 0)
            {
                // Nothing new and nothing to repeat: no message this morning.
                reminders.Forget(stale);
                continue;
            }

            var row = Reminder(carer, today, fresh, always, childNames);
            var newMarks = fresh.Select(i => new ReminderMark { Id = MarkId(carer.Id, i.Key), CarerId = carer.Id, ChildId = i.ChildId, DueOn = i.DueOn, LastReminded = today }).ToList();
            reminders.Add(row, newMarks, stale);
        }

        var batch = new OutboxBatch(_db, _outbox, autoFlush: false);
        var escalations = PlanEscalations(week, people, pairings, status, childNames, batch);
        PlanWaiting(tx, today, people, batch);
        return (today, reminders, batch, escalations);
    }

    /// <summary>
    /// On the day before <paramref name="weeklyUpdateDate"/> (and only then), tells each reachable carer which of
    /// their children have nothing recorded in the current ISO week, once per week. Returns the rows planned.
    /// </summary>
    public int PlanNudges(DateOnly weeklyUpdateDate)
    {
        var today = _clock.Today;
        if (today != weeklyUpdateDate.AddDays(-1))
        {
            return 0;
        }

        var (week, batch, planned) = _db.Read(tx => CollectNudges(tx, today));
        var added = batch.Flush();
        _logger.LogInformation("Nudge plan for {Week}: {Planned} planned, {Added} rows new", week, planned, added);
        return planned;
    }

    private (string Week, OutboxBatch Batch, int Planned) CollectNudges(CareTx tx, DateOnly today)
    {

        var week = CareClock.IsoWeek(today);
        var weekStart = CareClock.WeekStart(today);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in tx.Records.Find(r => r.LocalDate >= weekStart && r.LocalDate <= today))
        {
            if (r.Kind is not (CareKind.ParentMessage or CareKind.UnansweredCall))
            {
                recorded.Add(r.ChildId);
            }
        }

        var people = tx.People.FindAll().ToDictionary(p => p.Id);
        var childNames = ChildNames(tx);
        var batch = new OutboxBatch(_db, _outbox, autoFlush: false);
        var planned = 0;
        foreach (var group in tx.Pairings.FindAll().GroupBy(p => p.CarerId))
        {
            if (!people.TryGetValue(group.Key, out var carer) || !carer.IsCarer || !carer.IsReachable)
            {
                continue;
            }

            var emptyIds = group.Select(p => p.ChildId).Distinct(StringComparer.Ordinal).Where(id => !recorded.Contains(id)).ToList();
            var empty = emptyIds.Select(id => childNames.GetValueOrDefault(id, id)).Order(StringComparer.Ordinal).ToList();
            if (empty.Count == 0)
            {
                continue;
            }

            var lang = PlanText.Lang(carer.Language);
            var text = new StringBuilder(Texts.Get(lang, "plan.nudge.header"));
            foreach (var name in empty)
            {
                text.Append('\n').Append(Texts.Get(lang, "plan.nudge.child", PlanText.Compact(name, NameMax)));
            }

            text.Append('\n').Append(Texts.Get(lang, "plan.nudge.footer"));
            batch.Add(new OutboxMessage
            {
                Key = NudgeKey(carer.Id, week),
                PersonId = carer.Id,
                Chat = carer.Chat,
                Text = text.ToString(),
                Kind = OutboxKind.Nudge,
                Priority = OutboxPriority.Bulk,
                ChildIds = emptyIds,
                Week = week,
            });
            planned++;
        }

        return (week, batch, planned);
    }

    private static Dictionary<string, string> ChildNames(CareTx tx)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in tx.Children.Select(null, c => new { c.Id, c.Name }))
        {
            names[child.Id] = child.Name ?? "";
        }

        return names;
    }

    private int PlanEscalations(
        string week,
        Dictionary<int, Person> people,
        List<Pairing> pairings,
        Dictionary<string, ChildCareStatus> status,
        Dictionary<string, string> childNames,
        OutboxBatch batch)
    {
        var admins = people.Values.Where(p => p.Has(Roles.Admin) && p.IsReachable).OrderBy(p => p.Id).ToList();
        if (admins.Count == 0)
        {
            return 0;
        }

        // Each admin's schools, worked out once rather than for every overdue child.
        var scopes = admins.ToDictionary(a => a.Id, a => SchoolDirectory.AdminScope(_options.Admins, a.Phone));
        var limit = _options.Care.EscalateAfterDays;
        var carersOf = pairings.ToLookup(p => p.ChildId, StringComparer.Ordinal);
        var planned = 0;
        foreach (var s in status.Values.Where(s => s.DaysOverdue > limit).OrderBy(s => s.ChildId, StringComparer.Ordinal))
        {
            var carerNames = carersOf[s.ChildId]
                .Select(p => people.TryGetValue(p.CarerId, out var c) ? c.Name : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var school = SchoolDirectory.SchoolOfKey(s.ChildId);
            foreach (var admin in admins.Where(a => SchoolDirectory.InScope(scopes[a.Id], school)))
            {
                var lang = PlanText.Lang(admin.Language);
                var name = PlanText.Compact(childNames.GetValueOrDefault(s.ChildId, s.ChildId), NameMax);
                var text = new StringBuilder(Texts.Get(lang, "plan.escalate.header", name, _options.Directory.Label(s.ChildId)));
                if (s.VisitOverdueDays > limit)
                {
                    text.Append('\n').Append(Texts.Get(lang, "plan.escalate.visit", s.VisitOverdueDays));
                }

                if (s.TalkOverdueDays > limit)
                {
                    text.Append('\n').Append(Texts.Get(lang, "plan.escalate.talk", s.TalkOverdueDays));
                }

                text.Append('\n').Append(carerNames.Count == 0
                    ? Texts.Get(lang, "plan.escalate.nocarer")
                    : Texts.Get(lang, "plan.escalate.carers", Texts.Join(lang, carerNames)));
                batch.Add(new OutboxMessage
                {
                    Key = EscalationKey(s.ChildId, week, admin.Id),
                    PersonId = admin.Id,
                    Chat = admin.Chat,
                    Text = text.ToString(),
                    Kind = OutboxKind.Escalation,
                    Priority = OutboxPriority.Bulk,
                    ChildId = s.ChildId,
                    ChildIds = [s.ChildId],
                    Week = week,
                });
                planned++;
            }
        }

        return planned;
    }
}

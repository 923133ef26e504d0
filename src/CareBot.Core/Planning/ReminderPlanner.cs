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
/// The daily job's planner: one reminder per carer per local day listing every child due within two days or
/// overdue, escalations to the admins for children overdue longer than EscalateAfterDays (once per ISO week per
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
    public ReminderPlanResult Plan() => _db.Read(Plan);

    private ReminderPlanResult Plan(CareTx tx)
    {
        var today = _clock.Today;
        var week = CareClock.IsoWeek(today);
        var people = tx.People.FindAll().ToDictionary(p => p.Id);
        var pairings = tx.Pairings.FindAll().ToList();
        var childNames = ChildNames(tx);
        var status = new CareStatusCalculator(_db, _clock, _options).ForAllPaired(today, pairings);
        var callRequests = Meetings.MeetingPlanner.CallRequests(tx, today);
        var safeguarding = Safeguarding.SafeguardingService.VisitDueFrom(tx);

        var batch = new OutboxBatch(_db, _outbox);
        var reminders = 0;
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
            if (due.Count == 0)
            {
                continue;
            }

            batch.Add(Reminder(carer, today, due, childNames, callRequests, safeguarding));
            reminders++;
        }

        var escalations = PlanEscalations(week, people, pairings, status, childNames, batch);
        PlanWaiting(tx, today, people, batch);
        var added = batch.Flush();
        _logger.LogInformation(
            "Reminder plan for {Date}: {Reminders} reminders and {Escalations} escalations planned, {Added} rows new",
            today, reminders, escalations, added);
        return new ReminderPlanResult(reminders, escalations);
    }

    /// <summary>
    /// On the day before <paramref name="weeklyUpdateDate"/> (and only then), tells each reachable carer which of
    /// their children have nothing recorded in the current ISO week, once per week. Returns the rows planned.
    /// </summary>
    public int PlanNudges(DateOnly weeklyUpdateDate) => _db.Read(tx => PlanNudges(tx, weeklyUpdateDate));

    private int PlanNudges(CareTx tx, DateOnly weeklyUpdateDate)
    {
        var today = _clock.Today;
        if (today != weeklyUpdateDate.AddDays(-1))
        {
            return 0;
        }

        var week = CareClock.IsoWeek(today);
        var weekStart = CareClock.WeekStart(today);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in tx.Records.Find(r => r.LocalDate >= weekStart && r.LocalDate <= today))
        {
            if (r.Kind != CareKind.ParentMessage)
            {
                recorded.Add(r.ChildId);
            }
        }

        var people = tx.People.FindAll().ToDictionary(p => p.Id);
        var childNames = ChildNames(tx);
        var batch = new OutboxBatch(_db, _outbox);
        var planned = 0;
        foreach (var group in tx.Pairings.FindAll().GroupBy(p => p.CarerId))
        {
            if (!people.TryGetValue(group.Key, out var carer) || !carer.IsCarer || !carer.IsReachable)
            {
                continue;
            }

            var empty = group.Select(p => p.ChildId).Distinct(StringComparer.Ordinal).Where(id => !recorded.Contains(id))
                .Select(id => childNames.GetValueOrDefault(id, id)).Order(StringComparer.Ordinal).ToList();
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
                ChatId = carer.ChatId!.Value,
                Text = text.ToString(),
                Kind = OutboxKind.Nudge,
                Priority = OutboxPriority.Bulk,
                Week = week,
            });
            planned++;
        }

        var added = batch.Flush();
        _logger.LogInformation("Nudge plan for {Week}: {Planned} planned, {Added} rows new", week, planned, added);
        return planned;
    }

    private static Dictionary<string, string> ChildNames(CareTx tx)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var doc in tx.Children.Query().Select("{ _id: $._id, n: $.Name }").ToEnumerable())
        {
            names[doc["_id"].AsString] = doc["n"].IsString ? doc["n"].AsString : "";
        }

        return names;
    }

    private static OutboxMessage Reminder(Person carer, DateOnly today, List<ChildCareStatus> due, Dictionary<string, string> childNames, Dictionary<string, List<Meetings.CallRequest>> callRequests, Dictionary<string, DateOnly> safeguarding)
    {
        var lang = PlanText.Lang(carer.Language);
        var text = new StringBuilder(Texts.Get(lang, "plan.remind.header"));
        var buttons = new List<OutButton>();
        foreach (var s in due)
        {
            var name = PlanText.Compact(childNames.GetValueOrDefault(s.ChildId, s.ChildId), NameMax);
            text.Append('\n').Append(Texts.Get(lang, "plan.remind.child", name));
            if (safeguarding.ContainsKey(s.ChildId))
            {
                // An open check-in flag or concern (see /flags, /concern list); never its note.
                text.Append('\n').Append(Texts.Get(lang, "sg.remind.open"));
            }
            if (s.VisitDue)
            {
                text.Append('\n').Append(Line(lang, "visit", s.LastVisit, s.NextVisitDue, s.VisitOverdueDays));
                buttons.Add(new OutButton { Text = Texts.Get(lang, "plan.remind.button.visited", name), Data = $"visited:{s.ChildId}" });
            }

            if (s.TalkDue)
            {
                text.Append('\n').Append(Line(lang, "talk", s.LastTalk, s.NextTalkDue, s.TalkOverdueDays));
            }

            if (s.CallDue)
            {
                text.Append('\n').Append(Line(lang, "call", s.LastCall, s.NextCallDue!.Value, s.CallOverdueDays));
            }

            // A parent who answered a meeting invitation "cannot come, please call me".
            foreach (var request in callRequests.GetValueOrDefault(s.ChildId) ?? [])
            {
                text.Append('\n').Append(Meetings.MeetingPlanner.Line(lang, request));
            }
        }

        string? childId = null;
        CareKind? replyAs = null;
        if (due.Count == 1)
        {
            childId = due[0].ChildId;
            replyAs = due[0].VisitDue ? CareKind.Visit : due[0].TalkDue ? CareKind.Talk : CareKind.Call;
            var kind = Texts.Get(lang, "plan.kind." + replyAs.Value.ToString().ToLowerInvariant());
            text.Append("\n\n").Append(Texts.Get(lang, "plan.remind.footer.single", kind));
        }
        else
        {
            text.Append("\n\n").Append(Texts.Get(lang, "plan.remind.footer"));
        }

        buttons.Add(new OutButton
        {
            Text = Texts.Get(lang, "plan.remind.button.snooze"),
            Data = $"snooze:{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}",
        });

        return new OutboxMessage
        {
            Key = ReminderKey(carer.Id, today),
            PersonId = carer.Id,
            ChatId = carer.ChatId!.Value,
            Text = text.ToString(),
            Buttons = buttons,
            Kind = OutboxKind.Reminder,
            Priority = OutboxPriority.Bulk,
            ChildId = childId,
            ReplyAs = replyAs,
        };
    }

    private static string Line(string lang, string what, DateOnly? last, DateOnly next, int overdueDays)
    {
        if (last is null)
        {
            return Texts.Get(lang, $"plan.remind.{what}.never");
        }

        var lastText = PlanText.Date(lang, last.Value);
        return overdueDays > 0
            ? Texts.Get(lang, $"plan.remind.{what}.overdue", overdueDays, lastText)
            : Texts.Get(lang, $"plan.remind.{what}.due", PlanText.Date(lang, next), lastText);
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
                    ChatId = admin.ChatId!.Value,
                    Text = text.ToString(),
                    Kind = OutboxKind.Escalation,
                    Priority = OutboxPriority.Bulk,
                    ChildId = s.ChildId,
                    Week = week,
                });
                planned++;
            }
        }

        return planned;
    }
}

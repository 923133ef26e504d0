using System.Text;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Safeguarding;

/// <summary>
/// Concerns and check-in flags: who may see them, the alerts to staff (outbox rows of kind <see cref="OutboxKind.Alert"/>,
/// reply priority, so quiet hours never hold them), acknowledgement, report, closing and clearing. Works inside the
/// caller's turn on the database; every change is audited (ids only, never the note).
/// </summary>
public static class SafeguardingService
{
    /// <summary>Button verb of the alerts' 已知悉 / Acknowledge.</summary>
    public const string AckVerb = "sgack";

    /// <summary>The admins (people) of <paramref name="schoolId"/>: those listed for it and those of the whole county.</summary>
    public static List<Person> AdminsFor(CareTx tx, CareOptions options, string schoolId)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(options);
        var found = new Dictionary<int, Person>();
        foreach (var entry in options.Admins)
        {
            var scope = entry.Schools is { Count: > 0 } schools ? schools : null;
            if (!SchoolDirectory.InScope(scope, schoolId) || Phone.Normalize(entry.Phone) is not { } phone)
            {
                continue;
            }

            if (tx.People.FindOne(p => p.Phone == phone) is { } person && person.Has(Roles.Admin))
            {
                found[person.Id] = person;
            }
        }

        return [.. found.Values.OrderBy(p => p.Id)];
    }

    /// <summary>True when <paramref name="person"/> is an admin whose schools hold <paramref name="schoolId"/>.</summary>
    public static bool IsAdminFor(CareOptions options, Person person, string schoolId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(person);
        return person.Has(Roles.Admin) && SchoolDirectory.InScope(SchoolDirectory.AdminScope(options.Admins, person.Phone), schoolId);
    }

    /// <summary>Whoever recorded the concern, the child's carers, and the admins of the child's school or the county.</summary>
    public static bool CanSee(CareTx tx, CareOptions options, Person person, Concern concern)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(concern);
        return person.Id == concern.RecordedBy || CareQueries.IsPaired(tx, person.Id, concern.ChildId) || IsAdminFor(options, person, concern.SchoolId);
    }

    /// <summary>The child's carers and the admins of the child's school or the county.</summary>
    public static bool CanSee(CareTx tx, CareOptions options, Person person, SafeguardingFlag flag)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(flag);
        return CareQueries.IsPaired(tx, person.Id, flag.ChildId) || IsAdminFor(options, person, flag.SchoolId);
    }

    /// <summary>Saves a concern (audited); <see cref="AlertConcern"/> tells the admins.</summary>
    public static Concern RecordConcern(CareTx tx, Child child, ConcernType type, string note, int recordedBy, string actor, DateTime nowUtc, DateOnly today, long? fromRecord = null)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(child);
        var concern = new Concern
        {
            ChildId = child.Id,
            SchoolId = child.SchoolId,
            Type = type,
            Note = note,
            RecordedBy = recordedBy,
            RecordedUtc = nowUtc,
            LocalDate = today,
            FromRecordId = fromRecord,
        };
        tx.Concerns.Insert(concern);
        tx.AuditWrite(nowUtc, actor, "concern.recorded", child.Id, $"concern:{concern.Id} type:{ConcernWords.Code(type)}");
        return concern;
    }

    /// <summary>Idempotency key of one alert round to one admin: round 0 is the first alert, then one per repeat.</summary>
    public static string AlertKey(int concernId, int round, int adminId) => $"concern:{concernId}:alert:{round}:{adminId}";

    /// <summary>
    /// Queues alert round <paramref name="round"/> of the concern to every reachable admin of its school or the county
    /// (once per round and admin). Returns how many admins it went to (new or already queued).
    /// </summary>
    public static int AlertConcern(CareTx tx, CareOptions options, Concern concern, int round, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(concern);
        if (tx.Children.FindById(concern.ChildId) is not { } child)
        {
            return 0;
        }

        var recorder = concern.RecordedBy == 0 ? null : tx.People.FindById(concern.RecordedBy)?.Name;
        var sent = 0;
        foreach (var admin in AdminsFor(tx, options, concern.SchoolId).Where(a => a.IsReachable))
        {
            var lang = admin.Language;
            var text = Texts.Get(
                lang,
                round == 0 ? "sg.alert.concern" : "sg.alert.concern_again",
                concern.Id,
                child.Name,
                options.Directory.Label(child.Id),
                Texts.Get(lang, ConcernWords.TypeKey(concern.Type)),
                recorder ?? Texts.Get(lang, "sg.cli"),
                round + 1);
            var button = new OutButton { Text = Texts.Get(lang, "sg.button.ack"), Data = ButtonData.Format(AckVerb, concern.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
            Queue(tx, admin, AlertKey(concern.Id, round, admin.Id), text, child.Id, [button], nowUtc);
            sent++;
        }

        tx.AuditWrite(nowUtc, "system", "concern.alerted", child.Id, $"concern:{concern.Id} round:{round} admins:{sent}");
        return sent;
    }

    /// <summary>Records who acknowledged the concern and when; false when it already was (nothing changes).</summary>
    public static bool Acknowledge(CareTx tx, Concern concern, int personId, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(concern);
        if (concern.AcknowledgedUtc is not null)
        {
            return false;
        }

        concern.AcknowledgedBy = personId;
        concern.AcknowledgedUtc = nowUtc;
        tx.Concerns.Update(concern);
        tx.AuditWrite(nowUtc, actor, "concern.acknowledged", concern.ChildId, $"concern:{concern.Id}");
        return true;
    }

    /// <summary>The report to an authority (and, if nobody had yet, the acknowledgement).</summary>
    public static void Report(CareTx tx, Concern concern, Authority authority, string? reference, int personId, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(concern);
        Acknowledge(tx, concern, personId, actor, nowUtc);
        concern.ReportedTo = authority;
        concern.Reference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim();
        concern.ReportedBy = personId;
        concern.ReportedUtc = nowUtc;
        tx.Concerns.Update(concern);
        tx.AuditWrite(nowUtc, actor, "concern.reported", concern.ChildId, $"concern:{concern.Id} to:{authority}");
    }

    /// <summary>Closes the concern with its outcome (and, if nobody had yet, acknowledges it).</summary>
    public static void Close(CareTx tx, Concern concern, string outcome, int personId, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(concern);
        Acknowledge(tx, concern, personId, actor, nowUtc);
        concern.Outcome = outcome;
        concern.ClosedBy = personId;
        concern.ClosedUtc = nowUtc;
        tx.Concerns.Update(concern);
        tx.AuditWrite(nowUtc, actor, "concern.closed", concern.ChildId, $"concern:{concern.Id}");
    }

    /// <summary>
    /// A check-in that raises a flag (<see cref="FlagRules"/>): the flag is saved and the child's carers and the
    /// admins of the child's school get a message at once. Null when the check-in raises none.
    /// </summary>
    public static SafeguardingFlag? RaiseFlag(CareTx tx, CareOptions options, Child child, CareRecord check, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(check);
        if (check.Ratings is null)
        {
            return null;
        }

        var previous = tx.Records.Find(r => r.ChildId == child.Id && r.Kind == CareKind.Check)
            .Where(r => r.Id != check.Id && r.Ratings is not null && Earlier(r, check))
            .OrderByDescending(r => r.LocalDate).ThenByDescending(r => r.AtUtc).ThenByDescending(r => r.Id)
            .FirstOrDefault();
        var items = FlagRules.Evaluate(check.Ratings, previous?.Ratings, options.Safeguarding);
        if (items.Count == 0)
        {
            return null;
        }

        var flag = new SafeguardingFlag { ChildId = child.Id, SchoolId = child.SchoolId, CheckId = check.Id, RaisedUtc = nowUtc, RaisedDate = check.LocalDate, Items = items };
        tx.Flags.Insert(flag);
        var recipients = tx.Pairings.Find(p => p.ChildId == child.Id).Select(p => tx.People.FindById(p.CarerId)).OfType<Person>()
            .Concat(AdminsFor(tx, options, child.SchoolId))
            .Where(p => p.IsReachable)
            .DistinctBy(p => p.Id)
            .ToList();
        foreach (var person in recipients)
        {
            var lang = person.Language;
            var text = Texts.Get(lang, "sg.alert.flag", flag.Id, child.Name, options.Directory.Label(child.Id), Describe(lang, items));
            Queue(tx, person, $"flag:{flag.Id}:{person.Id}", text, child.Id, [], nowUtc);
        }

        tx.AuditWrite(nowUtc, actor, "flag.raised", child.Id, $"flag:{flag.Id} record:{check.Id} told:{recipients.Count}");
        return flag;
    }

    private static bool Earlier(CareRecord a, CareRecord b) =>
        a.LocalDate != b.LocalDate ? a.LocalDate < b.LocalDate : a.AtUtc != b.AtUtc ? a.AtUtc < b.AtUtc : a.Id < b.Id;

    /// <summary>"心理 4→2（低，下降 2）；学习 2（连续偏低）" in <paramref name="lang"/>.</summary>
    public static string Describe(string lang, IEnumerable<FlagItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var parts = new List<string>();
        foreach (var item in items)
        {
            var reasons = new List<string>();
            if (item.Low)
            {
                reasons.Add(Texts.Get(lang, "sg.reason.low"));
            }

            if (item.Dropped && item.Before is { } before)
            {
                reasons.Add(Texts.Get(lang, "sg.reason.drop", before - item.Now));
            }

            if (item.LowAgain)
            {
                reasons.Add(Texts.Get(lang, "sg.reason.low_again"));
            }

            var area = Texts.Get(lang, "rating." + item.Area);
            var change = item.Before is { } b ? $"{b}→{item.Now}" : item.Now.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parts.Add(Texts.Get(lang, "sg.flag.item", area, change, Texts.Join(lang, reasons)));
        }

        return string.Join(Texts.Get(lang, "sg.flag.item_separator"), parts);
    }

    /// <summary>A visit or talk clears the child's open flags raised before it. Returns how many.</summary>
    public static int ClearFlagsBy(CareTx tx, CareRecord record, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(record);
        if (record.Kind is not (CareKind.Visit or CareKind.Talk))
        {
            return 0;
        }

        var childId = record.ChildId;
        var cleared = 0;
        foreach (var flag in tx.Flags.Find(f => f.ChildId == childId).Where(f => f.IsOpen && f.RaisedUtc <= record.AtUtc).ToList())
        {
            Clear(tx, flag, $"record:{record.Id}", actor, nowUtc);
            cleared++;
        }

        return cleared;
    }

    /// <summary>Clears a flag (by a visit or talk, <c>record:ID</c>, or by an admin, <c>person:ID</c>).</summary>
    public static void Clear(CareTx tx, SafeguardingFlag flag, string by, string actor, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(flag);
        flag.ClearedUtc = nowUtc;
        flag.ClearedBy = by;
        tx.Flags.Update(flag);
        tx.AuditWrite(nowUtc, actor, "flag.cleared", flag.ChildId, $"flag:{flag.Id} by:{by}");
    }

    /// <summary>
    /// The children whose home visit is due at once: the earliest local date of an open flag or an open concern per
    /// child (the status calculator makes the visit due from then, unless a visit came after it).
    /// </summary>
    public static Dictionary<string, DateOnly> VisitDueFrom(CareTx tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var due = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        void Keep(string child, DateOnly date)
        {
            if (!due.TryGetValue(child, out var had) || date < had)
            {
                due[child] = date;
            }
        }

        foreach (var flag in tx.Flags.Find(f => f.ClearedUtc == null))
        {
            Keep(flag.ChildId, flag.RaisedDate);
        }

        foreach (var concern in tx.Concerns.Find(c => c.ClosedUtc == null))
        {
            Keep(concern.ChildId, concern.LocalDate);
        }

        return due;
    }

    /// <summary>An alert to one member of staff: reply priority (quiet hours hold only bulk to parents), once per key.</summary>
    internal static bool Queue(CareTx tx, Person to, string key, string text, string? childId, List<OutButton> buttons, DateTime nowUtc)
    {
        if (!to.IsReachable)
        {
            return false;
        }

        return OutboxStore.Add(tx, new OutboxMessage
        {
            Key = key,
            PersonId = to.Id,
            Chat = to.Chat,
            Text = text,
            Buttons = buttons,
            Priority = OutboxPriority.Reply,
            Kind = OutboxKind.Alert,
            ChildId = childId,
        }, nowUtc);
    }

    /// <summary>The lines of a list of concerns (one each): "#12 小红（101）侵害 · 待处理 · 11月23日".</summary>
    public static string Line(string lang, Concern concern, string childName, string label) =>
        Texts.Get(lang, "sg.concern.line", concern.Id, childName, label, Texts.Get(lang, ConcernWords.TypeKey(concern.Type)), Texts.Get(lang, ConcernWords.StatusKey(concern.Status)), concern.LocalDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Texts.Get(lang, concern.AcknowledgedUtc is null ? "sg.concern.unacknowledged" : "sg.concern.acknowledged_short"));

    /// <summary>A concern in full (for those who may see it): type, status, who recorded, acknowledged, reported, closed, the note.</summary>
    public static string Describe(CareTx tx, string lang, Concern concern, SchoolDirectory schools, Func<DateTime, DateTime> toLocal)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(concern);
        ArgumentNullException.ThrowIfNull(schools);
        ArgumentNullException.ThrowIfNull(toLocal);
        string Name(int? id) => id is null or 0 ? Texts.Get(lang, "sg.cli") : tx.People.FindById(id.Value)?.Name ?? "#" + id;
        string When(DateTime utc) => toLocal(utc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var child = tx.Children.FindById(concern.ChildId);
        var sb = new StringBuilder(Texts.Get(lang, "sg.concern.title", concern.Id, child?.Name ?? concern.ChildId, schools.Label(concern.ChildId), child?.Class ?? "-"));
        sb.Append('\n').Append(Texts.Get(lang, "sg.concern.type_status", Texts.Get(lang, ConcernWords.TypeKey(concern.Type)), Texts.Get(lang, ConcernWords.StatusKey(concern.Status))));
        sb.Append('\n').Append(Texts.Get(lang, "sg.concern.recorded_by", Name(concern.RecordedBy), When(concern.RecordedUtc)));
        sb.Append('\n').Append(concern.AcknowledgedUtc is { } ack
            ? Texts.Get(lang, "sg.concern.acknowledged_by", Name(concern.AcknowledgedBy), When(ack), (int)Math.Round((ack - concern.RecordedUtc).TotalMinutes))
            : Texts.Get(lang, "sg.concern.not_acknowledged"));
        if (concern.ReportedUtc is { } reported)
        {
            sb.Append('\n').Append(Texts.Get(lang, "sg.concern.reported_to", Texts.Get(lang, ConcernWords.AuthorityKey(concern.ReportedTo ?? Authority.Other)), concern.Reference ?? "-", Name(concern.ReportedBy), When(reported)));
        }

        if (concern.ClosedUtc is { } closed)
        {
            sb.Append('\n').Append(Texts.Get(lang, "sg.concern.closed_with", concern.Outcome ?? "", Name(concern.ClosedBy), When(closed)));
        }

        sb.Append('\n').Append(Texts.Get(lang, "sg.concern.note", concern.Note));
        return sb.ToString();
    }
}

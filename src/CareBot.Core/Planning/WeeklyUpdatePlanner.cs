using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareBot.Core.Planning;

/// <summary>What one weekly-update run planned and how many rows were new.</summary>
public sealed record WeeklyPlanResult(string Week, int Planned, int Added);

/// <summary>
/// Plans the weekly update to each reachable parent (linked chat, not blocked, not paused) of each child: one row
/// per parent per child per ISO week, key <c>weekly:{parentId}:{childId}:{isoYear}-W{week}</c>. It reads the
/// week's records with one indexed LocalDate range query, then the check-in look-back window a week at a time going
/// back (stopping once every child has two check-ins), keeps only the week's visits, talks, diary entries and group
/// activities and the latest two check-ins per child, and inserts rows in batches of
/// <see cref="OutboxBatch.DefaultSize"/> per transaction (one sync each). It works in slices: people, children and
/// pairings a few thousand at a time, records a day at a time, rows a batch at a time, each slice one short turn on
/// the database, so that chat updates are handled between slices while a county is planned. Memory grows with the number of children and with one
/// week of records, not with the history.
/// </summary>
public sealed class WeeklyUpdatePlanner
{
    /// <summary>Notes are cut to this many characters to keep the update compact.</summary>
    public const int NoteMax = 160;

    private const int NameMax = 40;

    private readonly CareDb _db;
    private readonly OutboxStore _outbox;
    private readonly ILogger _logger;

    public WeeklyUpdatePlanner(CareDb db, OutboxStore outbox, ILogger<WeeklyUpdatePlanner>? logger = null)
    {
        _db = db;
        _outbox = outbox;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// How far before the week the latest check-in is looked for (the update shows the latest check-in and the change
    /// since the one before it). Older check-ins are not shown; this bounds the work to a window, not the history.
    /// </summary>
    public int CheckInLookbackDays { get; init; } = 56;

    public int BatchSize { get; init; } = OutboxBatch.DefaultSize;

    public static string Key(int parentId, string childId, string isoWeek) => $"weekly:{parentId}:{childId}:{isoWeek}";

    /// <summary>Plans the updates for the ISO week holding <paramref name="anyDateInWeek"/> (a local date).</summary>
    public WeeklyPlanResult Plan(DateOnly anyDateInWeek)
    {
        var week = CareClock.IsoWeek(anyDateInWeek);
        var weekStart = CareClock.WeekStart(anyDateInWeek);
        var weekEnd = weekStart.AddDays(6);

        var parents = new Dictionary<int, Person>();
        var names = new Dictionary<int, string>();
        foreach (var p in _db.ReadInSlices(tx => tx.People, p => p.Id))
        {
            names[p.Id] = p.Name;
            if (p.Has(Roles.Parent) && p.IsReachable && !p.UpdatesPaused)
            {
                parents[p.Id] = p;
            }
        }

        var children = _db.ReadInSlices(tx => tx.Children, c => c.Id).Where(c => c.Parents.Exists(l => parents.ContainsKey(l.PersonId))).ToList();
        if (children.Count == 0)
        {
            _logger.LogInformation("Weekly update plan for {Week}: no reachable parent", week);
            return new WeeklyPlanResult(week, 0, 0);
        }

        var wanted = children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var carers = _db.ReadInSlices(tx => tx.Pairings, p => p.Id).Where(p => wanted.Contains(p.ChildId)).ToLookup(p => p.ChildId, StringComparer.Ordinal);
        var (weekRecords, checks) = ReadRecords(wanted, weekStart, weekEnd);

        // The first run for a week (no marker yet) can skip the per-row key look-up: only this planner makes weekly
        // keys, and the marker is committed before its first batch, so a run cut short leaves the marker behind and
        // the next run checks every key again.
        var marker = $"weekly.planned:{week}";
        var firstRun = _db.Read(tx => tx.State.FindById(marker) is null);
        if (firstRun)
        {
            _db.Write(tx => tx.State.Upsert(new StateEntry { Id = marker }));
        }

        var batch = new OutboxBatch(_db, _outbox, BatchSize, keysAreNew: firstRun);
        var planned = 0;
        var texts = new Dictionary<string, string>(2, StringComparer.Ordinal);
        foreach (var child in children)
        {
            texts.Clear();
            var media = WeeklyMedia.Of(weekRecords.GetValueOrDefault(child.Id));
            foreach (var link in child.Parents)
            {
                if (!parents.TryGetValue(link.PersonId, out var parent))
                {
                    continue;
                }

                var lang = PlanText.Lang(parent.Language);
                if (!texts.TryGetValue(lang, out var text))
                {
                    text = Render(lang, child, weekStart, weekEnd, weekRecords.GetValueOrDefault(child.Id), checks.GetValueOrDefault(child.Id), carers[child.Id], names);
                    if (WeeklyMedia.FollowLine(lang, media) is { } follow)
                    {
                        text += "\n" + follow;
                    }

                    texts[lang] = text;
                }

                batch.Add(new OutboxMessage
                {
                    Key = Key(parent.Id, child.Id, week),
                    PersonId = parent.Id,
                    Chat = parent.Chat,
                    Text = text,
                    Kind = OutboxKind.WeeklyUpdate,
                    Priority = OutboxPriority.Bulk,
                    ChildId = child.Id,
                    Week = week,
                });
                planned++;
                foreach (var row in WeeklyMedia.Rows(parent, child.Id, week, Key(parent.Id, child.Id, week), media))
                {
                    batch.Add(row);
                }
            }
        }

        var added = batch.Flush();
        _logger.LogInformation("Weekly update plan for {Week}: {Planned} updates planned, {Added} rows new", week, planned, added);
        return new WeeklyPlanResult(week, planned, added);
    }

    /// <summary>The latest check-in up to the end of the week and the one before it.</summary>
    private sealed class CheckPair
    {
        public CareRecord? Latest { get; set; }
        public CareRecord? Previous { get; set; }

        public void Offer(CareRecord r)
        {
            if (Latest is null || Later(r, Latest))
            {
                Previous = Latest;
                Latest = r;
            }
            else if (Previous is null || Later(r, Previous))
            {
                Previous = r;
            }
        }

        private static bool Later(CareRecord a, CareRecord b) =>
            a.LocalDate != b.LocalDate ? a.LocalDate > b.LocalDate : a.AtUtc != b.AtUtc ? a.AtUtc > b.AtUtc : a.Id > b.Id;
    }

    private (Dictionary<string, List<CareRecord>> Week, Dictionary<string, CheckPair> Checks) ReadRecords(
        HashSet<string> wanted, DateOnly weekStart, DateOnly weekEnd)
    {
        var week = new Dictionary<string, List<CareRecord>>(StringComparer.Ordinal);
        var checks = new Dictionary<string, CheckPair>(StringComparer.Ordinal);
        var complete = 0;

        // The week itself, then the check-in look-back one week at a time going back (LocalDate index ranges),
        // stopping early once every child has its latest two check-ins.
        var to = weekEnd;
        var from = weekStart;
        var limit = weekStart.AddDays(-CheckInLookbackDays);
        while (to >= limit && complete < wanted.Count)
        {
            var (lo, hi) = (from < limit ? limit : from, to);
            foreach (var r in DayByDay(lo, hi))
            {
                if (!wanted.Contains(r.ChildId))
                {
                    continue;
                }

                if (r.Kind == CareKind.Check)
                {
                    if (!checks.TryGetValue(r.ChildId, out var pair))
                    {
                        checks[r.ChildId] = pair = new CheckPair();
                    }

                    var had = pair.Previous is not null;
                    pair.Offer(r);
                    if (!had && pair.Previous is not null)
                    {
                        complete++;
                    }
                }
                else if (r.LocalDate >= weekStart && r.Kind is CareKind.Visit or CareKind.Talk or CareKind.Diary or CareKind.Activity)
                {
                    if (!week.TryGetValue(r.ChildId, out var list))
                    {
                        week[r.ChildId] = list = [];
                    }

                    // A private note (#私密, kept private, or held for a safeguarding word and not released by its
                    // carer) never reaches the parents: they read that the visit was made, without the note.
                    r.Text = r.Privacy == NotePrivacy.Shared ? PlanText.Compact(r.Text, NoteMax) : "";
                    list.Add(r);
                }
            }

            to = from.AddDays(-1);
            from = from.AddDays(-7);
        }

        return (week, checks);
    }

    /// <summary>The records of each day in turn, each day read in one turn on the database (chat goes between).</summary>
    private IEnumerable<CareRecord> DayByDay(DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var d = day;
            foreach (var r in _db.Read(tx => tx.Records.Find(r => r.LocalDate == d).ToList()))
            {
                yield return r;
            }
        }
    }

    private static string Render(
        string lang,
        Child child,
        DateOnly weekStart,
        DateOnly weekEnd,
        List<CareRecord>? records,
        CheckPair? check,
        IEnumerable<Pairing> carers,
        Dictionary<int, string> names)
    {
        var text = new StringBuilder();
        text.Append(Texts.Get(lang, "plan.weekly.title", PlanText.Compact(child.Name, NameMax), PlanText.Date(lang, weekStart), PlanText.Date(lang, weekEnd)));

        var any = false;
        foreach (var (kind, header) in new[] { (CareKind.Visit, "plan.weekly.visits"), (CareKind.Talk, "plan.weekly.talks"), (CareKind.Diary, "plan.weekly.diary") })
        {
            var items = records?.Where(r => r.Kind == kind).OrderBy(r => r.LocalDate).ThenBy(r => r.AtUtc).ToList();
            if (items is null || items.Count == 0)
            {
                continue;
            }

            any = true;
            text.Append('\n').Append(Texts.Get(lang, header));
            foreach (var r in items)
            {
                var author = PlanText.Compact(names.GetValueOrDefault(r.AuthorId, ""), NameMax);
                text.Append('\n').Append(r.Text.Length == 0
                    ? Texts.Get(lang, "plan.weekly.item.nonote", PlanText.Date(lang, r.LocalDate), PlanText.Day(lang, r.LocalDate), author)
                    : Texts.Get(lang, "plan.weekly.item", PlanText.Date(lang, r.LocalDate), PlanText.Day(lang, r.LocalDate), author, r.Text));
            }
        }

        any |= WeeklyActivities.Append(text, lang, records);
        if (!any)
        {
            text.Append('\n').Append(Texts.Get(lang, "plan.weekly.nothing"));
        }

        if (check?.Latest?.Ratings is { } latest)
        {
            var previous = check.Previous?.Ratings;
            var now = latest.ToArray();
            var before = previous?.ToArray();
            var cells = new object?[5];
            for (var i = 0; i < 5; i++)
            {
                cells[i] = before is null ? now[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{now[i]}{Arrow(now[i], before[i])}";
            }

            text.Append('\n').Append(Texts.Get(lang, "plan.weekly.check", PlanText.Date(lang, check.Latest.LocalDate)));
            text.Append('\n').Append(Texts.Get(lang, "plan.weekly.check.ratings", cells));
            if (before is null)
            {
                text.Append('\n').Append(Texts.Get(lang, "plan.weekly.check.first"));
            }
        }

        foreach (var role in new[] { PairingRole.Mentor, PairingRole.Volunteer })
        {
            var who = carers.Where(p => p.Role == role)
                .Select(p => names.GetValueOrDefault(p.CarerId))
                .OfType<string>()
                .Select(n => PlanText.Compact(n, NameMax))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (who.Count > 0)
            {
                text.Append('\n').Append(Texts.Get(lang, role == PairingRole.Mentor ? "plan.weekly.mentor" : "plan.weekly.volunteer", Texts.Join(lang, who)));
            }
        }

        text.Append('\n').Append(Texts.Get(lang, "plan.weekly.reply"));
        return text.ToString();
    }

    private static string Arrow(int now, int before) => now > before ? "↑" : now < before ? "↓" : "=";
}

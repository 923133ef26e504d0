using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Summary;

/// <summary>A care record of the term, without its text (the summary counts; it never reads notes, diary or message text).</summary>
internal sealed class TermRecord
{
    public long Id { get; set; }
    public long? GroupId { get; set; }
    public string ChildId { get; set; } = "";
    public int AuthorId { get; set; }
    public CareKind Kind { get; set; }
    public DateOnly LocalDate { get; set; }
    public DateTime AtUtc { get; set; }
    public Ratings? Ratings { get; set; }
    /// <summary>An activity's title (read for activities only; null for every other record).</summary>
    public string? Title { get; set; }
}

/// <summary>A group activity of the term: its records share <see cref="CareRecord.GroupId"/> (one per child).</summary>
internal sealed class TermActivity
{
    public long Key { get; set; }
    public DateOnly Date { get; set; }
    public string Title { get; set; } = "";
    public int AuthorId { get; set; }
    /// <summary>The children on the roster who took part.</summary>
    public List<string> Children { get; } = [];

    /// <summary>The activity a record belongs to: its group, or the record itself (a record saved without one).</summary>
    public static long KeyOf(long id, long? groupId) => groupId ?? id;
}

/// <summary>Counts per counted kind of record (<see cref="TermData.Kinds"/>), looked up by kind, never by position.</summary>
internal sealed class KindCounts
{
    private readonly int[] _counts = new int[TermData.Kinds.Length];

    /// <summary>The count of <paramref name="kind"/>; a kind the summary does not count is an error.</summary>
    public int this[CareKind kind] => _counts[TermData.IndexOf(kind)];

    public void Add(CareKind kind) => _counts[TermData.IndexOf(kind)]++;

    /// <summary>The counts in the order of <see cref="TermData.Kinds"/> (the tables' column order).</summary>
    public IEnumerable<int> InOrder() => _counts;
}

/// <summary>A parents' meeting of the term and its figures (who was invited, who answered what, whose family came).</summary>
internal sealed record TermMeeting(Meetings.MeetingTally Tally, DateOnly Date, string Title, IReadOnlyList<string> Classes, IReadOnlyList<string> Attended);

/// <summary>A weekly update's outbox row, without its text.</summary>
internal sealed class TermUpdate
{
    public int PersonId { get; set; }
    public string? ChildId { get; set; }
    public string? Week { get; set; }
    public OutboxStatus Status { get; set; }
}

/// <summary>
/// What the term summary needs, read once: each collection in one pass (children, people, pairings, the term's care
/// records through the date index, the weekly updates' outbox rows, the aid), inside one turn on the database, and
/// tallied in one pass over the records. No query per child: a county of 20,000 children is a few passes over arrays.
/// </summary>
internal sealed class TermData
{
    /// <summary>The kinds of care record the summary counts, in the order of the tables' columns.</summary>
    public static readonly CareKind[] Kinds = [CareKind.Visit, CareKind.Talk, CareKind.Call, CareKind.Diary, CareKind.Activity, CareKind.Check];

    /// <summary>The position of <paramref name="kind"/> in <see cref="Kinds"/>; throws for a kind not counted.</summary>
    public static int IndexOf(CareKind kind)
    {
        var i = Array.IndexOf(Kinds, kind);
        return i >= 0 ? i : throw new ArgumentOutOfRangeException(nameof(kind), kind, "The summary does not count this kind of record.");
    }

    private TermData(DateOnly from, DateOnly to, DateOnly today)
    {
        From = from;
        To = to;
        Today = today;
        for (var monday = CareClock.WeekStart(from); monday <= to; monday = monday.AddDays(7))
        {
            WeekStarts.Add(monday);
            Weeks.Add(CareClock.IsoWeek(monday));
        }
    }

    public DateOnly From { get; }
    public DateOnly To { get; }
    public DateOnly Today { get; }

    /// <summary>Weekly updates before this day have been pruned from the outbox (CareBot:OutboxKeepDays).</summary>
    public DateOnly OldestUpdate { get; set; }

    /// <summary>The ISO weeks the term touches ("2026-W10"), and their Mondays.</summary>
    public List<string> Weeks { get; } = [];
    public List<DateOnly> WeekStarts { get; } = [];

    /// <summary>Children on the roster by the end of the term, by 学号.</summary>
    public List<Child> Children { get; } = [];
    public Dictionary<int, Person> People { get; } = [];

    /// <summary>Pairings made by the end of the term, of those children.</summary>
    public List<Pairing> Pairings { get; } = [];

    /// <summary>Carer ids per child id (mentor first, then volunteer).</summary>
    public Dictionary<string, List<int>> CarersByChild { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts per child of each kind (<see cref="Kinds"/>); children without any are absent. A child's activities are
    /// the activities they took part in.
    /// </summary>
    public Dictionary<string, KindCounts> PerChild { get; } = new(StringComparer.Ordinal);

    /// <summary>The latest home visit of the term per child.</summary>
    public Dictionary<string, DateOnly> LastVisit { get; } = new(StringComparer.Ordinal);

    /// <summary>Counts per author (person id); an activity counts once, however many children took part.</summary>
    public Dictionary<int, KindCounts> PerAuthor { get; } = [];

    /// <summary>Counts per week index; an activity counts once.</summary>
    public KindCounts[] PerWeek { get; private set; } = [];

    /// <summary>Check-ins per child, in time order.</summary>
    public Dictionary<string, List<TermRecord>> Checks { get; } = new(StringComparer.Ordinal);

    /// <summary>The term's group activities with a child on the roster, by date.</summary>
    public List<TermActivity> Activities { get; } = [];

    /// <summary>Weekly updates of the term's weeks about children on the roster.</summary>
    public List<TermUpdate> Updates { get; } = [];

    /// <summary>Aid given in the term to children on the roster, by date.</summary>
    public List<AidEntry> Aid { get; } = [];

    /// <summary>The parents' meetings of the term at the schools summarised, by date.</summary>
    public List<TermMeeting> Meetings { get; } = [];

    /// <summary>
    /// Each child's phone calls of the term, answered or not (<see cref="CareKind.Call"/>, <see cref="CareKind.UnansweredCall"/>),
    /// in time order: for the families that could not be reached.
    /// </summary>
    public Dictionary<string, List<TermRecord>> CallAttempts { get; } = new(StringComparer.Ordinal);
    /// <summary>The concerns recorded in the term at the schools summarised, without their notes.</summary>
    public List<Concern> Concerns { get; } = [];

    /// <summary>The check-in flags raised in the term at the schools summarised.</summary>
    public List<SafeguardingFlag> Flags { get; } = [];

    /// <summary>The counts of a child (empty ones for a child with no record).</summary>
    public KindCounts Of(string childId) => PerChild.GetValueOrDefault(childId) ?? NoCounts;

    private static readonly KindCounts NoCounts = new();

    /// <summary>The week index of <paramref name="date"/> in <see cref="Weeks"/>.</summary>
    public int WeekOf(DateOnly date) => (CareClock.WeekStart(date).DayNumber - WeekStarts[0].DayNumber) / 7;

    /// <summary>
    /// Reads and tallies inside one turn on the database (<see cref="CareDb.Read{T}"/>): the roster, the care records,
    /// the weekly updates and the aid, each by a method of its own; what a further section needs (parents' meetings)
    /// is one more such method and property.
    /// </summary>
    public static TermData Read(CareTx tx, CareClock clock, DateOnly from, DateOnly to, IReadOnlyCollection<string>? schools = null)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(clock);
        var data = new TermData(from, to, clock.Today);
        var onRoster = data.ReadRoster(tx, clock.StartOfDayUtc(to.AddDays(1)), schools);
        data.ReadRecords(tx, onRoster);
        data.ReadActivityTitles(tx);
        data.ReadUpdates(tx, onRoster);
        data.ReadAid(tx, onRoster);
        data.ReadMeetings(tx, schools);
        data.ReadSafeguarding(tx, schools);
        return data;
    }

    /// <summary>Children, people and pairings as at the end of the term; returns the ids of the children on the roster.</summary>
    private HashSet<string> ReadRoster(CareTx tx, DateTime endUtc, IReadOnlyCollection<string>? schools)
    {
        foreach (var child in tx.Children.FindAll())
        {
            if (child.CreatedUtc < endUtc && SchoolDirectory.InScope(schools, child))
            {
                Children.Add(child);
            }
        }

        Children.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var onRoster = Children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var person in tx.People.FindAll())
        {
            People[person.Id] = person;
        }

        foreach (var pairing in tx.Pairings.FindAll().OrderBy(p => p.Role).ThenBy(p => p.Id))
        {
            if (pairing.CreatedUtc < endUtc && onRoster.Contains(pairing.ChildId))
            {
                Pairings.Add(pairing);
                if (!CarersByChild.TryGetValue(pairing.ChildId, out var carers))
                {
                    CarersByChild[pairing.ChildId] = carers = [];
                }

                if (!carers.Contains(pairing.CarerId))
                {
                    carers.Add(pairing.CarerId);
                }
            }
        }

        return onRoster;
    }

    /// <summary>The term's records through the date index, tallied in one pass (without their text).</summary>
    private void ReadRecords(CareTx tx, HashSet<string> onRoster)
    {
        var (from, to) = (From, To);
        PerWeek = Weeks.Select(_ => new KindCounts()).ToArray();
        var activities = new Dictionary<long, TermActivity>();
        var records = tx.Records.Select(
            r => r.LocalDate >= from && r.LocalDate <= to,
            r => new TermRecord { Id = r.Id, GroupId = r.GroupId, ChildId = r.ChildId, AuthorId = r.AuthorId, Kind = r.Kind, LocalDate = r.LocalDate, AtUtc = r.AtUtc, Ratings = r.Ratings });
        foreach (var r in records)
        {
            if (r.Kind is CareKind.Call or CareKind.UnansweredCall && onRoster.Contains(r.ChildId))
            {
                if (!CallAttempts.TryGetValue(r.ChildId, out var calls))
                {
                    CallAttempts[r.ChildId] = calls = [];
                }

                calls.Add(r);
            }

            if (!Kinds.Contains(r.Kind) || !onRoster.Contains(r.ChildId))
            {
                continue;
            }

            Count(PerChild, r.ChildId, r.Kind);
            if (r.Kind == CareKind.Activity)
            {
                // One activity, one record per child: the author and the week count it once.
                var key = TermActivity.KeyOf(r.Id, r.GroupId);
                if (!activities.TryGetValue(key, out var activity))
                {
                    activities[key] = activity = new TermActivity { Key = key, Date = r.LocalDate, AuthorId = r.AuthorId };
                    Count(PerAuthor, r.AuthorId, r.Kind);
                    PerWeek[WeekOf(r.LocalDate)].Add(r.Kind);
                }

                activity.Children.Add(r.ChildId);
                continue;
            }

            Count(PerAuthor, r.AuthorId, r.Kind);
            PerWeek[WeekOf(r.LocalDate)].Add(r.Kind);
            if (r.Kind == CareKind.Visit && (!LastVisit.TryGetValue(r.ChildId, out var last) || r.LocalDate > last))
            {
                LastVisit[r.ChildId] = r.LocalDate;
            }

            if (r.Kind == CareKind.Check && r.Ratings is not null)
            {
                if (!Checks.TryGetValue(r.ChildId, out var checks))
                {
                    Checks[r.ChildId] = checks = [];
                }

                checks.Add(r);
            }
        }

        foreach (var checks in Checks.Values.Concat(CallAttempts.Values))
        {
            checks.Sort((a, b) => a.LocalDate != b.LocalDate ? a.LocalDate.CompareTo(b.LocalDate) : a.AtUtc.CompareTo(b.AtUtc));
        }

        Activities.AddRange(activities.Values.OrderBy(a => a.Date).ThenBy(a => a.Key));
    }

    /// <summary>
    /// The activities' titles: the text of their records, read for activities only (the summary reads no note, diary
    /// or message text).
    /// </summary>
    private void ReadActivityTitles(CareTx tx)
    {
        if (Activities.Count == 0)
        {
            return;
        }

        var (from, to) = (From, To);
        var byKey = Activities.ToDictionary(a => a.Key);
        var titles = tx.Records.Select(
            r => r.LocalDate >= from && r.LocalDate <= to && r.Kind == CareKind.Activity,
            r => new TermRecord { Id = r.Id, GroupId = r.GroupId, Title = r.Text });
        foreach (var t in titles)
        {
            if (byKey.TryGetValue(TermActivity.KeyOf(t.Id, t.GroupId), out var activity) && activity.Title.Length == 0 && t.Title is not null)
            {
                activity.Title = t.Title;
            }
        }
    }

    private void ReadUpdates(CareTx tx, HashSet<string> onRoster)
    {
        var weeks = Weeks.ToHashSet(StringComparer.Ordinal);
        var updates = tx.Outbox.Select(
            o => o.Kind == OutboxKind.WeeklyUpdate,
            o => new TermUpdate { PersonId = o.PersonId, ChildId = o.ChildId, Week = o.Week, Status = o.Status });
        foreach (var u in updates)
        {
            if (u.Week is not null && weeks.Contains(u.Week) && u.ChildId is not null && onRoster.Contains(u.ChildId))
            {
                Updates.Add(u);
            }
        }
    }

    private void ReadAid(CareTx tx, HashSet<string> onRoster)
    {
        var (from, to) = (From, To);
        Aid.AddRange(tx.Aid.Find(a => a.Date >= from && a.Date <= to).Where(a => onRoster.Contains(a.ChildId)).OrderBy(a => a.Date).ThenBy(a => a.Id));
    }

    private void ReadMeetings(CareTx tx, IReadOnlyCollection<string>? schools)
    {
        var (from, to) = (From, To);
        foreach (var m in tx.Meetings.Find(m => m.Date >= from && m.Date <= to).Where(m => SchoolDirectory.InScope(schools, m.SchoolId)).OrderBy(m => m.Date).ThenBy(m => m.Id))
        {
            Meetings.Add(new TermMeeting(CareBot.Core.Meetings.MeetingView.Tally(tx, m), m.Date, m.Title, m.Classes, [.. m.Attended.Where(m.ChildIds.Contains)]));
        }
    }

    /// <summary>Concerns (never their notes) and flags of the term, by the local date they were raised.</summary>
    private void ReadSafeguarding(CareTx tx, IReadOnlyCollection<string>? schools)
    {
        var (from, to) = (From, To);
        Concerns.AddRange(tx.Concerns.Select(
                c => c.LocalDate >= from && c.LocalDate <= to,
                c => new Concern { Id = c.Id, ChildId = c.ChildId, SchoolId = c.SchoolId, Type = c.Type, RecordedUtc = c.RecordedUtc, LocalDate = c.LocalDate, AcknowledgedUtc = c.AcknowledgedUtc, ReportedUtc = c.ReportedUtc, ClosedUtc = c.ClosedUtc })
            .Where(c => SchoolDirectory.InScope(schools, c.SchoolId))
            .OrderBy(c => c.Id));
        Flags.AddRange(tx.Flags.Find(f => f.RaisedDate >= from && f.RaisedDate <= to).Where(f => SchoolDirectory.InScope(schools, f.SchoolId)).OrderBy(f => f.Id));
    }

    private static void Count<TKey>(Dictionary<TKey, KindCounts> tally, TKey key, CareKind kind)
        where TKey : notnull
    {
        if (!tally.TryGetValue(key, out var counts))
        {
            tally[key] = counts = new KindCounts();
        }

        counts.Add(kind);
    }
}

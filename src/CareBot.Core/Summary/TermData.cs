using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Summary;

/// <summary>A care record of the term, without its text (the summary counts; it never reads notes or diary text).</summary>
internal sealed class TermRecord
{
    public string ChildId { get; set; } = "";
    public int AuthorId { get; set; }
    public CareKind Kind { get; set; }
    public DateOnly LocalDate { get; set; }
    public DateTime AtUtc { get; set; }
    public Ratings? Ratings { get; set; }
}

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
/// records through the date index, the weekly updates' outbox rows), inside one turn on the database, and tallied in
/// one pass over the records. No query per child: a county of 20,000 children is a few passes over arrays.
/// </summary>
internal sealed class TermData
{
    /// <summary>Index of each counted kind in the per-child, per-author and per-week tallies.</summary>
    public static readonly CareKind[] Kinds = [CareKind.Visit, CareKind.Talk, CareKind.Diary, CareKind.Check];

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

    /// <summary>Visit, talk, diary and check-in counts per child (see <see cref="Kinds"/>); children without any are absent.</summary>
    public Dictionary<string, int[]> PerChild { get; } = new(StringComparer.Ordinal);

    /// <summary>The latest home visit of the term per child.</summary>
    public Dictionary<string, DateOnly> LastVisit { get; } = new(StringComparer.Ordinal);

    /// <summary>Counts per author (person id).</summary>
    public Dictionary<int, int[]> PerAuthor { get; } = [];

    /// <summary>Counts per week index.</summary>
    public int[][] PerWeek { get; private set; } = [];

    /// <summary>Check-ins per child, in time order.</summary>
    public Dictionary<string, List<TermRecord>> Checks { get; } = new(StringComparer.Ordinal);

    /// <summary>Weekly updates of the term's weeks about children on the roster.</summary>
    public List<TermUpdate> Updates { get; } = [];

    /// <summary>The week index of <paramref name="date"/> in <see cref="Weeks"/>.</summary>
    public int WeekOf(DateOnly date) => (CareClock.WeekStart(date).DayNumber - WeekStarts[0].DayNumber) / 7;

    /// <summary>Reads and tallies inside one turn on the database (<see cref="CareDb.Read{T}"/>).</summary>
    public static TermData Read(CareTx tx, CareClock clock, DateOnly from, DateOnly to, IReadOnlyCollection<string>? schools = null)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(clock);
        var data = new TermData(from, to, clock.Today);
        var endUtc = clock.StartOfDayUtc(to.AddDays(1));

        foreach (var child in tx.Children.FindAll())
        {
            if (child.CreatedUtc < endUtc && SchoolDirectory.InScope(schools, child))
            {
                data.Children.Add(child);
            }
        }

        data.Children.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var onRoster = data.Children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var person in tx.People.FindAll())
        {
            data.People[person.Id] = person;
        }

        foreach (var pairing in tx.Pairings.FindAll().OrderBy(p => p.Role).ThenBy(p => p.Id))
        {
            if (pairing.CreatedUtc < endUtc && onRoster.Contains(pairing.ChildId))
            {
                data.Pairings.Add(pairing);
                if (!data.CarersByChild.TryGetValue(pairing.ChildId, out var carers))
                {
                    data.CarersByChild[pairing.ChildId] = carers = [];
                }

                if (!carers.Contains(pairing.CarerId))
                {
                    carers.Add(pairing.CarerId);
                }
            }
        }

        data.PerWeek = data.Weeks.Select(_ => new int[Kinds.Length]).ToArray();
        var records = tx.Records.Query()
            .Where(r => r.LocalDate >= from && r.LocalDate <= to)
            .Select(r => new TermRecord { ChildId = r.ChildId, AuthorId = r.AuthorId, Kind = r.Kind, LocalDate = r.LocalDate, AtUtc = r.AtUtc, Ratings = r.Ratings })
            .ToEnumerable();
        foreach (var r in records)
        {
            var kind = Array.IndexOf(Kinds, r.Kind);
            if (kind < 0 || !onRoster.Contains(r.ChildId))
            {
                continue;
            }

            Count(data.PerChild, r.ChildId, kind);
            Count(data.PerAuthor, r.AuthorId, kind);
            data.PerWeek[data.WeekOf(r.LocalDate)][kind]++;
            if (r.Kind == CareKind.Visit && (!data.LastVisit.TryGetValue(r.ChildId, out var last) || r.LocalDate > last))
            {
                data.LastVisit[r.ChildId] = r.LocalDate;
            }

            if (r.Kind == CareKind.Check && r.Ratings is not null)
            {
                if (!data.Checks.TryGetValue(r.ChildId, out var checks))
                {
                    data.Checks[r.ChildId] = checks = [];
                }

                checks.Add(r);
            }
        }

        foreach (var checks in data.Checks.Values)
        {
            checks.Sort((a, b) => a.LocalDate != b.LocalDate ? a.LocalDate.CompareTo(b.LocalDate) : a.AtUtc.CompareTo(b.AtUtc));
        }

        var weeks = data.Weeks.ToHashSet(StringComparer.Ordinal);
        var updates = tx.Outbox.Query()
            .Where(o => o.Kind == OutboxKind.WeeklyUpdate)
            .Select(o => new TermUpdate { PersonId = o.PersonId, ChildId = o.ChildId, Week = o.Week, Status = o.Status })
            .ToEnumerable();
        foreach (var u in updates)
        {
            if (u.Week is not null && weeks.Contains(u.Week) && u.ChildId is not null && onRoster.Contains(u.ChildId))
            {
                data.Updates.Add(u);
            }
        }

        return data;
    }

    private static void Count<TKey>(Dictionary<TKey, int[]> tally, TKey key, int kind)
        where TKey : notnull
    {
        if (!tally.TryGetValue(key, out var counts))
        {
            tally[key] = counts = new int[Kinds.Length];
        }

        counts[kind]++;
    }
}

using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Summary;

/// <summary>One section of the term summary, computed from the term's data (read once for all sections).</summary>
internal interface ISummarySection
{
    SummarySection Build(TermData data, SummaryText text);
}

/// <summary>The texts of a summary in one language, and the formatting every section shares.</summary>
internal sealed class SummaryText(string language)
{
    public string Language { get; } = language;

    public string T(string key, params object?[] args) => Texts.Get(Language, key, args);

    /// <summary>A child's class, or "(no class)" for a roster that leaves it empty.</summary>
    public string Class(string? value) => string.IsNullOrWhiteSpace(value) ? T("sum.no_class") : value;

    /// <summary>A kind of record as a column header ("家访").</summary>
    public string Kind(CareKind kind) => T("sum.kind." + Key(kind));

    /// <summary>A kind of record in a text key: "visit", "call", "activity".</summary>
    public static string Key(CareKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>One column per counted kind of record (<see cref="TermData.Kinds"/>).</summary>
    public List<SummaryColumn> KindColumns(IEnumerable<CareKind>? kinds = null) =>
        [.. (kinds ?? TermData.Kinds).Select(k => new SummaryColumn(Kind(k), SummaryCellKind.Count))];

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A short date for chart axes: 3/2 (month/day).</summary>
    public static string Short(DateOnly date) => date.ToString("M/d", CultureInfo.InvariantCulture);

    public string Percent(int part, int whole) => whole == 0 ? "" : T("sum.percent", Math.Round(100.0 * part / whole, MidpointRounding.AwayFromZero));

    /// <summary>A list as the summary's language writes it ("小明、小红").</summary>
    public string Join(IEnumerable<string> items) => Texts.Join(Language, items);

    /// <summary>Names of the given people, joined ("王老师、李阿姨").</summary>
    public string Names(IEnumerable<int> ids, TermData data) =>
        Join(ids.Select(id => data.People.TryGetValue(id, out var p) ? p.Name : "#" + id.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// <c>carebot summary</c>: the term's work summary (工作总结) from the records the model keeps. Reads the database in
/// one turn (see <see cref="TermData"/>), then each section computes its figures, charts and tables in memory.
/// Further sections are added to <see cref="Sections"/>.
/// </summary>
public sealed class TermSummaryBuilder(CareDb db, CareClock clock)
{
    /// <summary>The longest period one summary covers: a school year.</summary>
    public const int MaxDays = 366;

    private static readonly ISummarySection[] Sections =
    [
        new OverviewSection(),
        new PairingSection(),
        new RecordsSection(),
        new ActivitiesSection(),
        new CheckInSection(),
        new WeeklySection(),
        new UpdatesSection(),
        new MeetingsSection(),
        new UnreachedSection(),
        new AidSection(),
        new SafeguardingSection(),
    ];

    /// <param name="from">First day (local), inclusive.</param>
    /// <param name="to">Last day (local), inclusive; at most <see cref="MaxDays"/> days after <paramref name="from"/>.</param>
    /// <param name="language">"zh" or "en".</param>
    /// <param name="outboxKeepDays">CareBot:OutboxKeepDays: weekly updates older than this are no longer in the outbox.</param>
    public TermSummary Build(DateOnly from, DateOnly to, string language, int outboxKeepDays, IReadOnlyCollection<string>? schools = null)
    {
        if (to < from || to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(to), "The period must run forwards and be at most a year.");
        }

        var text = new SummaryText(Texts.ParseLanguage(language) ?? Texts.Chinese);
        var data = db.Read(tx => TermData.Read(tx, clock, from, to, schools));
        data.OldestUpdate = clock.Today.AddDays(-outboxKeepDays);
        var sections = Sections.Select(s => s.Build(data, text)).ToList();
        var generated = clock.LocalNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return new TermSummary(
            from,
            to,
            text.Language,
            text.T("sum.title"),
            text.T("sum.subtitle", SummaryText.Date(from), SummaryText.Date(to), data.Weeks.Count, generated),
            sections);
    }
}

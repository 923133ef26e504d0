using System.Text.RegularExpressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;
using CareBot.Storage.Postgres;
using CareBot.Tests.Shared;
using CareBot.Worker.Demo;
using CareBot.Worker.Tests.Cli;

namespace CareBot.Worker.Tests.Storage;

/// <summary>
/// Issue 21's round trip: a school's week on LiteDB (the demo: roster, invites, visits, a flag, a concern, a parents'
/// meeting with answers and attendance, weekly updates) plus aid, then <c>carebot migrate</c> into an empty
/// PostgreSQL database; the same report, term summary and <c>meeting show</c> then come out of PostgreSQL, and every
/// collection, the poll offset and the outbox's statuses are there as they were.
/// </summary>
public sealed partial class MigrateRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-migrate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_week_on_LiteDB_migrated_gives_the_same_report_summary_and_meeting_on_PostgreSQL()
    {
        var file = Path.Combine(_dir, "school.db");
        Assert.Equal(0, await new DemoRunner("zh", TextWriter.Null, null, file).RunAsync(CancellationToken.None));
        var lite = new Dictionary<string, string?> { ["Storage:DatabasePath"] = file };
        string childId;
        using (var db = new LiteCareDb(file))
        {
            childId = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id, StringComparer.Ordinal).First().Id);
        }

        var aid = await CliRun.RunAsync(lite, "aid", "add", "--child", childId, "--kind", "助学金", "--amount", "1234.56", "--date", "2026-11-20");
        Assert.True(aid.Code == 0, aid.Err);

        var before = await Views(lite, "lite");
        Assert.True(before.Report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 8, before.Report); // a line per child
        Assert.Contains("#1", before.Meeting, StringComparison.Ordinal);
        Assert.Contains("2026", before.Summary, StringComparison.Ordinal);
        var counts = Counts(new LiteCareDb(file));
        Assert.True(counts["outbox"] > 0 && counts["meetings"] == 1 && counts["concerns"] >= 1 && counts["aid"] == 1, string.Join(", ", counts));

        var connection = PgServer.CreateDatabase(); // empty: migrate makes the schema
        var pg = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSQL",
            ["Storage:ConnectionString"] = connection,
            ["Storage:DatabasePath"] = Path.Combine(_dir, "absent", "none.db"), // never read on PostgreSQL
        };
        var migrate = await CliRun.RunAsync(pg, "migrate", "--from", file);
        Assert.True(migrate.Code == 0, migrate.Err);
        Assert.Contains("children", migrate.Out, StringComparison.Ordinal);

        counts["audit"]++; // migrate's own entry
        Assert.Equal(counts, Counts(new PgCareDb(connection)));
        using (var from = new LiteCareDb(file))
        using (var to = new PgCareDb(connection))
        {
            Assert.Equal(Offset(from), Offset(to));
            Assert.True(Offset(to) > 0);
            Assert.Equal(Statuses(from), Statuses(to));
            Assert.Equal(from.Read(tx => tx.Aid.FindAll().Single().Amount), to.Read(tx => tx.Aid.FindAll().Single().Amount));
            Assert.Equal(
                from.Read(tx => tx.Invites.FindAll().Select(i => i.CodeHash).Order(StringComparer.Ordinal).ToList()),
                to.Read(tx => tx.Invites.FindAll().Select(i => i.CodeHash).Order(StringComparer.Ordinal).ToList()));
        }

        var after = await Views(pg, "pg");
        Assert.Equal(before.Report, after.Report);
        Assert.Equal(before.Meeting, after.Meeting);
        Assert.Equal(before.Summary, after.Summary);

        // A new document after the copy gets a key of its own (the ids copied in never come again).
        var second = await CliRun.RunAsync(pg, "aid", "add", "--child", childId, "--kind", "助学金", "--amount", "10", "--date", "2026-11-21");
        Assert.True(second.Code == 0, second.Err);
        using (var to = new PgCareDb(connection))
        {
            Assert.Equal(2, to.Read(tx => tx.Aid.FindAll().Select(a => a.Id).Distinct().Count()));
        }
    }

    [Fact]
    public async Task Migrate_refuses_a_database_that_is_not_empty_and_changes_nothing()
    {
        var file = Path.Combine(_dir, "small.db");
        using (var db = new LiteCareDb(file))
        {
            db.Write(tx => tx.Children.Insert(new Child { Id = "default/1", StudentNo = "1", Name = "小明", SchoolId = "default" }));
        }

        var connection = PgServer.CreateDatabase();
        using (var existing = new PgCareDb(connection))
        {
            existing.Write(tx => tx.Children.Insert(new Child { Id = "default/9", StudentNo = "9", Name = "小华", SchoolId = "default" }));
        }

        var pg = new Dictionary<string, string?> { ["Storage:Provider"] = "PostgreSQL", ["Storage:ConnectionString"] = connection };
        var refused = await CliRun.RunAsync(pg, "migrate", "--from", file, "--lang", "en");
        Assert.Equal(2, refused.Code);
        Assert.Contains("not empty", refused.Err, StringComparison.Ordinal);
        Assert.Single(refused.Err.Trim().Split('\n'));
        using var after = new PgCareDb(connection);
        Assert.Equal("小华", Assert.Single(after.Read(tx => tx.Children.FindAll().ToList())).Name);

        var lite = await CliRun.RunAsync(new Dictionary<string, string?> { ["Storage:DatabasePath"] = Path.Combine(_dir, "x.db") }, "migrate", "--from", file, "--lang", "en");
        Assert.Equal(2, lite.Code);
        Assert.Contains("Storage:Provider", lite.Err, StringComparison.Ordinal);
    }

    private async Task<(string Report, string Meeting, string Summary)> Views(Dictionary<string, string?> settings, string name)
    {
        var report = await CliRun.RunAsync(settings, "report", "--csv");
        Assert.True(report.Code == 0, report.Err);
        var meeting = await CliRun.RunAsync(settings, "meeting", "show", "1");
        Assert.True(meeting.Code == 0, meeting.Err);
        var html = Path.Combine(_dir, name + ".html");
        var summary = await CliRun.RunAsync(settings, "summary", "--from", "2026-09-01", "--to", "2027-08-31", "--out", html);
        Assert.True(summary.Code == 0, summary.Err);

        // The page says when it was made; everything else must be the same.
        return (report.Out, meeting.Out, Stamp().Replace(await File.ReadAllTextAsync(html), "(time)"));
    }

    private static SortedDictionary<string, int> Counts(CareDb db)
    {
        using (db)
        {
            return db.Read(StorageCopy.Count);
        }
    }

    private static long Offset(CareDb db) => db.Read(tx => tx.State.FindById(CareBot.Worker.Telegram.TelegramPoller.Channel.OffsetKey)?.Value ?? 0);

    private static List<string> Statuses(CareDb db) =>
        db.Read(tx => tx.Outbox.FindAll().Select(o => $"{o.Key}={o.Status}").Order(StringComparer.Ordinal).ToList());

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")]
    private static partial Regex Stamp();
}

/// <summary><c>carebot backup FILE</c> from PostgreSQL writes a LiteDB file with every document: a way back to one file.</summary>
public sealed class PostgresBackupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-pgbackup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Backup_from_PostgreSQL_is_a_LiteDB_file_with_the_same_documents()
    {
        var connection = TestStores.NewPostgresDatabase();
        using (var db = new PgCareDb(connection))
        {
            db.Write(tx =>
            {
                tx.Children.Insert(new Child { Id = "default/S1", StudentNo = "S1", Name = "小明", SchoolId = "default" });
                tx.People.Insert(new Person { Name = "王老师", Phone = "13800000001", Roles = Roles.Mentor });
                tx.Aid.Insert(new AidEntry { ChildId = "default/S1", Kind = "助学金", Amount = 99.99m, Date = new DateOnly(2026, 11, 20) });
            });
        }

        var file = Path.Combine(_dir, "copy.db");
        var settings = new Dictionary<string, string?> { ["Storage:Provider"] = "PostgreSQL", ["Storage:ConnectionString"] = connection };
        var (code, _, err) = await CliRun.RunAsync(settings, "backup", file);
        Assert.True(code == 0, err);

        using var copy = new LiteCareDb(file);
        using var source = new PgCareDb(connection);
        Assert.Equal(source.Read(StorageCopy.Count), copy.Read(StorageCopy.Count));
        Assert.Equal(99.99m, copy.Read(tx => tx.Aid.FindAll().Single().Amount));
        Assert.Equal("小明", copy.Read(tx => tx.Children.FindById("DEFAULT/s1")).Name);
    }
}

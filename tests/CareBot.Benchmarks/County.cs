using CareBot.Worker.Telegram;
using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Benchmarks;

/// <summary>
/// A synthetic county: N children, 1.5 parents each (linked, reachable), a mentor per 3 children, and months of care
/// records (a visit a fortnight, a talk a week, a diary entry every four weeks, a check-in a fortnight).
/// </summary>
public static class County
{
    /// <summary>"Today" of the synthetic county: a Sunday (the weekly update day).</summary>
    public static readonly DateOnly Today = new(2026, 11, 22);

    public const long MentorChatBase = 6_000_000_000;
    public const long ParentChatBase = 7_000_000_000;
    private const string Note = "今天到家里看了看，孩子作业完成得不错，奶奶身体还好，下周再来。";

    public static int MentorCount(int children) => (children + 2) / 3;

    public static long MentorChat(int mentorId) => MentorChatBase + mentorId;

    /// <summary>The seeded database file for this size, built once and cached under <paramref name="root"/>.</summary>
    public static string Cached(string root, int children, int months, TextWriter log)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, $"county-{children}-m{months}.db");
        if (File.Exists(path) && File.Exists(path + ".done"))
        {
            // A county cached by an older CareBot is upgraded once, here, not in every copy a benchmark opens (the
            // schools upgrade re-keys every record: minutes on a big file, which the start-up figure would include).
            var upgrade = Stopwatch.StartNew();
            using (new LiteCareDb(path))
            {
            }

            log.WriteLine($"county {children} children / {months} months: cached at {path} (opened and brought to the current schema in {upgrade.Elapsed.TotalSeconds:F1} s)");
            return path;
        }

        foreach (var f in new[] { path, Path.ChangeExtension(path, null) + "-log.db" })
        {
            File.Delete(f);
        }

        var sw = Stopwatch.StartNew();
        long records;
        using (var db = new LiteCareDb(path))
        {
            records = Seed(db, children, months);
        }

        File.WriteAllText(path + ".done", records.ToString(System.Globalization.CultureInfo.InvariantCulture));
        log.WriteLine($"county {children} children / {months} months: seeded {records:N0} records in {sw.Elapsed.TotalSeconds:F1} s ({new FileInfo(path).Length / 1048576.0:F0} MB) at {path}");
        return path;
    }

    /// <summary>A private copy of the cached county to run against (runs write outbox rows).</summary>
    public static string WorkCopy(string cached, string name)
    {
        var work = Path.Combine(Path.GetDirectoryName(cached)!, name);
        File.Delete(work);
        File.Delete(Path.ChangeExtension(work, null) + "-log.db");
        File.Copy(cached, work);
        return work;
    }

    public static long Seed(CareDb db, int children, int months)
    {
        ArgumentNullException.ThrowIfNull(db);
        var created = new DateTime(2025, 9, 1, 0, 0, 0, DateTimeKind.Utc);
        var mentors = MentorCount(children);
        var people = new List<Person>(mentors + children * 2);
        for (var m = 1; m <= mentors; m++)
        {
            people.Add(new Person
            {
                Id = m, Name = $"老师{m}", Phone = $"13{m:D9}", Roles = Roles.Mentor, Language = "zh",
                Chat = TelegramChat.Address(MentorChat(m)), Status = Reachability.Reachable, CreatedUtc = created, UpdatedUtc = created,
            });
        }

        var nextId = mentors + 1;
        var kids = new List<Child>(children);
        var pairings = new List<Pairing>(children);
        for (var i = 0; i < children; i++)
        {
            var links = new List<ParentLink>(2);
            var count = i % 2 == 0 ? 2 : 1;
            for (var k = 0; k < count; k++)
            {
                var id = nextId++;
                people.Add(new Person
                {
                    Id = id, Name = k == 0 ? $"父亲{i}" : $"母亲{i}", Phone = $"15{id:D9}", Roles = Roles.Parent,
                    Language = i % 10 == 0 ? "en" : "zh", Chat = TelegramChat.Address(ParentChatBase + id), Status = Reachability.Reachable,
                    WorkCity = "东莞", CreatedUtc = created, UpdatedUtc = created,
                });
                links.Add(new ParentLink { PersonId = id, Relation = k == 0 ? ParentRelation.Father : ParentRelation.Mother });
            }

            var childId = $"S{i:D7}";
            kids.Add(new Child
            {
                Id = childId, Name = $"孩子{i}", Gender = i % 2 == 0 ? "男" : "女", Class = $"{1 + (i % 6)}年级{1 + (i % 4)}班",
                GuardianName = "李奶奶", GuardianRelation = "祖母", GuardianPhone = "13900000000", Parents = links,
                CreatedUtc = created, UpdatedUtc = created,
            });
            pairings.Add(new Pairing { CarerId = 1 + (i / 3), ChildId = childId, Role = PairingRole.Mentor, CreatedUtc = created });
        }

        db.Write(tx => tx.People.InsertBulk(people, 20_000));
        db.Write(tx => tx.Children.InsertBulk(kids, 20_000));
        db.Write(tx => tx.Pairings.InsertBulk(pairings, 20_000));

        var first = Today.AddDays(-(months * 30) + 1);
        var batch = new List<CareRecord>(50_000);
        long total = 0;
        for (var day = first; day <= Today; day = day.AddDays(1))
        {
            var d = day.DayNumber;
            var at = new DateTime(day, new TimeOnly(9, 0), DateTimeKind.Utc);
            for (var i = 0; i < children; i++)
            {
                var phase = (d + i) % 28;
                CareKind? kind = (phase % 14) switch
                {
                    0 => CareKind.Visit,
                    5 => CareKind.Check,
                    _ => null,
                };
                var author = 1 + (i / 3);
                var childId = $"S{i:D7}";
                if (kind is { } k)
                {
                    batch.Add(new CareRecord
                    {
                        ChildId = childId, AuthorId = author, Kind = k, LocalDate = day, AtUtc = at,
                        Text = k == CareKind.Visit ? Note : "",
                        Ratings = k == CareKind.Check ? new Ratings { Study = 1 + (d + i) % 5, Life = 3, Mood = 1 + (d / 7 + i) % 5, Safety = 5, Health = 4 } : null,
                    });
                }

                if (phase % 7 == 3)
                {
                    batch.Add(new CareRecord { ChildId = childId, AuthorId = author, Kind = CareKind.Talk, LocalDate = day, AtUtc = at, Text = "聊了聊学习" });
                }

                if (phase == 10)
                {
                    batch.Add(new CareRecord { ChildId = childId, AuthorId = author, Kind = CareKind.Diary, LocalDate = day, AtUtc = at, Text = "这周数学考了九十分，很开心。" });
                }

                if (batch.Count >= 50_000)
                {
                    total += Flush(db, batch);
                }
            }
        }

        total += Flush(db, batch);
        db.Checkpoint();
        return total;
    }

    private static int Flush(CareDb db, List<CareRecord> batch)
    {
        var n = batch.Count;
        if (n > 0)
        {
            db.Write(tx => tx.Records.InsertBulk(batch, n));
            batch.Clear();
        }

        return n;
    }
}

using System.Text;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Protection;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Storage.PowerCut;

/// <summary>
/// A scripted school day on a database over a <see cref="SimulatedDisk"/>: an import, linking, three getUpdates
/// batches of mentors' visits and diary entries (one sync per batch), deliveries marked sent, a weekly planning run in
/// slices, a forget, a second import and a last batch. Every confirmation the product would give (a reply or offset
/// after a batch's sync, an admin verb's success, a planner run's end) is recorded with the number of disk operations
/// done by then, and with a check that must hold on any database recovered from a cut after that point.
/// </summary>
internal sealed class PowerCutWorkload
{
    public const string DbPath = "/sim/data/carebot.db";

    private const string ForgottenNo = "20240002";
    private const string ForgottenChild = "default/20240002";

    private readonly List<(int AfterOps, string What, Action<CareTx> Check)> _confirmed = [];
    private readonly List<(int FetchedAtOps, IncomingMessage Message, string ChildId)> _updates = [];
    private long _nextUpdate = 500;

    public PowerCutWorkload(string? password) => Password = password;

    public string? Password { get; }

    /// <summary>Monday 2026-11-23 10:00 in Asia/Shanghai, a fixed moment.</summary>
    public static FakeTimeProvider NewTime() => new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));

    public static DateOnly Today => new(2026, 11, 23);

    public IReadOnlyList<(int AfterOps, string What, Action<CareTx> Check)> Confirmed => _confirmed;

    /// <summary>The weekly keys the planning run made; empty before the run.</summary>
    public HashSet<string> WeeklyKeys { get; } = new(StringComparer.Ordinal);

    public int PlannerStartedAtOps { get; private set; } = int.MaxValue;

    /// <summary>Runs the day on <paramref name="disk"/>; the database is closed cleanly at the end.</summary>
    public void Run(SimulatedDisk disk)
    {
        var time = NewTime();
        using var db = new CareDb(DbPath, Password, disk);
        var (processor, outbox) = Core(db, time);

        Import(db, disk, time, RosterCsv(6, skip: null), "import 1", 6);
        var linked = Link(db);
        Confirm(disk, "linked", d => AssertTrue(linked.All(id => d.People.FindById(id) is not { ChatId: null }), "a confirmed link is missing"));

        var mentors = db.Read(tx => tx.People.FindAll().Where(p => p.Has(Roles.Mentor)).ToList());
        for (var batch = 0; batch < 3; batch++)
        {
            Batch(db, disk, processor, mentors, batch);
            MarkRepliesSent(outbox);
        }

        PlannerStartedAtOps = disk.Ops.Count;
        var planned = new WeeklyUpdatePlanner(db, outbox) { BatchSize = 2 }.Plan(Today);
        var keys = db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.WeeklyUpdate).Select(o => o.Key).ToList());
        WeeklyKeys.UnionWith(keys);
        if (planned.Planned == 0 || keys.Count != planned.Planned)
        {
            throw new InvalidOperationException($"the script expects weekly updates ({planned.Planned} planned, {keys.Count} rows)");
        }

        Confirm(disk, "weekly plan", d => AssertTrue(keys.All(k => d.Outbox.Exists(o => o.Key == k) || k.Contains($":{ForgottenChild}:", StringComparison.Ordinal)), "a weekly update planned and confirmed is missing"));

        _ = new ForgetService(db, time).Forget(ForgottenChild, "test") ?? throw new InvalidOperationException("no child to forget");
        Confirm(disk, "forget", d =>
        {
            AssertTrue(d.Children.FindById(ForgottenChild) is null, "a forgotten child came back");
            AssertTrue(!d.Records.Exists(r => r.ChildId == ForgottenChild), "a forgotten child's records came back");
            AssertTrue(!d.Outbox.Exists(o => o.ChildId == ForgottenChild), "a forgotten child's messages came back");
        });

        Import(db, disk, time, RosterCsv(7, skip: ForgottenNo), "import 2", 7);
        Batch(db, disk, processor, mentors, 3);
    }

    /// <summary>The chat updates fetched from Telegram before <paramref name="cut"/> operations (to redeliver).</summary>
    public IEnumerable<(IncomingMessage Message, string ChildId)> FetchedBefore(int cut) => _updates.Where(u => u.FetchedAtOps < cut).Select(u => (u.Message, u.ChildId));

    public static (UpdateProcessor Processor, OutboxStore Outbox) Core(CareDb db, TimeProvider time)
    {
        var outbox = new OutboxStore(db, time);
        var clock = new CareClock(time, "Asia/Shanghai");
        var handler = new ChatHandler(db, clock, outbox, new InviteService(db, time), new CareOptions());
        return (new UpdateProcessor(db, handler, outbox, time, NullLogger<UpdateProcessor>.Instance), outbox);
    }

    /// <summary>The unique note of an update's visit or diary entry (so "stored once" can be counted).</summary>
    public static string Token(long updateId) => $"U{updateId}U";

    private void Batch(CareDb db, SimulatedDisk disk, UpdateProcessor processor, List<Person> mentors, int batch)
    {
        var fetchedAt = disk.Ops.Count;
        var ids = new List<(long Id, string ChildId)>();
        foreach (var mentor in mentors)
        {
            var children = db.Read(tx => tx.Pairings.Find(p => p.CarerId == mentor.Id).Select(p => tx.Children.FindById(p.ChildId)).Where(c => c is not null).ToList());
            foreach (var child in children.Take(2))
            {
                var id = ++_nextUpdate;
                var command = batch % 2 == 0 ? "/visit" : "/diary";
                var message = new IncomingMessage(id, mentor.ChatId!.Value, ChatKind.Private, IncomingKind.Text, $"{command} {child!.Name} 第{batch}次 {Token(id)}");
                _updates.Add((fetchedAt, message, child.Id));
                processor.Process(message);
                ids.Add((id, child.Id));
            }
        }

        // The poller's group commit: one sync, then the replies, the button answers and the next offset go out.
        db.Sync();
        var last = ids.Max(i => i.Id);
        Confirm(disk, $"batch {batch}", d =>
        {
            foreach (var (id, childId) in ids)
            {
                AssertTrue(d.Updates.FindById(id) is not null, $"confirmed update {id} is not recorded");
                if (d.Children.FindById(childId) is not null)
                {
                    AssertStoredOnce(d, id);
                    AssertTrue(d.Outbox.Exists(LiteDB.Query.StartsWith(nameof(OutboxMessage.Key), $"reply:{id}:")), $"the reply to confirmed update {id} is missing");
                }
            }

            AssertTrue((d.State.FindById(UpdateProcessor.OffsetKey)?.Value ?? 0) > last, "the confirmed offset went back");
        });
    }

    private static void MarkRepliesSent(OutboxStore outbox)
    {
        var channelId = 100;
        foreach (var row in outbox.Due(50))
        {
            outbox.MarkSending(row);
            outbox.MarkSent(row, ++channelId);
        }
    }

    private static List<int> Link(CareDb db) => db.Write(tx =>
    {
        var people = tx.People.FindAll().ToList();
        foreach (var person in people)
        {
            person.ChatId = 7000 + person.Id;
            person.Status = Reachability.Reachable;
            tx.People.Update(person);
        }

        return people.Select(p => p.Id).ToList();
    });

    private void Import(CareDb db, SimulatedDisk disk, TimeProvider time, byte[] csv, string what, int children)
    {
        var result = new RosterImporter(db, time, new CadenceOptions()).Import(new MemoryStream(csv), "roster.csv", RosterEncoding.Utf8, "en", "test");
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("\n", result.FormatProblems()));
        }

        var ids = RosterSample.Rows(children).Select(r => "default/" + r[0]).Where(id => id != ForgottenChild || what == "import 1").ToList();
        Confirm(disk, what, d => AssertTrue(ids.All(id => d.Children.FindById(id) is not null || id == ForgottenChild), $"a child of the confirmed {what} is missing"));
    }

    private static byte[] RosterCsv(int children, string? skip)
    {
        var lines = Encoding.UTF8.GetString(RosterSample.Create(children, Encoding.UTF8)).TrimStart('\uFEFF').Split('\n');
        return Encoding.UTF8.GetBytes(string.Join('\n', lines.Where(l => skip is null || !l.StartsWith(skip + ",", StringComparison.Ordinal))));
    }

    private void Confirm(SimulatedDisk disk, string what, Action<CareTx> check)
    {
        _confirmed.Add((disk.Ops.Count, what, check));
    }

    public static void AssertStoredOnce(CareTx d, long id)
    {
        var token = Token(id);
        var count = d.Records.Count(r => r.Text != null && r.Text.Contains(token));
        AssertTrue(count == 1, $"update {id} is stored {count} times");
    }

    public static void AssertTrue(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantBrokenException(message);
        }
    }
}

internal sealed class InvariantBrokenException(string message) : Exception(message);

using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
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
/// A scripted school day on a database over a <see cref="SimulatedDisk"/>: an import, linking, four getUpdates batches
/// of mentors' visits and diary entries (each update its own commit, one sync per batch through the poller's
/// <see cref="Confirmations.BatchHandled"/>), the dispatcher's turns through <see cref="Confirmations.DueToSend"/> (one
/// in the middle of a batch, while its first commits are unsynced), an explicit checkpoint in the middle of another
/// batch and LiteDB's own checkpoints inside commits, a weekly planning run in slices, a forget and a second import.
/// Every confirmation the product would give (the next getUpdates after a batch, a message on the wire, an admin
/// verb's success, a planner run's end) is recorded with the number of disk operations done by then, and with a check
/// that must hold on any database recovered from a cut after that point.
/// </summary>
internal sealed class PowerCutWorkload
{
    public const string DbPath = "/sim/data/carebot.db";

    private const string ForgottenNo = "20240002";
    private const string ForgottenChild = "default/20240002";

    private readonly List<(int AfterOps, string What, Action<CareTx> Check)> _confirmed = [];
    private int _channelMessageId = 100;

    /// <summary>Where the first getUpdates batch starts (the points before it hold no chat update).</summary>
    public int FirstBatchAtOps { get; private set; }

    /// <summary>Checkpoints that found commits not yet synced: the explicit one in batch 2, LiteDB's own in batch 3.</summary>
    public (int Explicit, int Automatic) CheckpointsOverUnsyncedCommits { get; private set; }
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

    /// <summary>The disk error that stopped the database during the day (a full disk), or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Runs the day on <paramref name="disk"/>; the database is closed cleanly at the end. With
    /// <paramref name="removed"/>, the poller's or the dispatcher's code runs without its sync (to show the sweep
    /// then fails). A disk error stops the day where it happens (<see cref="Failure"/>).
    /// </summary>
    public void Run(SimulatedDisk disk, SyncRemoved removed = SyncRemoved.None)
    {
        var time = NewTime();
        using var db = new LiteCareDb(DbPath, Password, disk);
        try
        {
            Day(db, disk, time, removed);
        }
        catch (Exception) when (db.Failure is not null)
        {
            // The worker stops here (StorageFailureWatch): nothing after it is confirmed.
        }
        finally
        {
            Failure = db.Failure;
        }
    }

    private void Day(CareDb db, SimulatedDisk disk, TimeProvider time, SyncRemoved removed)
    {
        var (processor, outbox) = Core(db, time);

        Import(db, disk, time, RosterCsv(6, skip: null), "import 1", 6);
        var linked = Link(db);
        Confirm(disk, "linked", d => AssertTrue(linked.All(id => d.People.FindById(id) is not { Chat: null }), "a confirmed link is missing"));

        var mentors = db.Read(tx => tx.People.FindAll().Where(p => p.Has(Roles.Mentor)).ToList());

        // Batch 0 is confirmed by the next getUpdates before the dispatcher's turn; in batch 1 the dispatcher sends
        // the replies to its first updates before the poller syncs; in batch 2 a checkpoint runs over unsynced commits.
        FirstBatchAtOps = disk.Ops.Count;
        Batch(db, disk, processor, mentors, 0, removed, midway: null);
        Batch(db, disk, processor, mentors, 1, removed, midway: () => Dispatch(db, disk, outbox, removed));
        Dispatch(db, disk, outbox, removed);
        var before = disk.CheckpointsOverUnsyncedCommits;
        Batch(db, disk, processor, mentors, 2, removed, midway: db.Checkpoint);
        var explicitOnes = disk.CheckpointsOverUnsyncedCommits - before;
        Dispatch(db, disk, outbox, removed);

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

        // LiteDB copies its log into the data file by itself inside a commit once the log passes its checkpoint size
        // (1,000 pages by default, more than this day writes): lowered for batch 3 so that one of the batch's own
        // commits runs into it while the batch's earlier commits are unsynced.
        var logPages = disk.Content(DatabaseFiles.LogFileOf(DbPath)).Length / DatabaseFiles.PageSize;
        db.Mark(tx => tx.Raw().CheckpointSize = logPages + 6);
        db.Sync();
        before = disk.CheckpointsOverUnsyncedCommits;
        Batch(db, disk, processor, mentors, 3, removed, midway: null);
        CheckpointsOverUnsyncedCommits = (explicitOnes, disk.CheckpointsOverUnsyncedCommits - before);
        db.Mark(tx => tx.Raw().CheckpointSize = 1000);
        Dispatch(db, disk, outbox, removed);
    }

    /// <summary>The chat updates fetched from Telegram before <paramref name="cut"/> operations (to redeliver).</summary>
    public IEnumerable<(IncomingMessage Message, string ChildId)> FetchedBefore(int cut) => _updates.Where(u => u.FetchedAtOps < cut).Select(u => (u.Message, u.ChildId));

    public static (UpdateProcessor Processor, OutboxStore Outbox) Core(CareDb db, TimeProvider time)
    {
        var outbox = new OutboxStore(db, time);
        var clock = new CareClock(time, "Asia/Shanghai");
        var handler = new ChatHandler(db, clock, outbox, new InviteService(db, time), new CareOptions());
        return (new UpdateProcessor(db, handler, outbox, time, NullLogger<UpdateProcessor>.Instance, ChatTestKit.Telegram), outbox);
    }

    /// <summary>The unique note of an update's visit or diary entry (so "stored once" can be counted).</summary>
    public static string Token(long updateId) => $"U{updateId}U";

    private void Batch(CareDb db, SimulatedDisk disk, UpdateProcessor processor, List<Person> mentors, int batch, SyncRemoved removed, Action? midway)
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
                var message = new IncomingMessage(id, mentor.Chat!, ChatKind.Private, IncomingKind.Text, $"{command} {child!.Name} 第{batch}次 {Token(id)}");
                _updates.Add((fetchedAt, message, child.Id));
                processor.Process(message);
                ids.Add((id, child.Id));
            }

            if (mentor == mentors[mentors.Count / 2])
            {
                // Another thread's turn while the batch's commits so far wait for the batch's sync.
                midway?.Invoke();
            }
        }

        // The poller's group commit: one sync, then the button answers and the next getUpdates confirm the batch.
        if (removed != SyncRemoved.Poller)
        {
            Confirmations.BatchHandled(db);
        }

        var last = ids.Max(i => i.Id);
        Confirm(disk, $"batch {batch}", d =>
        {
            foreach (var (id, childId) in ids)
            {
                AssertTrue(d.Updates.FindById(id) is not null, $"confirmed update {id} is not recorded");
                if (d.Children.FindById(childId) is not null)
                {
                    AssertStoredOnce(d, id);
                    var replyKey = $"reply:{id}:";
                    AssertTrue(d.Outbox.Exists(o => o.Key.StartsWith(replyKey)), $"the reply to confirmed update {id} is missing");
                }
            }

            AssertTrue((d.State.FindById(ChatTestKit.Telegram.OffsetKey)?.Value ?? 0) > last, "the confirmed offset went back");
        });
    }

    /// <summary>
    /// The dispatcher's turn: the rows due (synced first by <see cref="Confirmations.DueToSend"/>), each claimed (Sending),
    /// sent (a confirmation: a reply tells its sender the update is stored) and marked Sent (unsynced).
    /// </summary>
    private void Dispatch(CareDb db, SimulatedDisk disk, OutboxStore outbox, SyncRemoved removed)
    {
        var due = removed == SyncRemoved.Dispatcher ? outbox.Due(50) : Confirmations.DueToSend(db, outbox, 50);
        foreach (var due1 in due)
        {
            // The dispatcher's claim just before the call: marked Sending under this sender's lease.
            if (outbox.Claim(due1.Id, (_, _) => false, DateOnly.FromDateTime) is not { Result: ClaimResult.Send, Row: { } row })
            {
                continue;
            }

            var key = row.Key;
            var update = key.StartsWith("reply:", StringComparison.Ordinal) ? long.Parse(key.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
            var childId = update is { } replyTo ? _updates.Single(u => u.Message.UpdateId == replyTo).ChildId : row.ChildId;
            Confirm(disk, $"sent {key}", d =>
            {
                var childGone = childId is not null && d.Children.FindById(childId) is null;
                if (update is { } id)
                {
                    AssertTrue(d.Updates.FindById(id) is not null, $"a reply to update {id} was sent, but the update is not recorded");
                    if (!childGone)
                    {
                        AssertStoredOnce(d, id);
                    }
                }
                else
                {
                    AssertTrue(childGone || d.Outbox.Exists(o => o.Key == key), $"the sent message {key} is not stored");
                }
            });
            outbox.MarkSent(row, ++_channelMessageId);
        }
    }

    private static List<int> Link(CareDb db) => db.Write(tx =>
    {
        var people = tx.People.FindAll().ToList();
        foreach (var person in people)
        {
            person.Chat = TelegramChats.At(7000 + person.Id);
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

/// <summary>A sync taken out of the product's code, to show what the sweep finds without it.</summary>
internal enum SyncRemoved
{
    None,

    /// <summary>The poller's group commit (<see cref="Confirmations.BatchHandled"/>).</summary>
    Poller,

    /// <summary>The dispatcher's sync before it sends (<see cref="Confirmations.DueToSend"/>).</summary>
    Dispatcher,
}

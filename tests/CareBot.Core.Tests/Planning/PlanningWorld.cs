using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Planning;

/// <summary>A small school in Asia/Shanghai with a fake clock, and builders for people, children and records.</summary>
internal sealed class PlanningWorld : IDisposable
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private int _nextPersonId = 1;
    private long _nextChat = 1000;

    public PlanningWorld(DateTimeOffset localNow, StoreKind? store = null)
    {
        Time = new FakeTimeProvider(localNow.ToUniversalTime());
        Clock = new CareClock(Time, "Asia/Shanghai");
        Db = TestStores.Open(store ?? StoreKind.LiteDb);
        Outbox = new OutboxStore(Db, Time);
    }

    public FakeTimeProvider Time { get; }
    public CareClock Clock { get; }
    public CareDb Db { get; }
    public OutboxStore Outbox { get; }
    public CareOptions Options { get; } = new();

    public static DateTimeOffset Local(int y, int m, int d, int h = 8, int min = 0) => new(y, m, d, h, min, 0, Shanghai);

    public void SetLocal(DateTimeOffset local) => Time.SetUtcNow(local.ToUniversalTime());

    public ReminderPlanner Reminders() => new(Db, Outbox, Clock, Options);

    public WeeklyUpdatePlanner Weekly() => new(Db, Outbox);

    public Person Person(string name, Roles roles, bool linked = true, string lang = "zh", Reachability? status = null, bool paused = false)
    {
        var id = _nextPersonId++;
        var p = new Person
        {
            Id = id,
            Name = name,
            Phone = $"138{id:D8}",
            Roles = roles,
            Language = lang,
            Chat = TelegramChats.At(linked ? _nextChat++ : null),
            Status = status ?? (linked ? Reachability.Reachable : Reachability.NotLinked),
            UpdatesPaused = paused,
        };
        Db.Write(tx => tx.People.Insert(p));
        return p;
    }

    public Child Child(string id, string name, params Person[] parents)
    {
        var c = new Child
        {
            Id = id,
            Name = name,
            Parents = parents.Select((p, i) => new ParentLink { PersonId = p.Id, Relation = i == 0 ? ParentRelation.Father : ParentRelation.Mother }).ToList(),
        };
        Db.Write(tx => tx.Children.Insert(c));
        return c;
    }

    public void Pair(Person carer, Child child, DateOnly since, PairingRole role = PairingRole.Mentor) =>
        Db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = carer.Id, ChildId = child.Id, Role = role, CreatedUtc = Clock.StartOfDayUtc(since).AddHours(2) }));

    public CareRecord Record(Child child, Person author, CareKind kind, DateOnly date, string text = "", Ratings? ratings = null)
    {
        var r = new CareRecord
        {
            ChildId = child.Id,
            AuthorId = author.Id,
            Kind = kind,
            LocalDate = date,
            AtUtc = Clock.StartOfDayUtc(date).AddHours(10),
            Text = text,
            Ratings = ratings,
        };
        Db.Write(tx => tx.Records.Insert(r));
        return r;
    }

    public List<OutboxMessage> Rows(OutboxKind kind) => Db.Read(tx => tx.Outbox.FindAll().Where(o => o.Kind == kind).OrderBy(o => o.Id).ToList());

    public void Dispose() => Db.Dispose();
}

using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using CareBot.Worker.Telegram;

namespace CareBot.Benchmarks;

/// <summary>
/// A county for the broadcast scenarios (the reliability tests' crashes, the cluster's kills): parents with one child
/// each and this week's updates planned, mentors with one child each, all of them users of the local Bot API server.
/// </summary>
internal static class BroadcastSeed
{
    public const long ParentChatBase = 5_000_000_000;
    public const long MentorChatBase = 6_000_000_000;

    /// <summary><paramref name="parents"/> reachable parents (ids 1..n), one child each, and this week's updates in the outbox.</summary>
    public static int ParentsWithWeeklyUpdates(CareDb db, LocalBotApiServer server, int parents, int mentors = 0)
    {
        ArgumentNullException.ThrowIfNull(server);
        var now = DateTime.UtcNow;
        var people = new List<Person>();
        var children = new List<Child>();
        var pairings = new List<Pairing>();
        for (var i = 1; i <= parents; i++)
        {
            var chat = ParentChatBase + i;
            people.Add(new Person
            {
                Id = i, Name = $"家长{i}", Phone = string.Create(CultureInfo.InvariantCulture, $"139{i:D8}"), Roles = Roles.Parent,
                Chat = TelegramChat.Address(chat), Status = Reachability.Reachable, CreatedUtc = now, UpdatedUtc = now,
            });
            children.Add(new Child { Id = $"P{i}", Name = $"孩子{i}", Parents = [new ParentLink { PersonId = i, Relation = ParentRelation.Father }], CreatedUtc = now, UpdatedUtc = now });
            server.AddUser(chat, $"家长{i}");
        }

        AddMentors(people, children, pairings, server, mentors, now);
        db.Write(tx => tx.People.InsertBulk(people));
        db.Write(tx => tx.Children.InsertBulk(children));
        db.Write(tx => tx.Pairings.InsertBulk(pairings));
        var plan = new WeeklyUpdatePlanner(db, new OutboxStore(db, TimeProvider.System)).Plan(DateOnly.FromDateTime(now.AddHours(8)));
        return plan.Added;
    }

    /// <summary>Mentor m (1-based) has person id 100000+m, chat MentorChatBase+m and one child "M{m}", their number 1.</summary>
    public static void AddMentors(List<Person> people, List<Child> children, List<Pairing> pairings, LocalBotApiServer server, int mentors, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(pairings);
        ArgumentNullException.ThrowIfNull(server);
        for (var m = 1; m <= mentors; m++)
        {
            var id = 100_000 + m;
            var chat = MentorChatBase + m;
            people.Add(new Person
            {
                Id = id, Name = $"老师{m}", Phone = string.Create(CultureInfo.InvariantCulture, $"138{m:D8}"), Roles = Roles.Mentor,
                Chat = TelegramChat.Address(chat), Status = Reachability.Reachable, CreatedUtc = now, UpdatedUtc = now,
            });
            children.Add(new Child { Id = $"M{m}", Name = $"学生{m}", CreatedUtc = now, UpdatedUtc = now });
            pairings.Add(new Pairing { CarerId = id, ChildId = $"M{m}", Role = PairingRole.Mentor, CreatedUtc = now });
            server.AddUser(chat, $"老师{m}");
        }
    }
}

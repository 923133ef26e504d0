using CareBot.Benchmarks;
using CareBot.Core.Model;
using CareBot.LocalBotApi;
using CareBot.Storage.LiteDb;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>Seeds a database file (before any worker opens it) and a matching set of simulated Telegram users.</summary>
internal static class ReliabilitySeed
{
    public const long ParentChatBase = BroadcastSeed.ParentChatBase;
    public const long MentorChatBase = BroadcastSeed.MentorChatBase;

    public static string TempDb(out string folder)
    {
        folder = Path.Combine(Path.GetTempPath(), "carebot-rel-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "carebot.db");
    }

    /// <summary><paramref name="parents"/> reachable parents (ids 1..n), one child each, and this week's updates in the outbox.</summary>
    public static int ParentsWithWeeklyUpdates(string dbPath, LocalBotApiServer server, int parents, int mentors = 0)
    {
        using var db = new LiteCareDb(dbPath);
        return BroadcastSeed.ParentsWithWeeklyUpdates(db, server, parents, mentors);
    }

    public static void AddMentors(List<Person> people, List<Child> children, List<Pairing> pairings, LocalBotApiServer server, int mentors, DateTime now) =>
        BroadcastSeed.AddMentors(people, children, pairings, server, mentors, now);

    public static void Mentors(string dbPath, LocalBotApiServer server, int mentors)
    {
        var now = DateTime.UtcNow;
        using var db = new LiteCareDb(dbPath);
        var people = new List<Person>();
        var children = new List<Child>();
        var pairings = new List<Pairing>();
        AddMentors(people, children, pairings, server, mentors, now);
        db.Write(tx => tx.People.InsertBulk(people));
        db.Write(tx => tx.Children.InsertBulk(children));
        db.Write(tx => tx.Pairings.InsertBulk(pairings));
    }

    public static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

using CareBot.Core.Model;

namespace CareBot.Worker.Hosting;

/// <summary>
/// The worker's heartbeat, a small JSON file beside the database (<c>DB.status</c>) that <c>carebot status</c> reads
/// (the worker holds the database file itself). Times carry the school's UTC offset, so the reader needs no settings.
/// </summary>
public sealed record WorkerStatus
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>When the worker last wrote this file.</summary>
    public DateTimeOffset Heartbeat { get; init; }

    public DateTimeOffset Started { get; init; }

    /// <summary>When the last getUpdates came back; null before the first.</summary>
    public DateTimeOffset? LastPoll { get; init; }

    /// <summary>When the Bot API last answered a call (a poll or a send); null before its first answer.</summary>
    public DateTimeOffset? LastApiAnswer { get; init; }

    public Dictionary<OutboxStatus, int> Outbox { get; init; } = [];

    public ReminderRun? LastReminders { get; init; }

    public DateTimeOffset? NextReminders { get; init; }

    public WeeklyRun? LastWeeklyUpdates { get; init; }

    public DateTimeOffset? NextWeeklyUpdates { get; init; }

    /// <summary>This worker's node id in a cluster (PostgreSQL); null on LiteDB.</summary>
    public string? NodeId { get; init; }

    public static string PathFor(string databasePath) => Path.GetFullPath(databasePath) + ".status";

    /// <summary>Where the next heartbeat is written before it is moved into place.</summary>
    public static string TempPathFor(string databasePath) => PathFor(databasePath) + ".tmp";
}

public sealed record ReminderRun(DateTimeOffset At, int Reminders, int Escalations);

public sealed record WeeklyRun(DateTimeOffset At, string Week, int Planned, int Added);

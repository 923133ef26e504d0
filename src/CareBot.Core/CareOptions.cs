using System.ComponentModel.DataAnnotations;

namespace CareBot.Core;

/// <summary>The <c>CareBot</c> section of appsettings.json.</summary>
public sealed class CareOptions
{
    public const string Section = "CareBot";

    /// <summary>IANA time zone id; all schedules and "this week" use it.</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    public ScheduleOptions Schedules { get; set; } = new();

    public CadenceOptions Care { get; set; } = new();

    [Range(1, 365)]
    public int InviteValidDays { get; set; } = 14;

    public List<AdminEntry> Admins { get; set; } = [];

    /// <summary>"22:00-07:00": no bulk messages to parents inside it.</summary>
    public string QuietHours { get; set; } = "22:00-07:00";

    /// <summary>Sent, failed and unreachable messages are deleted from the outbox after this many days.</summary>
    [Range(14, 3650)]
    public int OutboxKeepDays { get; set; } = 90;

    /// <summary>How far back the start-up catch-up looks for a missed weekly update, in days.</summary>
    [Range(0, 6)]
    public int CatchUpDays { get; set; } = 2;
}

public sealed class ScheduleOptions
{
    public string VisitReminders { get; set; } = "0 0 8 * * ?";
    public string WeeklyUpdates { get; set; } = "0 0 19 ? * SUN";
}

public sealed class CadenceOptions
{
    [Range(1, 365)]
    public int VisitEveryDays { get; set; } = 14;

    [Range(1, 365)]
    public int TalkEveryDays { get; set; } = 7;

    [Range(1, 20)]
    public int MaxChildrenPerMentor { get; set; } = 3;

    [Range(1, 365)]
    public int EscalateAfterDays { get; set; } = 7;
}

public sealed class AdminEntry
{
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";
    public string? Language { get; set; }
}

/// <summary>The <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    [Required]
    public string DatabasePath { get; set; } = "data/carebot.db";

    /// <summary>Encrypts the database file when set.</summary>
    public string? Password { get; set; }
}

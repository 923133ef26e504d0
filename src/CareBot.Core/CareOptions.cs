using System.ComponentModel.DataAnnotations;
namespace CareBot.Core;

/// <summary>
/// The <c>CareBot</c> section of appsettings.json. A setting that needs parsing is parsed here, once, when it is bound
/// (its setter); everything else reads the parsed value (<see cref="Zone"/>, <see cref="Quiet"/>). A parsed value is
/// null only when its text is invalid, and validation (at start and at every edit) refuses such options.
/// </summary>
public sealed class CareOptions
{
    public const string Section = "CareBot";

    private string _timeZone = "";
    private string _quietHours = "";

    public CareOptions()
    {
        TimeZone = "Asia/Shanghai";
        QuietHours = "22:00-07:00";
    }

    /// <summary>IANA time zone id; all schedules and "this week" use it.</summary>
    [Required]
    public string TimeZone
    {
        get => _timeZone;
        set
        {
            _timeZone = value;
            Zone = string.IsNullOrWhiteSpace(value) ? null : TimeZoneInfo.TryFindSystemTimeZoneById(value.Trim(), out var zone) ? zone : null;
        }
    }

    /// <summary><see cref="TimeZone"/>, parsed; null when it names no known zone.</summary>
    public TimeZoneInfo? Zone { get; private set; }

    public CadenceOptions Care { get; set; } = new();

    /// <summary><c>CareBot:Safeguarding</c>: concerns, check-in flags, private notes.</summary>
    public SafeguardingOptions Safeguarding { get; set; } = new();

    [Range(1, 365)]
    public int InviteValidDays { get; set; } = 14;

    public List<AdminEntry> Admins { get; set; } = [];

    /// <summary>The county's schools; none or one means a single school.</summary>
    public List<SchoolEntry> Schools { get; set; } = [];

    /// <summary><see cref="Schools"/> as a directory (a default school when none is configured).</summary>
    public SchoolDirectory Directory => new(Schools);

    /// <summary>"22:00-07:00": no bulk messages to parents inside it.</summary>
    [Required]
    public string QuietHours
    {
        get => _quietHours;
        set
        {
            _quietHours = value;
            Quiet = Time.QuietHours.TryParse(value, out var quiet) ? quiet : null;
        }
    }

    /// <summary><see cref="QuietHours"/>, parsed; null when it is not a range like 22:00-07:00.</summary>
    public Time.QuietHours? Quiet { get; private set; }

    /// <summary>Sent, failed and unreachable messages are deleted from the outbox after this many days.</summary>
    [Range(14, 3650)]
    public int OutboxKeepDays { get; set; } = 90;

    /// <summary>How far back the start-up catch-up looks for a missed weekly update, in days.</summary>
    [Range(0, 6)]
    public int CatchUpDays { get; set; } = 2;
}

public sealed class CadenceOptions
{
    [Range(1, 365)]
    public int VisitEveryDays { get; set; } = 14;

    [Range(1, 365)]
    public int TalkEveryDays { get; set; } = 7;

    /// <summary>Phone talk with a parent or guardian (电话访问) cadence per child; a child never called is due this long after pairing.</summary>
    [Range(1, 365)]
    public int CallParentsEveryDays { get; set; } = 30;

    [Range(1, 20)]
    public int MaxChildrenPerMentor { get; set; } = 3;

    [Range(1, 365)]
    public int EscalateAfterDays { get; set; } = 7;

    /// <summary>Home visit cadence by the roster's 监护情况; a child without a level uses <see cref="VisitEveryDays"/>.</summary>
    public GuardianshipCadence VisitEveryDaysByGuardianship { get; set; } = new();

    /// <summary>A reminder item (a visit, talk or call due) is repeated this many days after it was last reminded, until done.</summary>
    [Range(1, 365)]
    public int RemindEveryDays { get; set; } = 3;

    /// <summary>The visit cadence of a child with <paramref name="level"/> (null: <see cref="VisitEveryDays"/>).</summary>
    public int VisitEveryDaysFor(Model.Guardianship? level) => level switch
    {
        Model.Guardianship.Good => VisitEveryDaysByGuardianship.Good,
        Model.Guardianship.Fair => VisitEveryDaysByGuardianship.Fair,
        Model.Guardianship.Poor => VisitEveryDaysByGuardianship.Poor,
        _ => VisitEveryDays,
    };

    /// <summary>The longest visit cadence of any level: how far back a visit can still matter.</summary>
    public int LongestVisitEveryDays => Math.Max(VisitEveryDays, Math.Max(VisitEveryDaysByGuardianship.Good, Math.Max(VisitEveryDaysByGuardianship.Fair, VisitEveryDaysByGuardianship.Poor)));
}

/// <summary><c>CareBot:Care:VisitEveryDaysByGuardianship</c>: days between home visits per 监护情况 level (1–365 each).</summary>
public sealed class GuardianshipCadence
{
    /// <summary>较好 (good).</summary>
    [Range(1, 365)]
    public int Good { get; set; } = 30;

    /// <summary>一般 (fair).</summary>
    [Range(1, 365)]
    public int Fair { get; set; } = 14;

    /// <summary>差 (poor).</summary>
    [Range(1, 365)]
    public int Poor { get; set; } = 7;
}

public sealed class AdminEntry
{
    [Required]
    public string Name { get; set; } = "";

    /// <summary>A Chinese mobile number (checked by the worker's settings validation).</summary>
    public string Phone { get; set; } = "";

    public string? Language { get; set; }

    /// <summary>The school ids this admin sees and acts on; absent or empty means the whole county.</summary>
    public List<string>? Schools { get; set; }
}

/// <summary>The <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    [Required]
    public string DatabasePath { get; set; } = "data/carebot.db";

    /// <summary>Encrypts the database file when set (LiteDB only).</summary>
    public string? Password { get; set; }

    /// <summary><see cref="LiteDb"/> (the default: one file, <see cref="DatabasePath"/>) or <see cref="PostgreSQL"/> (<see cref="ConnectionString"/>).</summary>
    public string Provider { get; set; } = LiteDb;

    /// <summary>
    /// The PostgreSQL server and database (Npgsql's form: <c>Host=...;Database=...;Username=...</c>). Give the password
    /// through the environment (<c>Storage__ConnectionString</c>); it is never logged or printed.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long the worker keeps retrying a PostgreSQL server that has gone before it exits (code 1) to be restarted.</summary>
    [Range(10, 86_400)]
    public int GiveUpAfterSeconds { get; set; } = 300;

    public const string LiteDb = "LiteDb";
    public const string PostgreSQL = "PostgreSQL";

    /// <summary>Whether <see cref="Provider"/> names PostgreSQL (any case).</summary>
    public bool IsPostgreSQL => string.Equals(Provider, PostgreSQL, StringComparison.OrdinalIgnoreCase);
}

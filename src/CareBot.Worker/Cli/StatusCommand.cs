using System.Globalization;
using System.Text.Json;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot status</c>: exit 0 and one line each for the last poll, the outbox by status, and the last reminder and
/// weekly runs, when a worker on this database has written its heartbeat (<see cref="WorkerStatus"/>) less than
/// <see cref="MaxAge"/> ago; exit 1 and the reason otherwise. It never opens the database (the worker holds it), and it
/// never exits 2, which Docker's HEALTHCHECK reserves: a bad setting is a reason like any other.
/// </summary>
internal static class StatusCommand
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    public const int Healthy = 0;
    public const int Unhealthy = 1;

    public static int Run(IDictionary<string, string?>? overrides, string language, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var storage = CareHost.StorageSettings(overrides, language);
            return Report(storage.DatabasePath, language, time, stdout, stderr, storage.IsPostgreSQL, storage.ConnectionString);
        }
        catch (Exception ex) when (CliApp.BadInputMessage(ex, language) is { } message)
        {
            stderr.WriteLine("carebot: " + message);
            return Unhealthy;
        }
        catch (Exception ex)
        {
            stderr.WriteLine("carebot: " + Texts.Get(language, "status.failed", ex.GetType().Name));
            return Unhealthy;
        }
    }

    /// <summary>Reads the heartbeat of the worker on <paramref name="database"/> and tells it.</summary>
    /// <param name="server">
    /// The data is on a database server (PostgreSQL): no file at <paramref name="database"/>; the heartbeat is still
    /// written beside that path, by the owner of its folder.
    /// </param>
    /// <param name="connectionString">On PostgreSQL: where the cluster's workers table is, told after the worker's own lines.</param>
    internal static int Report(string database, string language, TimeProvider time, TextWriter stdout, TextWriter stderr, bool server = false, string? connectionString = null)
    {
        string T(string key, params object?[] args) => Texts.Get(language, key, args);
        int Fail(string line)
        {
            stderr.WriteLine("carebot: " + line);
            return Unhealthy;
        }

        if (!server && !File.Exists(database))
        {
            return Fail(T("status.no_database", database));
        }

        var path = WorkerStatus.PathFor(database);
        WorkerStatus? status;
        try
        {
            // The worker's own file: owned by the database's owner, owner-only, not a link.
            using var stream = PrivateFiles.OpenOwnerOnly(path, PrivateFiles.OwnerOf(server ? Path.GetDirectoryName(Path.GetFullPath(database))! : database));
            status = JsonSerializer.Deserialize<WorkerStatus>(stream);
        }
        catch (FileNotFoundException)
        {
            return Fail(T("status.no_worker", database, path));
        }
        catch (PrivateFileException refused)
        {
            return Fail(T("status.unreadable", path, refused.Render(language)));
        }
        catch (JsonException ex)
        {
            return Fail(T("status.unreadable", path, ex.GetType().Name));
        }

        if (status is null || status.Version != WorkerStatus.CurrentVersion)
        {
            return Fail(T("status.unreadable", path, status is null ? "empty" : "version " + status.Version.ToString(CultureInfo.InvariantCulture)));
        }

        var now = time.GetUtcNow();
        var age = now - status.Heartbeat;
        if (age >= MaxAge)
        {
            return Fail(T("status.stale", database, Ago(age, language), Show(status.Heartbeat)));
        }

        var next = (DateTimeOffset? when) => when is { } w ? Show(w) : T("status.never");
        stdout.WriteLine(status.LastPoll is { } poll
            ? T("status.poll", Show(poll), Ago(now - poll, language))
            : T("status.poll.none", Show(status.Started)));
        // The worker counts each status up to OutboxStore.StatusCountCap; beyond, "1000+".
        string Count(OutboxStatus s) => status.Outbox.GetValueOrDefault(s) is var n && n > OutboxStore.StatusCountCap
            ? OutboxStore.StatusCountCap.ToString(CultureInfo.InvariantCulture) + "+"
            : n.ToString(CultureInfo.InvariantCulture);
        stdout.WriteLine(status.LastApiAnswer is { } answer
            ? T("status.api", Show(answer), Ago(now - answer, language))
            : T("status.api.none", Show(status.Started)));
        stdout.WriteLine(T("status.outbox", Count(OutboxStatus.Pending), Count(OutboxStatus.Sending), Count(OutboxStatus.Sent), Count(OutboxStatus.Failed), Count(OutboxStatus.Unreachable), Count(OutboxStatus.Held), Count(OutboxStatus.Expired)));
        stdout.WriteLine(status.LastReminders is { } r
            ? T("status.reminders", Show(r.At), r.Reminders, r.Escalations, next(status.NextReminders))
            : T("status.reminders.none", Show(status.Started), next(status.NextReminders)));
        stdout.WriteLine(status.LastWeeklyUpdates is { } w
            ? T("status.weekly", Show(w.At), w.Week, w.Added, next(status.NextWeeklyUpdates))
            : T("status.weekly.none", Show(status.Started), next(status.NextWeeklyUpdates)));
        if (server && status.NodeId is { } node && !string.IsNullOrWhiteSpace(connectionString))
        {
            // Several workers may share the database: this one must be in the cluster, leading or standing by.
            return ClusterStatus.Report(connectionString, node, language, now, stdout, stderr);
        }

        return Healthy;
    }

    /// <summary>A time as the worker wrote it: the school's local time.</summary>
    private static string Show(DateTimeOffset when) => when.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Ago(TimeSpan age, string language)
    {
        var positive = age < TimeSpan.Zero ? TimeSpan.Zero : age;
        return positive.TotalSeconds < 120 ? Texts.Get(language, "status.seconds", (int)positive.TotalSeconds)
            : positive.TotalMinutes < 120 ? Texts.Get(language, "status.minutes", (int)positive.TotalMinutes)
            : positive.TotalHours < 48 ? Texts.Get(language, "status.hours", (int)positive.TotalHours)
            : Texts.Get(language, "status.days", (int)positive.TotalDays);
    }
}

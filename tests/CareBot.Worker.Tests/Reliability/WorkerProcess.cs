using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;

namespace CareBot.Worker.Tests.Reliability;

/// <summary>
/// <c>dotnet carebot.dll VERB</c> as a real child process, configured through environment variables, with its
/// stdout and stderr captured. Kill = SIGKILL of the whole tree; Terminate = SIGTERM (graceful stop).
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    public static string CarebotDll => Path.Combine(AppContext.BaseDirectory, "carebot.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string StdOut
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The settings a worker needs to talk to <paramref name="server"/> quickly and never hold a message.</summary>
    public static Dictionary<string, string?> WorkerSettings(LocalBotApiServer server, string dbPath)
    {
        var settings = new Dictionary<string, string?>(server.WorkerSettings())
        {
            ["Storage:DatabasePath"] = dbPath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Delivery:GlobalPerSecond"] = "200",
            ["Delivery:BackoffBaseMs"] = "200",
            ["CareBot:QuietHours"] = "00:00-00:00",
            ["CareBot:CatchUpDays"] = "0",
            ["CareBot:Schedules:VisitReminders"] = "0 0 3 1 1 ? 2099",
            ["CareBot:Schedules:WeeklyUpdates"] = "0 0 4 1 1 ? 2099",
        };

        // Environment variables, as a container would pass them.
        return settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
    }

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(CarebotDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._stdout)
                {
                    worker._stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._stderr)
                {
                    worker._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until the worker long-polls the server (it is up and its poller runs).</summary>
    public async Task WaitUntilPollingAsync(LocalBotApiServer server, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (server.Telegram.LongPollsWaiting == 0)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"carebot exited early with {_process.ExitCode}: {StdErr}");
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"carebot did not poll within {timeout}: {StdErr}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL, the whole process tree; returns once it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(30_000);
    }

    /// <summary>SIGTERM: the host's graceful stop.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
    }

    /// <summary>Waits for the exit; false on time-out.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // flushes the redirected streams
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM and wait; kills on time-out. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Terminate();
        if (!await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30)))
        {
            Kill();
            throw new TimeoutException("carebot did not stop on SIGTERM: " + StdErr);
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        _process.Dispose();
    }
}

/// <summary>Seeds a database file (before any worker opens it) and a matching set of simulated Telegram users.</summary>
internal static class ReliabilitySeed
{
    public const long ParentChatBase = 5_000_000_000;
    public const long MentorChatBase = 6_000_000_000;

    public static string TempDb(out string folder)
    {
        folder = Path.Combine(Path.GetTempPath(), "carebot-rel-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "carebot.db");
    }

    /// <summary><paramref name="parents"/> reachable parents (ids 1..n), one child each, and this week's updates in the outbox.</summary>
    public static int ParentsWithWeeklyUpdates(string dbPath, LocalBotApiServer server, int parents, int mentors = 0)
    {
        var now = DateTime.UtcNow;
        using var db = new LiteCareDb(dbPath);
        var people = new List<Person>();
        var children = new List<Child>();
        var pairings = new List<Pairing>();
        for (var i = 1; i <= parents; i++)
        {
            var chat = ParentChatBase + i;
            people.Add(new Person
            {
                Id = i, Name = $"家长{i}", Phone = string.Create(CultureInfo.InvariantCulture, $"139{i:D8}"), Roles = Roles.Parent,
                Chat = TelegramChats.At(chat), Status = Reachability.Reachable, CreatedUtc = now, UpdatedUtc = now,
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
        for (var m = 1; m <= mentors; m++)
        {
            var id = 100_000 + m;
            var chat = MentorChatBase + m;
            people.Add(new Person
            {
                Id = id, Name = $"老师{m}", Phone = string.Create(CultureInfo.InvariantCulture, $"138{m:D8}"), Roles = Roles.Mentor,
                Chat = TelegramChats.At(chat), Status = Reachability.Reachable, CreatedUtc = now, UpdatedUtc = now,
            });
            children.Add(new Child { Id = $"M{m}", Name = $"学生{m}", CreatedUtc = now, UpdatedUtc = now });
            pairings.Add(new Pairing { CarerId = id, ChildId = $"M{m}", Role = PairingRole.Mentor, CreatedUtc = now });
            server.AddUser(chat, $"老师{m}");
        }
    }

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

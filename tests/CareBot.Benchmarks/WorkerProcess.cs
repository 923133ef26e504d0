using System.Globalization;
using System.Diagnostics;
using System.Text;
using CareBot.LocalBotApi;

namespace CareBot.Benchmarks;

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

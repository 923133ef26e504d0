using System.Text.Json;
using CareBot.Core;
using CareBot.Worker.Cli;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Hosting;

/// <summary>
/// The running worker holds the database file, so the admin verbs (<c>import</c>, <c>invite</c>, <c>report</c>, <c>summary</c>,
/// <c>forget</c>, <c>backup</c>) run inside it when started beside it: the CLI drops a request beside the database
/// (<c>DB.admin-request</c>: the verb's arguments, file paths made absolute); the worker runs the same verb against
/// its own open database and answers in <c>DB.admin-result</c> (exit code, standard output and error).
/// Whoever can write beside the database file can read that file anyway; only the admin verbs are accepted.
/// </summary>
internal sealed class AdminRequestService(IServiceProvider services, IOptions<StorageOptions> storage, TimeProvider time, ILogger<AdminRequestService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(["import", "invite", "report", "summary", "forget", "backup"], StringComparer.Ordinal);

    /// <summary>Each request has its own id, so two admins' commands never take each other's answers.</summary>
    public static string RequestPath(string databasePath, string id) => Path.GetFullPath(databasePath) + ".admin-request." + id;

    public static string ResultPath(string databasePath, string id) => Path.GetFullPath(databasePath) + ".admin-result." + id;

    /// <summary>Where a request or answer is written before it is moved into place (never matched as a request).</summary>
    public static string TempPath(string databasePath, string id) => Path.GetFullPath(databasePath) + ".admin-tmp." + id;

    private static IEnumerable<(string Path, string Id)> Pending(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        var prefix = Path.GetFileName(full) + ".admin-request.";
        var dir = Path.GetDirectoryName(full)!;
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, prefix + "*").Select(f => (f, Path.GetFileName(f)[prefix.Length..])).OrderBy(f => File.GetLastWriteTimeUtc(f.f))
            : [];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await HandlePendingRequestAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Like a job body: a bad request file must never stop the worker.
                    logger.LogError(ex, "Admin request failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    internal async Task HandlePendingRequestAsync(CancellationToken cancellationToken)
    {
        DeleteUncollectedAnswers();
        foreach (var (request, id) in Pending(storage.Value.DatabasePath).ToList())
        {
            try
            {
                await HandleAsync(request, id, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                TryDelete(request);
            }
        }
    }

    private async Task HandleAsync(string request, string id, CancellationToken cancellationToken)
    {
        AdminResult answer;
        try
        {
            var args = JsonSerializer.Deserialize<string[]>(await File.ReadAllTextAsync(request, cancellationToken).ConfigureAwait(false)) ?? [];
            if (args.Length == 0 || !Verbs.Contains(args[0]))
            {
                answer = new AdminResult(ExitCodes.BadInput, "", "carebot: the running worker only takes import, invite, report, summary, forget and backup.\n");
            }
            else
            {
                using var stdout = new StringWriter();
                using var stderr = new StringWriter();
                var code = await CliApp.RunAsync(args, stdout, stderr, overrides: null, shared: services).ConfigureAwait(false);
                answer = new AdminResult(code, stdout.ToString(), stderr.ToString());
                logger.LogInformation("Admin request {Verb} done with exit code {ExitCode}", args[0], code);
            }
        }
        catch (JsonException)
        {
            answer = new AdminResult(ExitCodes.BadInput, "", "carebot: the admin request file is not readable.\n");
        }

        // The answer may hold invite codes and phones: readable by the owner only, and not left lying about.
        var temp = TempPath(storage.Value.DatabasePath, id);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var writer = new StreamWriter(temp, System.Text.Encoding.UTF8, options))
        {
            await writer.WriteAsync(JsonSerializer.Serialize(answer)).ConfigureAwait(false);
        }

        File.Move(temp, ResultPath(storage.Value.DatabasePath, id), overwrite: true);
    }

    /// <summary>An answer nobody collected (the command gave up waiting) is deleted after this long.</summary>
    public static readonly TimeSpan UncollectedAnswerLifetime = TimeSpan.FromMinutes(10);

    private void DeleteUncollectedAnswers()
    {
        var full = Path.GetFullPath(storage.Value.DatabasePath);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var answer in Directory.EnumerateFiles(dir, Path.GetFileName(full) + ".admin-result.*"))
        {
            if (time.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(answer) > UncollectedAnswerLifetime)
            {
                TryDelete(answer);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete an admin request file");
        }
    }
}

/// <summary>What the worker answers to an admin request.</summary>
internal sealed record AdminResult(int ExitCode, string Stdout, string Stderr);

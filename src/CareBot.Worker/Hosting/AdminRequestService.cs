using System.Text.Json;
using CareBot.Core;
using CareBot.Worker.Cli;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Hosting;

/// <summary>
/// The running worker holds the database file, so the admin verbs (<c>import</c>, <c>invite</c>, <c>report</c>,
/// <c>forget</c>, <c>backup</c>) run inside it when started beside it: the CLI drops a request beside the database
/// (<c>DB.admin-request</c>: the verb's arguments, file paths made absolute); the worker runs the same verb against
/// its own open database and answers in <c>DB.admin-result</c> (exit code, standard output and error).
/// Whoever can write beside the database file can read that file anyway; only the admin verbs are accepted.
/// </summary>
internal sealed class AdminRequestService(IServiceProvider services, IOptions<StorageOptions> storage, TimeProvider time, ILogger<AdminRequestService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(["import", "invite", "report", "forget", "backup"], StringComparer.Ordinal);

    public static string RequestPath(string databasePath) => Path.GetFullPath(databasePath) + ".admin-request";

    public static string ResultPath(string databasePath) => Path.GetFullPath(databasePath) + ".admin-result";

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
                    TryDelete(RequestPath(storage.Value.DatabasePath));
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
        DeleteUncollectedAnswer();
        var request = RequestPath(storage.Value.DatabasePath);
        if (!File.Exists(request))
        {
            return;
        }

        AdminResult answer;
        try
        {
            var args = JsonSerializer.Deserialize<string[]>(await File.ReadAllTextAsync(request, cancellationToken).ConfigureAwait(false)) ?? [];
            if (args.Length == 0 || !Verbs.Contains(args[0]))
            {
                answer = new AdminResult(ExitCodes.BadInput, "", "carebot: the running worker only takes import, invite, report, forget and backup.\n");
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
        var result = ResultPath(storage.Value.DatabasePath);
        await File.WriteAllTextAsync(result + ".tmp", JsonSerializer.Serialize(answer), cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(result + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(result + ".tmp", result, overwrite: true);
        File.Delete(request);
    }

    /// <summary>An answer nobody collected (the command gave up waiting) is deleted after this long.</summary>
    public static readonly TimeSpan UncollectedAnswerLifetime = TimeSpan.FromMinutes(10);

    private void DeleteUncollectedAnswer()
    {
        var result = ResultPath(storage.Value.DatabasePath);
        if (File.Exists(result) && time.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(result) > UncollectedAnswerLifetime)
        {
            TryDelete(result);
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

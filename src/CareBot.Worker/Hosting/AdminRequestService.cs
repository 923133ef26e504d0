using System.Text.Json;
using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Hosting;

/// <summary>
/// The running worker holds the database file, so the admin verbs (<see cref="Verbs"/>) run inside it when started beside it: the CLI drops a request beside the database
/// (<c>DB.admin-request</c>: the verb's arguments, file paths made absolute); the worker runs the same verb against
/// its own open database and answers in <c>DB.admin-result</c> (exit code, standard output and error).
/// A request is taken only from a file owned by the worker's user, mode 0600, one link, not reached through a symbolic
/// link (anything else is answered with a refusal and exit code 2); an answer is created new, never written through
/// whatever is in its place. Only the admin verbs are accepted.
/// Exactly once (<see cref="AdminRequestLedger"/>): the request file is removed only after its answer is in place; the
/// attempt is counted on disk before the verb runs, the verb's commits carry the mark "carried out", and the answer is
/// saved before it is handed out. After a crash the request is found again: answered from the saved answer, or as
/// "carried out before the restart", never run twice; one whose runs were cut short twice is answered with an error.
/// </summary>
internal sealed class AdminRequestService(IServiceProvider services, IOptions<StorageOptions> storage, TimeProvider time, ILogger<AdminRequestService> logger) : BackgroundService
{
    /// <summary>The user a request file must belong to: the worker's own (settable for tests).</summary>
    internal uint? ExpectedOwner { get; set; } = PrivateFiles.EffectiveUser;

    private int _handled;

    /// <summary>Requests handled to the end (answered, or the answer refused its place), for tests to wait on.</summary>
    internal int Handled => Volatile.Read(ref _handled);

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(["import", "invite", "report", "summary", "forget", "backup", "aid", "meeting", "duty", "concern"], StringComparer.Ordinal);

    /// <summary>Each request has its own id, so two admins' commands never take each other's answers.</summary>
    public static string RequestPath(string databasePath, string id) => Path.GetFullPath(databasePath) + ".admin-request." + id;

    public static string ResultPath(string databasePath, string id) => Path.GetFullPath(databasePath) + ".admin-result." + id;

    /// <summary>Where a request (<paramref name="what"/> "request") or answer ("result") is written before it is moved into place.</summary>
    public static string TempPath(string databasePath, string id, string what) => Path.GetFullPath(databasePath) + ".admin-tmp." + id + "." + what;

    private static IEnumerable<(string Path, string Id)> Pending(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        var prefix = Path.GetFileName(full) + ".admin-request.";
        var dir = Path.GetDirectoryName(full)!;
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, prefix + "*").Select(f => (f, Path.GetFileName(f)[prefix.Length..])).OrderBy(f => File.GetLastWriteTimeUtc(f.f))
            : [];
    }

    /// <summary>
    /// Tests: runs at <c>"ran"</c> (the verb's effects committed, its answer not yet saved) and <c>"saved"</c> (the
    /// answer saved, not yet handed out), the two places a crash leaves a request file behind a request that ran.
    /// </summary>
    internal Func<string, CancellationToken, Task>? CrashPoint { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.IsPostgreSQL)
        {
            // A server takes many connections: admin verbs connect to it themselves, no request files.
            return;
        }

        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            ForgetAnswered();
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

    private AdminRequestLedger Ledger => new(services.GetRequiredService<CareDb>());

    /// <summary>At start: the ledger's entries of requests already answered and removed (a crash in between).</summary>
    private void ForgetAnswered()
    {
        try
        {
            var pending = Pending(storage.Value.DatabasePath).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var forgotten = Ledger.ForgetAllBut(pending);
            if (forgotten > 0)
            {
                logger.LogInformation("Admin requests: {Count} answered before a restart forgotten", forgotten);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageFaultException or StorageBusyException)
        {
            logger.LogError(ex, "Admin requests: the entries of answered requests could not be cleared");
        }
    }

    internal async Task HandlePendingRequestAsync(CancellationToken cancellationToken)
    {
        DeleteUncollectedAnswers();
        foreach (var (request, id) in Pending(storage.Value.DatabasePath).ToList())
        {
            // The request file stays until its answer is in place: a crash before that finds it again at the next
            // start, and the ledger says whether it ran (then its answer is handed out, the verb not run again).
            AdminResult answer;
            try
            {
                answer = await AnswerAsync(request, id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or StorageFailedException))
            {
                // A request that fails the same way every time must not come round every second.
                logger.LogError(ex, "Admin request {RequestId} failed", id);
                var language = services.GetService<CliLanguage>()?.Code ?? Texts.Chinese;
                answer = new AdminResult(ExitCodes.Unexpected, "", "carebot: " + Texts.Get(language, "cli.unexpected", ex.GetType().Name) + "\n");
            }

            Deliver(id, answer);
            TryDelete(request);
            Ledger.Forget(id);
            Interlocked.Increment(ref _handled);
        }
    }

    private async Task<AdminResult> AnswerAsync(string request, string id, CancellationToken cancellationToken)
    {
        var language = services.GetService<CliLanguage>()?.Code ?? Texts.Chinese;
        string[] args;
        try
        {
            string text;
            await using (var stream = PrivateFiles.OpenOwnerOnly(request, ExpectedOwner))
            using (var reader = new StreamReader(stream))
            {
                text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            args = JsonSerializer.Deserialize<string[]>(text) ?? [];
        }
        catch (JsonException)
        {
            return Refusal(Texts.Get(language, "worker.unreadable_request"));
        }
        catch (PrivateFileException refused)
        {
            // Not the worker's own kind of file: someone else's, readable by others, or a link. Nothing of it is read.
            logger.LogWarning("Admin request {RequestId} refused ({Reason})", id, refused.TextId);
            return Refusal(Texts.Get(language, "worker.refused_request", refused.Render(language)));
        }

        if (args.Length == 0 || !Verbs.Contains(args[0]))
        {
            return Refusal(Texts.Get(language, "worker.only_admin_verbs", string.Join(", ", Verbs.Order(StringComparer.Ordinal))));
        }

        var ledger = Ledger;
        switch (ledger.Find(id))
        {
            case { Answer: { } saved }:
                logger.LogWarning("Admin request {RequestId} ({Verb}) was answered before a restart; the saved answer is handed out", id, args[0]);
                return saved;
            case { Effect: true }:
                logger.LogWarning("Admin request {RequestId} ({Verb}) was carried out before a restart; not run again", id, args[0]);
                return new AdminResult(ExitCodes.Ok, "", "carebot: " + Texts.Get(language, "worker.request_done_before_restart", args[0]) + "\n");
            case { Attempts: >= AdminRequestLedger.MaxAttempts } cut:
                logger.LogError("Admin request {RequestId} ({Verb}) stopped the worker {Attempts} times; not run again", id, args[0], cut.Attempts);
                return new AdminResult(ExitCodes.Unexpected, "", "carebot: " + Texts.Get(language, "worker.request_stopped_worker", args[0], cut.Attempts) + "\n");
        }

        var attempt = ledger.Begin(id);
        logger.LogInformation("Admin request {RequestId} ({Verb}) attempt {Attempt} started", id, args[0], attempt);
        AdminResult answer;
        using (services.GetRequiredService<CareDb>().JoinEveryCommit(tx => AdminRequestLedger.MarkEffect(tx, id)))
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = await CliApp.RunAsync(args, stdout, stderr, overrides: null, shared: services).ConfigureAwait(false);
            answer = new AdminResult(code, stdout.ToString(), stderr.ToString());
        }

        await (CrashPoint?.Invoke("ran", cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        ledger.Finish(id, answer);
        await (CrashPoint?.Invoke("saved", cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        logger.LogInformation("Admin request {Verb} done with exit code {ExitCode}", args[0], answer.ExitCode);
        return answer;
    }

    private static AdminResult Refusal(string message) => new(ExitCodes.BadInput, "", "carebot: " + message + "\n");

    /// <summary>
    /// The answer may hold invite codes and phones: readable by the owner only, created new (a file or link put in its
    /// place is never written through), and not left lying about.
    /// </summary>
    private void Deliver(string id, AdminResult answer)
    {
        var temp = TempPath(storage.Value.DatabasePath, id, "result");
        try
        {
            PrivateFiles.WriteNew(temp, JsonSerializer.Serialize(answer));
            File.Move(temp, ResultPath(storage.Value.DatabasePath, id), overwrite: false);
        }
        catch (IOException ex)
        {
            logger.LogWarning("Admin request {RequestId}: the answer could not be put in place ({Error}); not answered", id, ex is PrivateFileException p ? p.TextId : ex.GetType().Name);
            if (ex is not PrivateFileException)
            {
                TryDelete(temp);
            }
        }
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

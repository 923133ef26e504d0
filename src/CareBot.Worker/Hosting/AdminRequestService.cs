using System.Text.Json;
using CareBot.Core;
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
        var language = services.GetService<CliLanguage>()?.Code ?? Texts.Chinese;
        AdminResult answer;
        try
        {
            string text;
            await using (var stream = PrivateFiles.OpenOwnerOnly(request, ExpectedOwner))
            using (var reader = new StreamReader(stream))
            {
                text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            var args = JsonSerializer.Deserialize<string[]>(text) ?? [];
            if (args.Length == 0 || !Verbs.Contains(args[0]))
            {
                answer = new AdminResult(ExitCodes.BadInput, "", "carebot: " + Texts.Get(language, "worker.only_admin_verbs", string.Join(", ", Verbs.Order(StringComparer.Ordinal))) + "\n");
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
            answer = new AdminResult(ExitCodes.BadInput, "", "carebot: " + Texts.Get(language, "worker.unreadable_request") + "\n");
        }
        catch (PrivateFileException refused)
        {
            // Not the worker's own kind of file: someone else's, readable by others, or a link. Nothing of it is read.
            logger.LogWarning("Admin request {RequestId} refused ({Reason})", id, refused.TextId);
            answer = new AdminResult(ExitCodes.BadInput, "", "carebot: " + Texts.Get(language, "worker.refused_request", refused.Render(language)) + "\n");
        }

        // The answer may hold invite codes and phones: readable by the owner only, created new (a file or link put in
        // its place is never written through), and not left lying about.
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
        finally
        {
            Interlocked.Increment(ref _handled);
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

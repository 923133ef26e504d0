using System.Text.Json;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Cli;

/// <summary>Thrown when the database is held by a running worker (see <see cref="AdminRequestService"/>).</summary>
internal sealed class DatabaseInUseException(Exception inner) : Exception("The database is in use by a running worker.", inner);

/// <summary>The CLI side of <see cref="AdminRequestService"/>: hands a verb to the running worker and relays its answer.</summary>
internal static class WorkerRequest
{
    /// <summary>How long the CLI waits for the running worker to answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<int> SendAsync(IDictionary<string, string?>? overrides, string[] args, TextWriter stdout, TextWriter stderr, string language, CancellationToken cancellationToken)
    {
        var databasePath = CareHost.StorageSettings(overrides, language).DatabasePath;
        var id = Guid.NewGuid().ToString("N");
        var request = Write(databasePath, id, args, language);
        await stderr.WriteLineAsync("carebot: " + Texts.Get(language, "worker.handing")).ConfigureAwait(false);

        var result = AdminRequestService.ResultPath(databasePath, id);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(result) && new FileInfo(result).LinkTarget is null)
        {
            if (waited.Elapsed > Timeout)
            {
                File.Delete(request);
                throw new ConfigurationErrorException(Texts.Get(language, "worker.no_answer", Timeout.TotalMinutes));
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        // The answer is the worker's: owned by the database file's owner, owner-only, not a link.
        var answer = Read(result, PrivateFiles.OwnerOf(databasePath), language);
        await stdout.WriteAsync(answer.Stdout).ConfigureAwait(false);
        await stderr.WriteAsync(answer.Stderr).ConfigureAwait(false);
        return answer.ExitCode;
    }

    /// <summary>
    /// Leaves the request beside the database: written to a new owner-only file, then moved into place without
    /// replacing anything. Returns the request's path. A file or link in the way is bad input (exit code 2).
    /// </summary>
    internal static string Write(string databasePath, string id, string[] args, string language)
    {
        var request = AdminRequestService.RequestPath(databasePath, id);
        var temp = AdminRequestService.TempPath(databasePath, id, "request");
        try
        {
            PrivateFiles.WriteNew(temp, JsonSerializer.Serialize(args));
            File.Move(temp, request, overwrite: false);
            return request;
        }
        catch (PrivateFileException refused)
        {
            throw new ConfigurationErrorException(refused.Render(language), refused);
        }
        catch (IOException ex)
        {
            File.Delete(temp);
            throw new ConfigurationErrorException(Texts.Get(language, "files.exists", request), ex);
        }
    }

    /// <summary>Reads and deletes the worker's answer; one that is not the worker's kind of file is refused (exit code 2).</summary>
    internal static AdminResult Read(string result, uint? owner, string language)
    {
        try
        {
            using var stream = PrivateFiles.OpenOwnerOnly(result, owner);
            return JsonSerializer.Deserialize<AdminResult>(stream)
                   ?? new AdminResult(ExitCodes.Unexpected, "", "carebot: " + Texts.Get(language, "worker.empty_answer") + "\n");
        }
        catch (PrivateFileException refused)
        {
            throw new ConfigurationErrorException(Texts.Get(language, "worker.refused_answer", refused.Render(language)), refused);
        }
        finally
        {
            try
            {
                File.Delete(result);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's file in a folder that keeps it: it was not read, and it stays their business.
            }
        }
    }
}

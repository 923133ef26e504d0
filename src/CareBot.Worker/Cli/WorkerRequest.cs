using System.Text.Json;
using CareBot.Core;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Cli;

/// <summary>Thrown when the database is held by a running worker (see <see cref="AdminRequestService"/>).</summary>
internal sealed class DatabaseInUseException(Exception inner) : Exception("The database is in use by a running worker.", inner);

/// <summary>The CLI side of <see cref="AdminRequestService"/>: hands a verb to the running worker and relays its answer.</summary>
internal static class WorkerRequest
{
    /// <summary>How long the CLI waits for the running worker to answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<int> SendAsync(IDictionary<string, string?>? overrides, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var databasePath = CareHost.StorageSettings(overrides).DatabasePath;
        var id = Guid.NewGuid().ToString("N");
        var request = AdminRequestService.RequestPath(databasePath, id);
        var result = AdminRequestService.ResultPath(databasePath, id);
        var temp = AdminRequestService.TempPath(databasePath, id);
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(args), cancellationToken).ConfigureAwait(false);
        File.Move(temp, request);
        await stderr.WriteLineAsync("carebot: the worker is running; handing the request to it ...").ConfigureAwait(false);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(result))
        {
            if (waited.Elapsed > Timeout)
            {
                File.Delete(request);
                throw new ConfigurationErrorException(
                    $"the database is in use and the worker did not answer within {Timeout.TotalMinutes:0} minutes; is `carebot run` healthy? Otherwise stop it and run the command again.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var answer = JsonSerializer.Deserialize<AdminResult>(await File.ReadAllTextAsync(result, cancellationToken).ConfigureAwait(false))
                     ?? new AdminResult(ExitCodes.Unexpected, "", "carebot: the worker's answer was empty.\n");
        File.Delete(result);
        await stdout.WriteAsync(answer.Stdout).ConfigureAwait(false);
        await stderr.WriteAsync(answer.Stderr).ConfigureAwait(false);
        return answer.ExitCode;
    }
}

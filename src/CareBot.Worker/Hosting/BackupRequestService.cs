using CareBot.Core;
using CareBot.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Hosting;

/// <summary>
/// Lets <c>carebot backup FILE</c> take a consistent copy while the worker holds the database: the CLI drops a
/// request file beside the database (<c>DB.backup-request</c>, holding the target path); the worker, which owns the
/// open database, writes the copy and answers in <c>DB.backup-result</c> ("ok ..." or "error ...").
/// </summary>
internal sealed class BackupRequestService(CareDb db, IOptions<StorageOptions> storage, TimeProvider time, ILogger<BackupRequestService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static string RequestPath(string databasePath) => Path.GetFullPath(databasePath) + ".backup-request";

    public static string ResultPath(string databasePath) => Path.GetFullPath(databasePath) + ".backup-result";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                HandlePendingRequest();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    internal void HandlePendingRequest()
    {
        var request = RequestPath(storage.Value.DatabasePath);
        if (!File.Exists(request))
        {
            return;
        }

        string answer;
        try
        {
            var target = File.ReadAllText(request).Trim();
            var counts = db.Backup(target, storage.Value.Password);
            answer = "ok " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
            logger.LogInformation("Backup written on request ({Collections} collections)", counts.Count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or StorageException or LiteDB.LiteException)
        {
            answer = "error " + ex.Message;
            logger.LogWarning(ex, "Backup request failed");
        }

        var result = ResultPath(storage.Value.DatabasePath);
        File.WriteAllText(result + ".tmp", answer);
        File.Move(result + ".tmp", result, overwrite: true);
        File.Delete(request);
    }
}

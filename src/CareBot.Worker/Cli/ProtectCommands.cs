using CareBot.Core.Protection;
using CareBot.Core.Storage;
using CareBot.Worker.Hosting;
using CareBot.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>Data protection verbs: forget (erase a child), backup (a consistent copy of the database).</summary>
internal static class ProtectCommands
{
    public static int Forget(string childId, TextWriter stdout, IDictionary<string, string?>? overrides)
    {
        if (string.IsNullOrWhiteSpace(childId))
        {
            throw new ConfigurationErrorException("--child: give the child's id (学号).");
        }

        using var host = CliApp.BuildHost(overrides);
        var services = host.Services;
        var forget = new ForgetService(services.GetRequiredService<CareDb>(), services.GetRequiredService<TimeProvider>());
        var result = forget.Forget(childId.Trim(), "cli")
            ?? throw new ConfigurationErrorException($"--child: no child with id '{childId.Trim()}' in the database; nothing was erased.");
        stdout.WriteLine(result.Summary());
        return ExitCodes.Ok;
    }

    private static bool InUse(Exception? ex) => ex switch
    {
        null => false,
        StorageException s when s.InUse => true,
        AggregateException a => a.InnerExceptions.Any(InUse),
        _ => InUse(ex.InnerException),
    };

    /// <summary>How long the CLI waits for the running worker to answer a backup request.</summary>
    public static readonly TimeSpan WorkerBackupTimeout = TimeSpan.FromMinutes(2);

    private static int BackupThroughWorker(FileInfo file, TextWriter stdout, IDictionary<string, string?>? overrides)
    {
        var config = CareHost.CreateBuilder([], overrides).Configuration;
        var databasePath = config["Storage:DatabasePath"] ?? new StorageOptions().DatabasePath;
        var request = BackupRequestService.RequestPath(databasePath);
        var result = BackupRequestService.ResultPath(databasePath);
        File.Delete(result);
        File.WriteAllText(request + ".tmp", file.FullName);
        File.Move(request + ".tmp", request, overwrite: true);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(result))
        {
            if (waited.Elapsed > WorkerBackupTimeout)
            {
                File.Delete(request);
                throw new ConfigurationErrorException(
                    $"the database is in use and the worker did not answer the backup request within {WorkerBackupTimeout.TotalSeconds:0} s; is `carebot run` healthy?");
            }

            Thread.Sleep(200);
        }

        var answer = File.ReadAllText(result);
        File.Delete(result);
        if (!answer.StartsWith("ok", StringComparison.Ordinal))
        {
            throw new ConfigurationErrorException($"{file.FullName}: the worker could not write the backup: {answer[Math.Min(6, answer.Length)..]}");
        }

        stdout.WriteLine($"backup written by the running worker to {file.FullName}: {answer[3..]}");
        return ExitCodes.Ok;
    }

    public static int Backup(FileInfo file, TextWriter stdout, IDictionary<string, string?>? overrides)
    {
        if (file.Exists)
        {
            throw new ConfigurationErrorException($"{file.FullName}: already exists; choose a new file name.");
        }

        Microsoft.Extensions.Hosting.IHost host;
        try
        {
            host = CliApp.BuildHost(overrides);
        }
        catch (Exception ex) when (InUse(ex))
        {
            // The running worker holds the file: ask it to write the copy.
            return BackupThroughWorker(file, stdout, overrides);
        }

        using (host)
        {
            var services = host.Services;
            var password = services.GetRequiredService<IOptions<StorageOptions>>().Value.Password;
            var counts = services.GetRequiredService<CareDb>().Backup(file.FullName, password);
            stdout.WriteLine($"backup written to {file.FullName}{(string.IsNullOrEmpty(password) ? "" : " (encrypted with Storage:Password)")}: "
                + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
            return ExitCodes.Ok;
        }
    }
}

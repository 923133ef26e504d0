using CareBot.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CareBot.Worker.Hosting;

/// <summary>
/// Fails loudly: when the database stops after a disk error (LiteDB 5.0.21 closes its engine on any I/O error, and a
/// failed fsync is never retried), the worker logs one clear line and stops with exit code 1, so Docker or systemd
/// restarts it, instead of retrying forever against a closed engine. At the restart the database is opened afresh,
/// and everything unconfirmed comes again (Telegram redelivers unconfirmed updates).
/// </summary>
public sealed class StorageFailureWatch : IHostedService
{
    private readonly CareDb _db;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<StorageFailureWatch> _logger;

    public StorageFailureWatch(CareDb db, IHostApplicationLifetime lifetime, ILogger<StorageFailureWatch> logger)
    {
        _db = db;
        _lifetime = lifetime;
        _logger = logger;
        _db.Failed += OnFailed;
    }

    /// <summary>Whether the database failed while the worker ran (the exit code is then 1).</summary>
    public bool Tripped { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_db.Failure is { } failure)
        {
            OnFailed(failure);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnFailed(Exception error)
    {
        if (Tripped)
        {
            return;
        }

        Tripped = true;
        _logger.LogCritical(
            "The database stopped ({ErrorType}: {ErrorMessage}: a disk error, or a database server out of reach too long); the worker exits with code 1 so that it is restarted",
            error.GetType().Name,
            error.Message);
        _lifetime.StopApplication();
    }
}

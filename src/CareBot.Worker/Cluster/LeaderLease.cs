using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareBot.Worker.Cluster;

/// <summary>Who may poll the chat channel: the poller waits for the lead and stops the moment it is lost.</summary>
public interface IPollLeadership
{
    /// <summary>
    /// Waits until this node leads and returns a token that is cancelled the moment it stops leading (the lock's
    /// connection lost, or a graceful stop).
    /// </summary>
    Task<CancellationToken> WaitToLeadAsync(CancellationToken stoppingToken);
}

/// <summary>
/// One poller in the cluster: the node that holds a PostgreSQL session-level advisory lock on a dedicated connection
/// leads. A session lock rather than a lease row because the server itself ends it with the session: a killed process
/// (its socket closed) or a host gone quiet (TCP keepalives, a few seconds) frees it at once, with no clock to trust
/// and no expiry to tune; the standbys try for it every <see cref="TryEvery"/>. Each takeover increments the epoch in
/// CareBot's own state (<see cref="EpochKey"/>, written in a storage turn, so it is ordered with every update's
/// transaction by the writers' lock): <see cref="LeaderFence"/> refuses an update polled under an older epoch.
/// The leader checks its connection every <see cref="CheckEvery"/> and stops polling as soon as it fails; a graceful
/// stop lets go at once. A node that lost the lead waits <see cref="Rejoin"/> before it tries again. The lease is
/// sought from the host's first start step (<see cref="IHostedLifecycleService.StartingAsync"/>), so a starting node
/// takes the lead while the other services start (Quartz makes its scheduler for half a second or more) rather than
/// after them; it still stops in its place among the services.
/// </summary>
public sealed class LeaderLease(ClusterDatabase cluster, WorkerNode node, CareDb db, TimeProvider time, ILogger<LeaderLease> logger)
    : BackgroundService, IPollLeadership, IHostedLifecycleService
{
    /// <summary>The state entry whose value is the current leader's epoch (its text: the leader's node id).</summary>
    public const string EpochKey = "cluster.epoch";

    public static readonly TimeSpan TryEvery = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Rejoin = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private Lead? _lead;
    private TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlConnection? _connection;
    private int _started;

    /// <summary>The epoch this node leads under, or null while it stands by.</summary>
    public long? Epoch => Volatile.Read(ref _lead)?.Epoch;

    public bool IsLeader => Epoch is not null;

    /// <summary>The process id of the lock's session on the server (for tests that cut it), or null.</summary>
    internal int? LockSession { get; private set; }

    public async Task<CancellationToken> WaitToLeadAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            Task leading;
            lock (_gate)
            {
                if (_lead is { } lead)
                {
                    return lead.Token;
                }

                leading = _leading.Task;
            }

            await leading.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts seeking the lead once, from whichever start step of the host comes first.</summary>
    public override Task StartAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _started, 1) == 0 ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the connection is opened off the host's start
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _connection = cluster.OpenDedicated();
                LockSession = _connection.ProcessID;
                while (!TryLock(_connection))
                {
                    await Task.Delay(TryEvery, time, stoppingToken).ConfigureAwait(false);
                }

                var epoch = db.Write(tx =>
                {
                    var entry = tx.State.FindById(EpochKey) ?? new StateEntry { Id = EpochKey };
                    entry.Value++;
                    entry.Text = node.Id;
                    tx.State.Upsert(entry);
                    tx.AuditWrite(time.GetUtcNow().UtcDateTime, "system", EpochKey, null, string.Create(CultureInfo.InvariantCulture, $"epoch:{entry.Value} node:{node.Id}"));
                    return entry.Value;
                });
                Take(epoch);
                logger.LogInformation("Node {Node} polls the chat channel (epoch {Epoch})", node.Id, epoch);
                while (true)
                {
                    await Task.Delay(CheckEvery, time, stoppingToken).ConfigureAwait(false);
                    Ping(_connection);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or StorageException or StorageBusyException or StorageFaultException or IOException or TimeoutException or InvalidOperationException)
            {
                var epoch = Epoch;
                Resign();
                if (epoch is not null)
                {
                    logger.LogWarning("Node {Node} lost its connection to the database and stopped polling (epoch {Epoch}): {Reason}", node.Id, epoch, ex.Message);
                }
                else
                {
                    logger.LogWarning("Node {Node} cannot stand for the poller: {Reason}", node.Id, ex.Message);
                }

                ProbeStorage();
                try
                {
                    await Task.Delay(Rejoin, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                Resign();
            }
        }
    }

    /// <summary>
    /// Without the lead no turn of this node reaches the database (the poller and the sender wait), so the database
    /// could never count an outage towards <c>Storage:GiveUpAfterSeconds</c>: one read each round does. Past the
    /// give-up time the database fails and the worker stops as failed (exit 1), to be restarted.
    /// </summary>
    private void ProbeStorage()
    {
        try
        {
            _ = db.Read(tx => tx.State.FindById(EpochKey));
        }
        catch (Exception ex) when (ex is StorageBusyException or StorageFailedException or StorageFaultException)
        {
            // Counted by the database itself; StorageFailureWatch stops the worker once it has failed.
        }
    }

    /// <summary>Stops polling first, then lets go of the lock (closing its connection ends the session's lock).</summary>
    private void Resign()
    {
        Lead? lead;
        lock (_gate)
        {
            lead = _lead;
            _lead = null;
        }

        if (lead is not null)
        {
            lead.Cancel();
            lead.Dispose();
            logger.LogInformation("Node {Node} no longer polls (epoch {Epoch})", node.Id, lead.Epoch);
        }

        var connection = Interlocked.Exchange(ref _connection, null);
        LockSession = null;
        try
        {
            connection?.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
        {
            // The session is gone either way, and its lock with it.
        }
    }

    private void Take(long epoch)
    {
        lock (_gate)
        {
            _lead = new Lead(epoch);
            _leading.TrySetResult();
            _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private static bool TryLock(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"SELECT pg_try_advisory_lock({ClusterDatabase.LeaderLock})"), connection);
        return command.ExecuteScalar() is true;
    }

    private static void Ping(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 3 };
        command.ExecuteScalar();
    }

    public override void Dispose()
    {
        Resign();
        base.Dispose();
    }

    private sealed class Lead(long epoch) : IDisposable
    {
        private readonly CancellationTokenSource _lost = new();

        public long Epoch { get; } = epoch;

        public CancellationToken Token => _lost.Token;

        public void Cancel()
        {
            _lost.Cancel();
        }

        /// <summary>After <see cref="Cancel"/>: a token handed out stays cancelled.</summary>
        public void Dispose() => _lost.Dispose();
    }
}

using Npgsql;

namespace CareBot.Storage.Postgres;

/// <summary>
/// Hears the outbox's notifications (<see cref="PgSchema.OutboxChannel"/>: rows added or released, by any process) on
/// a connection of its own and calls back for each. When the connection is lost it connects again after a pause, and
/// calls back once then, since something may have been added meanwhile. A quiet connection is checked every half
/// minute, so a server gone silent is noticed. Only a wake-up: the sender still looks at the outbox on its own timer.
/// </summary>
internal sealed class PgOutboxListener : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PgOutboxListener(NpgsqlDataSource source, Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        _loop = Task.Run(() => ListenAsync(source, changed, _stop.Token));
    }

    private static async Task ListenAsync(NpgsqlDataSource source, Action changed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, _) => changed();
                await using (var listen = new NpgsqlCommand("LISTEN " + PgSchema.OutboxChannel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                changed();
                while (true)
                {
                    if (!await connection.WaitAsync(Quiet, stop).ConfigureAwait(false))
                    {
                        await using var check = new NpgsqlCommand("SELECT 1", connection);
                        await check.ExecuteScalarAsync(stop).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // The server out of reach: the storage turns report it; listen again when it is back.
                try
                {
                    await Task.Delay(Pause, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopped: whatever it ended with no longer matters.
        }

        _stop.Dispose();
    }
}

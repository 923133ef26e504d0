using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CareBot.Worker.Hosting;

/// <summary>
/// The <see cref="IOptionsMonitor{T}"/> of CareBot's settings. The first value is built and validated at start (a bad
/// setting stops start-up). When appsettings.json changes while the worker runs, the section is bound and validated
/// again: a valid result replaces the current value and is handed to the change listeners; an invalid one is logged
/// by key and the last good value stays, so the reminders and weekly updates keep their schedule. (The framework's
/// monitor would instead throw on every read until the file is fixed.)
/// </summary>
public sealed class LastGoodOptionsMonitor<T> : IOptionsMonitor<T>, IDisposable
    where T : class
{
    private readonly IOptionsFactory<T> _factory;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _registrations = [];
    private readonly Lock _gate = new();
    private readonly List<Action<T, string?>> _listeners = [];
    private T? _current;
    private string? _lastRejected;
    private int _reloads;

    public LastGoodOptionsMonitor(IOptionsFactory<T> factory, IEnumerable<IOptionsChangeTokenSource<T>> sources, ILogger<LastGoodOptionsMonitor<T>> logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _factory = factory;
        _logger = logger;
        foreach (var source in sources)
        {
            _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
        }
    }

    /// <summary>The last valid value; built (and validated, throwing when invalid) on first use.</summary>
    public T CurrentValue
    {
        get
        {
            lock (_gate)
            {
                return _current ??= _factory.Create(Options.DefaultName);
            }
        }
    }

    /// <summary>How many edits were looked at since start, valid or not (for tests and diagnostics).</summary>
    internal int Reloads => Volatile.Read(ref _reloads);

    /// <summary>The keys of the last edit that was refused, while it stands; null after a valid one.</summary>
    internal string? RejectedKeys
    {
        get
        {
            lock (_gate)
            {
                return _lastRejected;
            }
        }
    }

    public T Get(string? name) => name is null || name == Options.DefaultName ? CurrentValue : _factory.Create(name);

    public IDisposable OnChange(Action<T, string?> listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    /// <summary>Binds and validates the section again; applies it only when valid. Never throws: it runs from a file watcher.</summary>
    internal void Reload()
    {
        T fresh;
        try
        {
            fresh = _factory.Create(Options.DefaultName);
        }
        catch (Exception ex) when (SettingErrors.IsSettingsError(ex))
        {
            var keys = string.Join(", ", SettingErrors.Keys(ex));
            bool repeated;
            lock (_gate)
            {
                repeated = keys == _lastRejected;
                _lastRejected = keys;
            }

            // Keys only: a value can be someone's phone number.
            _logger.Log(
                repeated ? LogLevel.Debug : LogLevel.Error,
                "The edited settings are not valid ({Keys}); the worker keeps its last good {Section} settings until they are fixed",
                keys,
                typeof(T).Name);
            Interlocked.Increment(ref _reloads);
            return;
        }

        List<Action<T, string?>> listeners;
        lock (_gate)
        {
            _current = fresh;
            _lastRejected = null;
            listeners = [.. _listeners];
        }

        Interlocked.Increment(ref _reloads);

        foreach (var listener in listeners)
        {
            try
            {
                listener(fresh, Options.DefaultName);
            }
            catch (Exception ex)
            {
                // One listener must not keep the others from the new settings.
                _logger.LogError(ex, "Applying changed {Section} settings failed", typeof(T).Name);
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    private sealed class Subscription(LastGoodOptionsMonitor<T> owner, Action<T, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._listeners.Remove(listener);
            }
        }
    }
}

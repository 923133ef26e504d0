using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CareBot.Worker.Tests;

/// <summary>Captures every log line (all levels) with its level, category, properties and exception.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(e => $"{e.Level} {e.Category}: {e.Text}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var props = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Entries.Enqueue((logLevel, category, $"{formatter(state, exception)} [{props}] {exception}"));
        }
    }
}

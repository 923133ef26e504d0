using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CareBot.Worker.Tests;

/// <summary>Captures every log line (all levels) with its level, category, properties and exception.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(e => $"{e.Level} {e.Category}: {e.Text}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>How many lines the category ending in <paramref name="category"/> (a class name) logged.</summary>
    public int CountFrom(string category) => Entries.Count(e => e.Category.EndsWith(category, StringComparison.Ordinal));

    /// <summary>
    /// Fails if any captured line (message, properties or exception) holds one of <paramref name="privates"/> or an
    /// 11-digit mobile number.
    /// </summary>
    public void AssertHoldsNone(IEnumerable<string> privates)
    {
        var log = string.Join("\n", Lines);
        Assert.DoesNotMatch(@"(?<!\d)1[3-9]\d{9}(?!\d)", log);
        foreach (var secret in privates.Where(p => p.Length > 0))
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

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

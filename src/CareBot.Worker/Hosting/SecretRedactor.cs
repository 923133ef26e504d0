using Serilog.Core;
using Serilog.Events;

namespace CareBot.Worker.Hosting;

/// <summary>
/// A second line of defence for the bot token, which Telegram puts in every request URL: any log property holding it
/// (a URL, a message, a nested value) is rewritten with the token masked before any sink sees the event. The first line
/// is that the Telegram HttpClient has no request logging (see <c>AddTelegramChannel</c>).
/// </summary>
public sealed class SecretRedactor(Func<string?> secret) : ILogEventEnricher
{
    public const string Mask = "***";

    private readonly Lazy<string?> _secret = new(() =>
    {
        var value = secret();
        return string.IsNullOrWhiteSpace(value) ? null : value;
    });

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (_secret.Value is not { } token)
        {
            return;
        }

        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (Redact(value, token) is { } redacted)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    /// <summary>The value with the token masked, or null when it does not hold the token.</summary>
    private static LogEventPropertyValue? Redact(LogEventPropertyValue value, string token)
    {
        switch (value)
        {
            case ScalarValue { Value: string text } when text.Contains(token, StringComparison.Ordinal):
                return new ScalarValue(text.Replace(token, Mask, StringComparison.Ordinal));
            case ScalarValue { Value: not null and not string } scalar when scalar.Value.ToString() is { } text && text.Contains(token, StringComparison.Ordinal):
                return new ScalarValue(text.Replace(token, Mask, StringComparison.Ordinal));
            case SequenceValue sequence:
                var items = sequence.Elements.Select(e => Redact(e, token)).ToList();
                return items.Any(i => i is not null)
                    ? new SequenceValue(sequence.Elements.Select((e, i) => items[i] ?? e))
                    : null;
            case StructureValue structure:
                var properties = structure.Properties.Select(p => Redact(p.Value, token)).ToList();
                return properties.Any(p => p is not null)
                    ? new StructureValue(structure.Properties.Select((p, i) => properties[i] is { } r ? new LogEventProperty(p.Name, r) : p), structure.TypeTag)
                    : null;
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => Redact(e.Value, token)).ToList();
                return entries.Any(e => e is not null)
                    ? new DictionaryValue(dictionary.Elements.Select((e, i) => new KeyValuePair<ScalarValue, LogEventPropertyValue>(e.Key, entries[i] ?? e.Value)))
                    : null;
            default:
                return null;
        }
    }
}

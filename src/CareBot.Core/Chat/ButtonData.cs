namespace CareBot.Core.Chat;

/// <summary>
/// The data of an inline button: a verb and its arguments joined by ':' (<c>sg:ack:12</c>). Telegram allows 64 bytes;
/// arguments must not hold ':'. One place that builds and parses them, so a button and its handler cannot drift apart.
/// </summary>
public sealed record ButtonData(string Verb, IReadOnlyList<string> Args)
{
    /// <summary>Telegram's limit for callback data, in bytes.</summary>
    public const int MaxBytes = 64;

    public static string Format(string verb, params string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(verb);
        ArgumentNullException.ThrowIfNull(args);
        if (verb.Contains(':', StringComparison.Ordinal) || args.Any(a => a.Contains(':', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Button arguments must not contain ':'.", nameof(args));
        }

        var data = string.Join(':', [verb, .. args]);
        return System.Text.Encoding.UTF8.GetByteCount(data) <= MaxBytes ? data : throw new ArgumentException("Button data is longer than 64 bytes.", nameof(args));
    }

    /// <summary>The button's verb and arguments; an empty verb for empty data.</summary>
    public static ButtonData Parse(string? data)
    {
        var parts = (data ?? "").Split(':');
        return new ButtonData(parts[0], parts.Skip(1).ToArray());
    }

    /// <summary>The argument at <paramref name="index"/>, or "" when there is none.</summary>
    public string Arg(int index) => index < Args.Count ? Args[index] : "";
}

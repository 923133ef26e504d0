namespace CareBot.LocalBotApi;

/// <summary>Kinds of injected faults.</summary>
public enum FaultKind
{
    /// <summary>429 with retry_after <see cref="LocalBotApiOptions.FaultRetryAfterSeconds"/>; nothing delivered.</summary>
    TooManyRequests,

    /// <summary>500 or 502; nothing delivered.</summary>
    ServerError,

    /// <summary>Handled only after <see cref="LocalBotApiOptions.SlowDelay"/>; nothing delivered if the client gives up first.</summary>
    Slow,

    /// <summary>Handled (delivered, if valid), then the connection is aborted without a response.</summary>
    Drop,
}

/// <summary>What the dice decided for one call.</summary>
internal readonly record struct FaultPlan(FaultKind? Failure, bool Slow, int ServerErrorStatus)
{
    public static FaultPlan None => default;
}

/// <summary>
/// Seeded fault dice. Every roll draws the same three numbers, so the number of faults in N calls
/// depends only on the seed, whatever order concurrent calls arrive in. Not thread-safe; the caller holds its lock.
/// </summary>
internal sealed class FaultInjector(LocalBotApiOptions options)
{
    private readonly Random _random = new(options.Seed);
    private readonly Dictionary<FaultKind, int> _counts = [];

    private static readonly HashSet<string> SendMethods =
        new(StringComparer.OrdinalIgnoreCase) { "sendMessage", "sendPhoto", "sendVoice", "sendMediaGroup", "copyMessage" };

    /// <summary>The methods that deliver messages: faults hit them by default, and they share the send limits.</summary>
    public static bool IsSend(string method) => SendMethods.Contains(method);

    public bool Applies(string method)
    {
        if (IsSend(method))
        {
            return true;
        }

        if (method.Equals("getUpdates", StringComparison.OrdinalIgnoreCase))
        {
            return options.FaultsOnAllMethods && options.FaultsOnGetUpdates;
        }

        return options.FaultsOnAllMethods;
    }

    public FaultPlan Roll()
    {
        var outcome = _random.NextDouble();
        var status = _random.NextDouble() < 0.5 ? 500 : 502;
        var slow = _random.NextDouble() < options.SlowRate;

        FaultKind? failure = null;
        if (outcome < options.Fault429Rate)
        {
            failure = FaultKind.TooManyRequests;
        }
        else if (outcome < options.Fault429Rate + options.Fault5xxRate)
        {
            failure = FaultKind.ServerError;
        }
        else if (outcome < options.Fault429Rate + options.Fault5xxRate + options.DropRate)
        {
            failure = FaultKind.Drop;
        }

        if (failure is { } kind)
        {
            Count(kind);
        }

        if (slow)
        {
            Count(FaultKind.Slow);
        }

        return new FaultPlan(failure, slow, status);
    }

    public Dictionary<FaultKind, int> Snapshot() => new(_counts);

    private void Count(FaultKind kind) => _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
}

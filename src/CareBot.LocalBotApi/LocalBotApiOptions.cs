using Microsoft.Extensions.Logging;

namespace CareBot.LocalBotApi;

/// <summary>
/// Settings of the built-in local Bot API server. Defaults follow Telegram's published limits
/// and inject no faults; tests and <c>carebot demo</c> change what they need.
/// </summary>
public sealed class LocalBotApiOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Bot token the server accepts; null makes one from <see cref="BotId"/> and <see cref="Seed"/>.</summary>
    public string? Token { get; set; }

    public long BotId { get; set; } = 7_000_000_001;
    public string BotUsername { get; set; } = "carebot_local_bot";
    public string BotFirstName { get; set; } = "CareBot";

    /// <summary>Id of the first update handed out by getUpdates.</summary>
    public int FirstUpdateId { get; set; } = 100_000_001;

    /// <summary>Clock for rate windows and message dates. Long polls and <see cref="SlowDelay"/> wait in real time.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>At most one accepted message per chat per this interval (Telegram: about 1 s); an album of N waits N intervals.</summary>
    public TimeSpan PerChatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Slack for clients that schedule on their own clocks; applied to both limits.</summary>
    public TimeSpan PerChatTolerance { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Accepted messages (an album counts one per item) in any sliding 1-second window, across all chats (Telegram: about 30).</summary>
    public int GlobalPerSecond { get; set; } = 30;

    /// <summary>Seed of the fault dice, so a run with faults is repeatable.</summary>
    public int Seed { get; set; } = 20_240_601;

    /// <summary>Share of calls answered 429 with retry_after <see cref="FaultRetryAfterSeconds"/>.</summary>
    public double Fault429Rate { get; set; }

    public int FaultRetryAfterSeconds { get; set; } = 1;

    /// <summary>Share of calls answered 500 (JSON) or 502 (an HTML page, like Telegram's front proxy).</summary>
    public double Fault5xxRate { get; set; }

    /// <summary>Share of calls whose handling starts only after <see cref="SlowDelay"/> (independent of the other faults).</summary>
    public double SlowRate { get; set; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Share of calls that are carried out and then lose their response (connection aborted).</summary>
    public double DropRate { get; set; }

    /// <summary>
    /// Faults hit the send methods (sendMessage, sendPhoto, sendVoice, sendMediaGroup, copyMessage) only unless this is
    /// set (then every method except getUpdates).
    /// </summary>
    public bool FaultsOnAllMethods { get; set; }

    /// <summary>Lets faults hit getUpdates too (needs <see cref="FaultsOnAllMethods"/>).</summary>
    public bool FaultsOnGetUpdates { get; set; }

    /// <summary>Lowest level the embedded web host logs at.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Replaces the default logging (console, <see cref="MinimumLogLevel"/>) of the embedded web host.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    internal void Validate()
    {
        static void Rate(double value, string name)
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");
            }
        }

        Rate(Fault429Rate, nameof(Fault429Rate));
        Rate(Fault5xxRate, nameof(Fault5xxRate));
        Rate(SlowRate, nameof(SlowRate));
        Rate(DropRate, nameof(DropRate));
        if (Fault429Rate + Fault5xxRate + DropRate > 1)
        {
            throw new ArgumentException("Fault429Rate + Fault5xxRate + DropRate must not exceed 1.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0..65535.");
        }

        if (GlobalPerSecond < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GlobalPerSecond), GlobalPerSecond, "GlobalPerSecond must be at least 1.");
        }

        if (FaultRetryAfterSeconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FaultRetryAfterSeconds), FaultRetryAfterSeconds, "FaultRetryAfterSeconds must be at least 1.");
        }

        if (PerChatInterval < TimeSpan.Zero || PerChatTolerance < TimeSpan.Zero || SlowDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("PerChatInterval, PerChatTolerance and SlowDelay must not be negative.");
        }
    }
}

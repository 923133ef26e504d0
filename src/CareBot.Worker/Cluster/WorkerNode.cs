using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace CareBot.Worker.Cluster;

/// <summary>This process as a node of the cluster: its id, and the hash of the settings it runs with.</summary>
public sealed class WorkerNode
{
    /// <summary>The sections whose effective values make the settings hash (secrets left out).</summary>
    internal static readonly string[] HashedSections = ["CareBot", "Telegram", "Storage"];

    /// <summary>Settings that are secret, or that rightly differ from node to node: never hashed, never shown.</summary>
    internal static readonly string[] Unhashed = ["Telegram:BotToken", "Storage:Password", "Storage:ConnectionString", "Storage:DatabasePath"];

    public WorkerNode(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Host = Environment.MachineName;
        ProcessId = Environment.ProcessId;
        Id = string.Create(CultureInfo.InvariantCulture, $"{Host}-{ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
        SettingsHash = HashOf(configuration);
    }

    /// <summary>Host name, process id and a random suffix: unique even when a container reuses a pid.</summary>
    public string Id { get; }

    public string Host { get; }

    public int ProcessId { get; }

    /// <summary>SHA-256 (hex) of the effective CareBot, Telegram and Storage settings, secrets and per-node paths left out.</summary>
    public string SettingsHash { get; }

    /// <summary>The hash of <paramref name="configuration"/>'s effective settings: every key of the hashed sections, in order.</summary>
    public static string HashOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var lines = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in HashedSections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null && !Unhashed.Any(u => string.Equals(u, key, StringComparison.OrdinalIgnoreCase)))
                {
                    lines[key] = value;
                }
            }
        }

        var text = string.Join('\n', lines.Select(l => l.Key.ToUpperInvariant() + "=" + l.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

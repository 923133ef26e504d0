using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CareBot.Core.Model;

/// <summary>
/// Where a person is reached: a chat channel (a short lowercase name, "telegram" today) and the channel's own id of
/// the chat, as text. Core compares addresses and never reads the id; the channel's adapter makes addresses from its
/// ids and takes the id back out when it calls its server. Stored as one text, <c>channel:id</c>
/// ("telegram:123456789"), on every provider, so the look-up of a person by their chat is one indexed equality.
/// </summary>
/// <remarks>
/// Format rules: the channel is 1–16 of a–z, 0–9, '-', starting with a letter (given in any case, kept lowercase); the
/// id is 1–64 printable characters without spaces (it may hold ':'; the text splits at the first). Two addresses are
/// equal when their texts are equal without regard to case, as every stored text in CareBot compares (LiteDB's
/// collation, PostgreSQL's upper()): a channel whose ids differ only in case would have to encode them.
/// </remarks>
[JsonConverter(typeof(ChatAddressJsonConverter))]
public sealed class ChatAddress : IEquatable<ChatAddress>
{
    public const int MaxChannelLength = 16;

    public const int MaxIdLength = 64;

    public ChatAddress(string channel, string id)
    {
        Channel = IsChannel(channel) ? channel.ToLowerInvariant() : throw new ArgumentException("A chat channel is 1-16 of a-z, 0-9 and '-', starting with a letter.", nameof(channel));
        Id = IsId(id) ? id : throw new ArgumentException("A chat id is 1-64 printable characters without spaces.", nameof(id));
    }

    /// <summary>The channel's name, lowercase ("telegram").</summary>
    public string Channel { get; }

    /// <summary>The channel's id of the chat (Telegram: the chat id in digits, "-" first for a group).</summary>
    public string Id { get; }

    /// <summary>The stored text, <c>channel:id</c>.</summary>
    public override string ToString() => Channel + ":" + Id;

    /// <summary>An address from its stored text; throws <see cref="FormatException"/> when the text is not one.</summary>
    public static ChatAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException("Not a chat address (channel:id).");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out ChatAddress? address)
    {
        address = null;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || !IsChannel(text![..colon]) || !IsId(text[(colon + 1)..]))
        {
            return false;
        }

        address = new ChatAddress(text[..colon], text[(colon + 1)..]);
        return true;
    }

    private static bool IsChannel(string? channel) =>
        channel is { Length: > 0 and <= MaxChannelLength } && char.IsAsciiLetter(channel[0])
        && channel.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => !char.IsWhiteSpace(c) && !char.IsControl(c));

    public bool Equals(ChatAddress? other) =>
        other is not null && string.Equals(Channel, other.Channel, StringComparison.Ordinal) && string.Equals(Id, other.Id, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as ChatAddress);

    public override int GetHashCode() => HashCode.Combine(Channel, StringComparer.OrdinalIgnoreCase.GetHashCode(Id));

    public static bool operator ==(ChatAddress? left, ChatAddress? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ChatAddress? left, ChatAddress? right) => !(left == right);
}

/// <summary>A chat address in JSON is its one text, "channel:id" (as LiteDB keeps it): PostgreSQL's jsonb documents, any reader of them.</summary>
internal sealed class ChatAddressJsonConverter : JsonConverter<ChatAddress>
{
    public override ChatAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ChatAddress.TryParse(reader.GetString(), out var address) ? address : throw new JsonException("Not a chat address (channel:id).");

    public override void Write(Utf8JsonWriter writer, ChatAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}

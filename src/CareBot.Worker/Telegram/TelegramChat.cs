using System.Globalization;
using CareBot.Core.Model;

namespace CareBot.Worker.Telegram;

/// <summary>
/// The Telegram channel's chat addresses: a Telegram chat id (a private chat's is the user's id, a group's starts with
/// "-") as a <see cref="ChatAddress"/>, "telegram:123456789", and back when the adapter calls the Bot API. Only this
/// adapter reads the id of an address.
/// </summary>
public static class TelegramChat
{
    /// <summary>The channel's name: it keys the addresses, the poll offset and the id sequence ("telegram.offset").</summary>
    public const string ChannelName = "telegram";

    public static ChatAddress Address(long chatId) => new(ChannelName, chatId.ToString(CultureInfo.InvariantCulture));

    /// <summary>The Telegram chat id of <paramref name="address"/>; false for another channel's address.</summary>
    public static bool TryGetId(ChatAddress? address, out long chatId)
    {
        chatId = 0;
        return address is not null && address.Channel == ChannelName
            && long.TryParse(address.Id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId);
    }

    /// <summary>The Telegram chat id of an address this adapter made; throws for another channel's.</summary>
    public static long IdOf(ChatAddress address) =>
        TryGetId(address, out var id) ? id : throw new ArgumentException("Not a Telegram chat address.", nameof(address));
}

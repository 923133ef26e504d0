using System.Globalization;
using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Tests.Shared;

/// <summary>
/// The tests script their people in Telegram chat ids, as the Telegram adapter receives them: <see cref="At(long)"/>
/// makes the address the adapter would ("telegram:100"), and <c>TelegramId</c> reads a stored address back as the
/// number, for assertions. Core and storage only ever see the <see cref="ChatAddress"/>.
/// </summary>
#pragma warning disable CA1708 // the extension blocks of several types
public static class TelegramChats
{
    public const string Channel = "telegram";

    public static ChatAddress At(long chatId) => new(Channel, chatId.ToString(CultureInfo.InvariantCulture));

    public static ChatAddress? At(long? chatId) => chatId is { } id ? At(id) : null;

    /// <summary>The Telegram chat id of an address, or null (none, or another channel's).</summary>
    public static long? IdOf(ChatAddress? address) =>
        address is { Channel: Channel } && long.TryParse(address.Id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? id : null;

    extension(Person person)
    {
        /// <summary>The person's Telegram chat id, or null when not linked.</summary>
        public long? TelegramId => IdOf(person.Chat);
    }

    extension(OutboxMessage row)
    {
        /// <summary>The row's Telegram chat id (0: none, a row held for someone not linked).</summary>
        public long TelegramId => IdOf(row.Chat) ?? 0;
    }

    extension(OutMedia media)
    {
        public long? CopyFromTelegramId => IdOf(media.CopyFrom);
    }

    extension(IncomingMessage message)
    {
        public long TelegramId => IdOf(message.Chat) ?? 0;
    }
}

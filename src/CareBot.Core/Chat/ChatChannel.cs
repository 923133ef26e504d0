namespace CareBot.Core.Chat;

/// <summary>
/// A chat channel as the core sees it: its name, which keys the channel's own state (the poll offset and the id
/// sequence of its server). The Telegram adapter is one (<c>TelegramPoller.Channel</c>); a second channel is another
/// adapter with a name of its own, and its state never mixes with Telegram's.
/// </summary>
public sealed record ChatChannel(string Name)
{
    /// <summary>The address of one of this channel's chats, by the channel's own id of it.</summary>
    public Model.ChatAddress Address(string id) => new(Name, id);

    /// <summary>The next update id to ask the channel's server for.</summary>
    public string OffsetKey => Name + ".offset";

    /// <summary>The current id sequence of the channel's server (0 until its ids first went back).</summary>
    public string SequenceKey => Name + ".sequence";
}

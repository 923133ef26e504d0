namespace CareBot.Core.Model;

/// <summary>What kind of media a chat message carried.</summary>
public enum MediaKind
{
    /// <summary>A sticker, document, video or anything else CareBot does not keep.</summary>
    Other = 0,
    Photo = 1,
    Voice = 2,
}

/// <summary>
/// A reference to a file the channel keeps on its servers (Telegram's file_id, valid for this bot, and the stable
/// file_unique_id). Never the bytes. Caption and size are the sender's; logs never hold any of these.
/// </summary>
public sealed class MediaRef
{
    public MediaKind Kind { get; set; }
    public string FileId { get; set; } = "";
    public string FileUniqueId { get; set; } = "";
    public string? Caption { get; set; }
    /// <summary>Size in bytes as the channel reported it, when it did.</summary>
    public long? Size { get; set; }
    /// <summary>A voice note's length in seconds.</summary>
    public int? DurationSeconds { get; set; }
}

/// <summary>How an outbox row with media is sent.</summary>
public enum OutMediaKind
{
    /// <summary>A photo by file id; the row's Text is the caption.</summary>
    Photo = 1,
    /// <summary>A voice note by file id; the row's Text is the caption.</summary>
    Voice = 2,
    /// <summary>Several photos as one album (2–10 items), each with its own caption.</summary>
    Album = 3,
    /// <summary>A copy of a chat message (copyMessage, no "forwarded from"); the row's Text, when not empty, is the new caption.</summary>
    Copy = 4,
}

/// <summary>One photo of an album.</summary>
public sealed class OutAlbumItem
{
    public string FileId { get; set; } = "";
    public string? Caption { get; set; }
}

/// <summary>The media of an outbox row (new with issue 13; text-only rows have none).</summary>
public sealed class OutMedia
{
    public OutMediaKind Kind { get; set; }
    public string? FileId { get; set; }
    public List<OutAlbumItem> Album { get; set; } = [];
    /// <summary>A copy's source chat (with <see cref="CopyMessageId"/>, the message in it).</summary>
    public ChatAddress? CopyFrom { get; set; }
    public int? CopyMessageId { get; set; }

    /// <summary>How many messages this is for the rate limits: an album counts one per item.</summary>
    public int MessageCount => Kind == OutMediaKind.Album ? Math.Max(1, Album.Count) : 1;
}

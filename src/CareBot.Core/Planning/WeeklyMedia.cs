using CareBot.Core.Model;
using CareBot.Core.Text;

namespace CareBot.Core.Planning;

/// <summary>
/// The week's photos and voice notes of a child, sent after the weekly update to that child's parents only: several
/// photos as albums of up to 10 (one photo alone), each voice note on its own, every item captioned with its date and
/// kind. Keys follow the weekly row's: <c>weekly:{parent}:{child}:{week}:album:{n}</c>, <c>…:photo:{record}</c>,
/// <c>…:voice:{record}</c>.
/// </summary>
public static class WeeklyMedia
{
    /// <summary>Telegram's sendMediaGroup takes 2–10 items.</summary>
    public const int AlbumMax = 10;

    /// <summary>The carers' photo and voice records of the week (not parents' messages, not private notes), oldest first.</summary>
    public static List<CareRecord> Of(IEnumerable<CareRecord>? records) =>
        records?.Where(r => r.Media is { Kind: MediaKind.Photo or MediaKind.Voice } && r.Kind is CareKind.Visit or CareKind.Talk or CareKind.Diary or CareKind.Activity && r.Privacy == NotePrivacy.Shared)
            .OrderBy(r => r.LocalDate).ThenBy(r => r.AtUtc).ThenBy(r => r.Id).ToList() ?? [];

    /// <summary>The line in the update text saying what follows; null when nothing does.</summary>
    public static string? FollowLine(string lang, List<CareRecord> media)
    {
        if (media.Count == 0)
        {
            return null;
        }

        return Texts.Get(lang, "media.weekly_follow", media.Count(r => r.Media!.Kind == MediaKind.Photo), media.Count(r => r.Media!.Kind == MediaKind.Voice));
    }

    /// <summary>The rows for one parent, after that parent's weekly update row.</summary>
    public static IEnumerable<OutboxMessage> Rows(Person parent, string childId, string week, string weeklyKey, List<CareRecord> media)
    {
        var lang = PlanText.Lang(parent.Language);
        var photos = media.Where(r => r.Media!.Kind == MediaKind.Photo).ToList();
        var n = 0;
        foreach (var chunk in photos.Chunk(AlbumMax))
        {
            n++;
            OutMedia item = chunk.Length == 1
                ? new OutMedia { Kind = OutMediaKind.Photo, FileId = chunk[0].Media!.FileId }
                : new OutMedia { Kind = OutMediaKind.Album, Album = chunk.Select(r => new OutAlbumItem { FileId = r.Media!.FileId, Caption = Caption(lang, r) }).ToList() };
            yield return Row(parent, childId, week, chunk.Length == 1 ? $"{weeklyKey}:photo:{chunk[0].Id}" : $"{weeklyKey}:album:{n}", item, chunk.Length == 1 ? Caption(lang, chunk[0]) : "");
        }

        foreach (var voice in media.Where(r => r.Media!.Kind == MediaKind.Voice))
        {
            yield return Row(parent, childId, week, $"{weeklyKey}:voice:{voice.Id}", new OutMedia { Kind = OutMediaKind.Voice, FileId = voice.Media!.FileId }, Caption(lang, voice));
        }
    }

    /// <summary>"11月23日 家访照片" / "Nov 23 home visit photo", then the sender's caption if any (within 1,024).</summary>
    public static string Caption(string lang, CareRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var kind = Texts.Get(lang, "media.record." + record.Kind.ToString().ToLowerInvariant());
        var what = Texts.Get(lang, record.Media!.Kind == MediaKind.Voice ? "media.kind.voice" : "media.kind.photo");
        var line = Texts.Get(lang, "media.weekly_caption", PlanText.Date(lang, record.LocalDate), kind, what);
        var caption = record.Media.Caption is { Length: > 0 } c && !c.TrimStart().StartsWith('/') ? c : record.Text;
        var text = caption.Length > 0 ? line + "\n" + caption : line;
        return Outbox.HeldMessages.FitCaption(text);
    }

    private static OutboxMessage Row(Person parent, string childId, string week, string key, OutMedia media, string caption) => new()
    {
        Key = key,
        PersonId = parent.Id,
        Chat = parent.Chat,
        Text = caption,
        Kind = OutboxKind.WeeklyMedia,
        Priority = OutboxPriority.Bulk,
        ChildId = childId,
        Week = week,
        Media = media,
    };
}

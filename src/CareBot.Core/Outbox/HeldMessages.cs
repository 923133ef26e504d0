using System.Globalization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Outbox;

/// <summary>
/// No message left behind: a parent's message for a teacher who has not linked yet or who blocked the bot is kept as
/// a Held outbox row (with the date it was written) and released, oldest first, when the teacher links
/// (<c>/start CODE</c>), comes back (<c>/start</c>) or unblocks the bot.
/// </summary>
public static class HeldMessages
{
    /// <summary>Telegram's caption limit.</summary>
    public const int MaxCaptionLength = 1024;

    /// <summary>
    /// The caption cut to <see cref="MaxCaptionLength"/>, never between the two halves of an emoji: a lone half is not
    /// UTF-8, and the outbox row holding it could not be saved.
    /// </summary>
    public static string FitCaption(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        if (caption.Length <= MaxCaptionLength)
        {
            return caption;
        }

        var cut = char.IsHighSurrogate(caption[MaxCaptionLength - 1]) ? MaxCaptionLength - 1 : MaxCaptionLength;
        return caption[..cut];
    }

    /// <summary>The text with a first line saying when it was written (a caption stays within the caption limit).</summary>
    public static string DatedText(string language, DateOnly date, string text, bool isCaption)
    {
        if (text.StartsWith("🕓", StringComparison.Ordinal))
        {
            return text; // dated already (held once before)
        }

        var lang = language == Texts.English ? Texts.English : Texts.Chinese;
        var day = date.ToString(lang == Texts.English ? "MMM d" : "M月d日", CultureInfo.InvariantCulture);
        var dated = Texts.Get(lang, "media.held_date", day) + "\n" + text;
        return isCaption ? FitCaption(dated) : dated;
    }

    /// <summary>True for a row that must wait for its recipient rather than be dropped: a parent's message to a carer.</summary>
    public static bool ShouldHold(OutboxMessage row, Person? recipient) =>
        row.Kind == OutboxKind.Relay && recipient is not null && recipient.IsCarer;

    /// <summary>
    /// Makes the person's held rows due now, to their current chat, oldest first (row ids keep their order). Call
    /// inside the turn that made them reachable. Returns how many were released.
    /// </summary>
    public static int Release(CareTx tx, Person person, DateTime utc)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(person);
        if (person.Chat is not { } chat || person.Status != Reachability.Reachable)
        {
            return 0;
        }

        var held = tx.Outbox.Find(o => o.PersonId == person.Id && o.Status == OutboxStatus.Held).OrderBy(o => o.Id).ToList();
        foreach (var row in held)
        {
            row.Chat = chat;
            row.Status = OutboxStatus.Pending;
            row.NotBeforeUtc = utc;
            row.LastError = null;
            tx.Outbox.Update(row);
        }

        if (held.Count > 0)
        {
            tx.AuditWrite(utc, "system", "outbox.released", null, $"person:{person.Id} rows:{held.Count}");
        }

        return held.Count;
    }
}

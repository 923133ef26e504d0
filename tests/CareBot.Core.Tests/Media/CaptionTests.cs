using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Media;

/// <summary>Captions are cut to Telegram's 1,024 characters without splitting an emoji, so their outbox row can be saved.</summary>
public sealed class CaptionTests
{
    [Fact]
    public void A_caption_cut_at_an_emoji_keeps_it_whole_and_its_row_can_be_saved()
    {
        // 1,023 characters, then an emoji (two UTF-16 halves) across the limit.
        var caption = new string('家', HeldMessages.MaxCaptionLength - 1) + "😀 and more";

        var fitted = HeldMessages.FitCaption(caption);

        Assert.Equal(HeldMessages.MaxCaptionLength - 1, fitted.Length);
        Assert.DoesNotContain(fitted, char.IsSurrogate);
        using var db = LiteCareDb.InMemory();
        db.Write(tx => tx.Outbox.Insert(new OutboxMessage { Key = "k", Text = fitted }));
        Assert.Equal(fitted, db.Read(tx => tx.Outbox.FindOne(o => o.Key == "k").Text));
    }

    [Fact]
    public void A_short_caption_and_one_of_exactly_the_limit_stay_as_they_are()
    {
        Assert.Equal("照片", HeldMessages.FitCaption("照片"));
        var full = new string('a', HeldMessages.MaxCaptionLength - 2) + "😀";
        Assert.Equal(full, HeldMessages.FitCaption(full));
        Assert.Equal(HeldMessages.MaxCaptionLength, HeldMessages.FitCaption(full + "more").Length);
    }
}

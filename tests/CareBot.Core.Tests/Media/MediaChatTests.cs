using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Protection;
using CareBot.Core.Text;

namespace CareBot.Core.Tests.Media;

/// <summary>Photos and voice notes as records and relays (issue 13), through the update processor.</summary>
public sealed class MediaChatTests
{
    private const long MentorChat = 501, ParentChat = 601, MotherChat = 602, OtherParentChat = 603;

    private static (ChatTestKit Kit, Person Mentor, Person Father, Person Mother, Child Child) School()
    {
        var kit = new ChatTestKit();
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        var father = kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        var mother = kit.AddPerson("李秀英", "13700000002", Roles.Parent, MotherChat);
        var other = kit.AddPerson("孙父", "13700000003", Roles.Parent, OtherParentChat);
        var child = kit.AddChild("S001", "小明", mentor, father, mother);
        kit.AddChild("S002", "小军", mentor, other);
        return (kit, mentor, father, mother, child);
    }

    private static List<CareRecord> Records(ChatTestKit kit) => kit.Db.Read(tx => tx.Records.FindAll().ToList());

    [Fact]
    public void A_photo_captioned_with_visit_is_a_visit_with_the_file_reference_and_the_card_counts_it()
    {
        var (kit, mentor, _, _, child) = School();
        using var _ = kit;
        var photo = kit.Media(MentorChat, MediaKind.Photo, "/visit 小明 家访，见到了奶奶");
        var replies = kit.Send(photo);

        var record = Assert.Single(Records(kit));
        Assert.Equal((CareKind.Visit, child.Id, mentor.Id, "家访，见到了奶奶"), (record.Kind, record.ChildId, record.AuthorId, record.Text));
        Assert.Equal((MediaKind.Photo, photo.Media!.FileId, photo.Media.FileUniqueId, 12345L), (record.Media!.Kind, record.Media.FileId, record.Media.FileUniqueId, record.Media.Size));
        Assert.Contains(Texts.Get("zh", "media.attached", "照片"), Assert.Single(replies), StringComparison.Ordinal);

        kit.Send(kit.Media(MentorChat, MediaKind.Photo, "/diary 小明"));
        var card = Assert.Single(kit.Send(kit.Text(MentorChat, "/card 小明")));
        Assert.Contains(Texts.Get("zh", "media.card_count", 2, 0), card, StringComparison.Ordinal);
    }

    [Fact]
    public void A_voice_note_replying_to_a_single_child_reminder_is_a_record_and_an_unrelated_one_is_not()
    {
        var (kit, _, _, _, child) = School();
        using var _ = kit;
        kit.Db.Write(tx => kit.Outbox.Enqueue(tx, new OutboxMessage { Key = "remind:x", PersonId = 1, Chat = TelegramChats.At(MentorChat), Text = "提醒", Kind = OutboxKind.Reminder, ChildId = child.Id, ReplyAs = CareKind.Talk }));
        kit.MarkLastSent(MentorChat, 77);

        kit.Send(kit.Media(MentorChat, MediaKind.Voice, replyTo: 77));
        var record = Assert.Single(Records(kit));
        Assert.Equal((CareKind.Talk, MediaKind.Voice), (record.Kind, record.Media!.Kind));

        var lost = kit.Send(kit.Media(MentorChat, MediaKind.Photo));
        Assert.Single(Records(kit));
        Assert.Equal(Texts.Get("zh", "media.carer_how", "照片"), Assert.Single(lost));
    }

    [Fact]
    public void A_parents_voice_goes_to_the_mentor_as_a_copy_and_the_mentors_photo_reply_goes_back_to_that_parent_only()
    {
        var (kit, _, father, _, child) = School();
        using var _ = kit;
        var voice = kit.Media(ParentChat, MediaKind.Voice);
        kit.Send(voice);
        var relay = kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Chat == TelegramChats.At(MentorChat) && o.Kind == OutboxKind.Relay));
        Assert.Equal((OutMediaKind.Copy, ParentChat, voice.MessageId), (relay.Media!.Kind, relay.Media.CopyFromTelegramId, relay.Media.CopyMessageId));
        Assert.Contains("小明的父亲", relay.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(voice.Media!.FileId, relay.Text, StringComparison.Ordinal);
        kit.MarkLastSent(MentorChat, 90);

        var photo = kit.Media(MentorChat, MediaKind.Photo, "作业本", replyTo: 90);
        kit.Send(photo);
        var back = kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Relay && o.PersonId == father.Id).ToList());
        var copy = Assert.Single(back);
        Assert.Equal((ParentChat, MentorChat, photo.MessageId), (copy.TelegramId, copy.Media!.CopyFromTelegramId, copy.Media!.CopyMessageId));
        Assert.Contains("作业本", copy.Text, StringComparison.Ordinal);
        Assert.False(kit.Db.Read(tx => tx.Outbox.Exists(o => o.Chat == TelegramChats.At(MotherChat) || o.Chat == TelegramChats.At(OtherParentChat))));
        Assert.All(Records(kit), r => Assert.Equal(child.Id, r.ChildId));
    }

    [Fact]
    public void Stickers_get_a_kind_answer_and_nothing_is_kept()
    {
        var (kit, _, _, _, _) = School();
        using var _ = kit;
        Assert.Equal(Texts.Get("zh", "media.other_kind"), Assert.Single(kit.Send(kit.Media(ParentChat, MediaKind.Other))));
        Assert.Equal(Texts.Get("zh", "media.other_kind"), Assert.Single(kit.Send(kit.Media(MentorChat, MediaKind.Other))));
        Assert.Empty(Records(kit));
    }

    [Fact]
    public void The_weeks_photos_go_as_an_album_and_voice_notes_as_voice_to_that_childs_parents_only_once()
    {
        var (kit, _, father, mother, _) = School();
        using var _ = kit;
        kit.Send(kit.Media(MentorChat, MediaKind.Photo, "/visit 小明 家访"));
        kit.Send(kit.Media(MentorChat, MediaKind.Photo, "/diary 小明 画画"));
        kit.Send(kit.Media(MentorChat, MediaKind.Voice, "/talk 小明"));
        kit.Send(kit.Media(ParentChat, MediaKind.Photo)); // a parent's photo is a message, not part of the update
        var planner = new WeeklyUpdatePlanner(kit.Db, kit.Outbox);

        planner.Plan(kit.Clock.Today);
        planner.Plan(kit.Clock.Today);

        var rows = kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.WeeklyMedia).ToList());
        Assert.Equal(4, rows.Count); // an album and a voice note to each of the two parents
        Assert.All(rows, r => Assert.Contains(r.PersonId, new[] { father.Id, mother.Id }));
        var album = rows.First(r => r.PersonId == father.Id && r.Media!.Kind == OutMediaKind.Album);
        Assert.Equal(2, album.Media!.Album.Count);
        Assert.StartsWith("11月23日 家访照片", album.Media.Album[0].Caption, StringComparison.Ordinal);
        Assert.StartsWith("11月23日 日记照片", album.Media.Album[1].Caption, StringComparison.Ordinal);
        var voice = rows.First(r => r.PersonId == father.Id && r.Media!.Kind == OutMediaKind.Voice);
        Assert.StartsWith("11月23日 谈心语音", voice.Text, StringComparison.Ordinal);
        var update = kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Kind == OutboxKind.WeeklyUpdate && o.PersonId == father.Id));
        Assert.True(update.Id < album.Id);
        Assert.Contains(Texts.Get("zh", "media.weekly_follow", 2, 1), update.Text, StringComparison.Ordinal);
        Assert.False(kit.Db.Read(tx => tx.Outbox.Exists(o => o.Kind == OutboxKind.WeeklyMedia && o.Chat == TelegramChats.At(OtherParentChat))));
    }

    [Fact]
    public void Forget_child_removes_the_media_references()
    {
        var (kit, _, _, _, child) = School();
        using var _ = kit;
        var photo = kit.Media(MentorChat, MediaKind.Photo, "/visit 小明 家访");
        kit.Send(photo);
        new WeeklyUpdatePlanner(kit.Db, kit.Outbox).Plan(kit.Clock.Today);

        new ForgetService(kit.Db, kit.Time).Forget(child.Id, "cli");

        Assert.False(kit.Db.Read(tx => tx.Records.Exists(r => r.Media != null)));
        Assert.False(kit.Db.Read(tx => tx.Outbox.Exists(o => o.Media != null)));
    }
}

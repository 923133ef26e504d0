using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>Photos and voice notes through the real host and the local Bot API server, both directions (issue 13).</summary>
public sealed class MediaEndToEndTests
{
    // Monday 2026-11-23 07:59 in Asia/Shanghai.
    private static readonly DateTimeOffset Monday0759 = new(2026, 11, 23, 7, 59, 0, TimeSpan.FromHours(8));
    private const long MentorUser = 91001, ParentUser = 91002;

    private static void LinkFirstFamily(CareDb db)
    {
        var child = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).First());
        var mentor = db.Read(tx => tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == child.Id && p.Role == PairingRole.Mentor).CarerId));
        var parent = db.Read(tx => tx.People.FindById(child.Parents[0].PersonId));
        (mentor.Chat, mentor.Status, parent.Chat, parent.Status) = (TelegramChats.At(MentorUser), Reachability.Reachable, TelegramChats.At(ParentUser), Reachability.Reachable);
        db.Write(tx => tx.People.Update(mentor));
        db.Write(tx => tx.People.Update(parent));
    }

    private static async Task<E2eKit> StartAsync()
    {
        var kit = await E2eKit.StartAsync(Monday0759);
        kit.Seed(2, LinkFirstFamily);
        kit.Server.AddUser(MentorUser, "王老师");
        kit.Server.AddUser(ParentUser, "张大山");
        await kit.StartWorkerAsync();
        return kit;
    }

    private static Task<BotMessage> Next(E2eKit kit, long chat, Func<BotMessage, bool> match) =>
        kit.Server.WaitForMessageAsync(chat, match, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Mentors_visit_photos_and_voice_note_reach_the_parent_with_the_weekly_update_as_an_album_and_a_voice()
    {
        await using var kit = await StartAsync();
        var first = kit.Server.UserSendsPhoto(MentorUser, caption: "/visit 1 家访：奶奶身体好");
        await kit.Expect(MentorUser, "照片");
        var second = kit.Server.UserSendsPhoto(MentorUser, caption: "/diary 1 画了一幅画");
        var voice = kit.Server.UserSendsVoice(MentorUser, durationSeconds: 8, caption: "/talk 1");
        await Next(kit, MentorUser, m => m.Text.Contains("语音", StringComparison.Ordinal));

        var sunday = Monday0759.AddDays(6).AddHours(11).AddMinutes(1);
        kit.Time.JumpTo(sunday);
        kit.Runner.RunWeeklyUpdates(DateOnly.FromDateTime(sunday.DateTime));
        kit.Runner.RunWeeklyUpdates(DateOnly.FromDateTime(sunday.DateTime));
        await kit.Expect(ParentUser, "奶奶身体好");
        var voiceMessage = await Next(kit, ParentUser, m => m.Kind == BotMessageKind.Voice);
        await kit.WaitForIdleOutboxAsync();

        var inbox = kit.Server.MessagesTo(ParentUser);
        var album = inbox.Where(m => m.Kind == BotMessageKind.Photo).ToList();
        Assert.Equal(2, album.Count);
        Assert.NotNull(album[0].MediaGroupId);
        Assert.Equal(album[0].MediaGroupId, album[1].MediaGroupId);
        Assert.Equal([first.Photo![^1].FileId, second.Photo![^1].FileId], album.Select(m => m.FileId));
        Assert.StartsWith("11月23日 家访照片", album[0].Caption, StringComparison.Ordinal);
        Assert.Equal(voice.Voice!.FileId, voiceMessage.FileId);
        Assert.StartsWith("11月23日 谈心语音", voiceMessage.Caption, StringComparison.Ordinal);
        Assert.Single(inbox, m => m.Kind == BotMessageKind.Voice);

        // The other family's parents get nothing of it.
        kit.WithDb(db => Assert.All(db.Read(tx => tx.Outbox.Find(o => o.Media != null).ToList()), o => Assert.Contains(o.TelegramId, new[] { ParentUser, MentorUser })));
    }

    [Fact]
    public async Task A_parents_voice_note_reaches_the_mentor_as_a_copy_and_the_mentors_photo_reply_reaches_the_parent()
    {
        await using var kit = await StartAsync();
        var voice = kit.Server.UserSendsVoice(ParentUser, durationSeconds: 12);
        var relayed = await Next(kit, MentorUser, m => m.Kind == BotMessageKind.Voice);
        Assert.Equal((ParentUser, voice.Id), relayed.CopiedFrom);
        Assert.Contains("发来语音", relayed.Caption, StringComparison.Ordinal);

        var photo = kit.Server.UserSendsPhoto(MentorUser, caption: "孩子的奖状", replyToMessageId: relayed.MessageId);
        var back = await Next(kit, ParentUser, m => m.Kind == BotMessageKind.Photo);
        Assert.Equal((MentorUser, photo.Id), back.CopiedFrom);
        Assert.Contains("孩子的奖状", back.Caption, StringComparison.Ordinal);
        await kit.Expect(MentorUser, "已转给家长");

        kit.WithDb(db =>
        {
            var records = db.Read(tx => tx.Records.Find(r => r.Media != null).ToList());
            Assert.Equal(2, records.Count);
            Assert.All(records, r => Assert.Equal(CareKind.ParentMessage, r.Kind));
        });
    }
}

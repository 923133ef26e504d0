using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.LocalBotApi;
using Microsoft.Extensions.DependencyInjection;

namespace CareBot.Worker.Tests.EndToEnd;

/// <summary>
/// A parents' meeting through the real host and the local Bot API server: announced with <c>carebot meeting add</c>
/// beside the running worker, answered with the invitation's buttons, the "call me" on the mentor's next reminder,
/// the reminder the day before, who came marked with buttons, <c>meeting show</c>; and quiet hours kept.
/// </summary>
public class MeetingEndToEndTests
{
    /// <summary>The provider the worker runs on; <see cref="MeetingEndToEndTestsOnPostgres"/> runs the suite again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private const long MentorUser = 92001, FatherUser = 92002, MotherUser = 92003, AdminUser = 92004;

    private static (string Father, string Mother) LinkFirstFamily(CareDb db)
    {
        var child = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).First());
        Assert.True(child.Parents.Count >= 2, "the sample's first child has two parents");
        db.Write(tx =>
        {
            var mentor = tx.People.FindById(tx.Pairings.FindOne(p => p.ChildId == child.Id && p.Role == PairingRole.Mentor).CarerId);
            Link(tx, mentor, MentorUser);
            Link(tx, tx.People.FindById(child.Parents[0].PersonId), FatherUser);
            Link(tx, tx.People.FindById(child.Parents[1].PersonId), MotherUser);
            tx.People.Insert(new Person { Name = "刘校长", Phone = "13600000001", Roles = Roles.Admin, Chat = TelegramChats.At(AdminUser), Status = Reachability.Reachable });
        });
        return (db.Read(tx => tx.People.FindById(child.Parents[0].PersonId).Phone), db.Read(tx => tx.People.FindById(child.Parents[1].PersonId).Phone));
    }

    private static void Link(CareTx tx, Person person, long chat)
    {
        (person.Chat, person.Status) = (TelegramChats.At(chat), Reachability.Reachable);
        tx.People.Update(person);
    }

    private async Task<(E2eKit Kit, string MotherPhone)> StartAsync(DateTimeOffset start, string quietHours = "00:00-00:00")
    {
        var kit = await E2eKit.StartAsync(start, store: Store);
        var phones = ("", "");
        kit.Seed(2, db => phones = LinkFirstFamily(db));
        foreach (var (user, name) in new[] { (MentorUser, "王老师"), (FatherUser, "张父"), (MotherUser, "李母"), (AdminUser, "刘校长") })
        {
            kit.Server.AddUser(user, name);
        }

        await kit.StartWorkerAsync(new Dictionary<string, string?> { ["CareBot:QuietHours"] = quietHours });
        return (kit, phones.Item2);
    }

    private static async Task<(int Code, string Out, string Err)> Cli(E2eKit kit, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CareBot.Worker.Cli.CliApp.RunAsync(args, stdout, stderr, kit.StorageSettings(), kit.CliServices);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Task<BotMessage> Next(E2eKit kit, long chat, Func<BotMessage, bool> match) =>
        kit.Server.WaitForMessageAsync(chat, match, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Announce_answer_call_me_remind_the_day_before_and_mark_who_came()
    {
        var (kit, motherPhone) = await StartAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, China));
        await using var _ = kit;

        var add = await Cli(kit, "meeting", "add", "--date", "2026-11-28", "--time", "09:30", "--place", "学校会议室", "--title", "寒假家长会");
        Assert.True(add.Code == 0, add.Err);
        Assert.Contains("#1", add.Out, StringComparison.Ordinal);

        // Each parent: one invitation with the three buttons; each answers with one.
        var invitation = await kit.Expect(FatherUser, "家长会通知：寒假家长会");
        Assert.Equal(["参加", "不能来，请老师打电话", "今年不回家"], invitation.Buttons.Select(b => b.Text));
        kit.Server.UserPressesButton(FatherUser, invitation.MessageId, "rsvp:1:a");
        await kit.Expect(FatherUser, "您会参加「寒假家长会」");
        var motherInvitation = await kit.Expect(MotherUser, "家长会通知：寒假家长会");
        kit.Server.UserPressesButton(MotherUser, motherInvitation.MessageId, "rsvp:1:c");
        await kit.Expect(MotherUser, "老师会给您打电话");
        Assert.Contains(kit.Server.Telegram.CallbackAnswers, a => a.UserId == FatherUser && a.Text == "已记下：参加");

        // Tuesday 08:00: the "call me" is on the mentor's reminder, with the mother's phone.
        kit.Time.JumpTo(new DateTimeOffset(2026, 11, 24, 8, 0, 0, China));
        kit.Runner.RunReminders();
        var reminder = await kit.Expect(MentorUser, "不能来「寒假家长会」");
        Assert.Contains(motherPhone, reminder.Text, StringComparison.Ordinal);

        // Friday 08:00: the father, who is coming, is reminded; the mother is not.
        kit.Time.JumpTo(new DateTimeOffset(2026, 11, 27, 8, 0, 0, China));
        kit.Runner.RunReminders();
        await kit.Expect(FatherUser, "明天开家长会");
        await kit.WaitForIdleOutboxAsync();
        Assert.DoesNotContain(kit.Server.MessagesTo(MotherUser), m => m.Text.Contains("明天开家长会", StringComparison.Ordinal));

        // Saturday after the meeting: the mentor marks that the family came.
        kit.Time.JumpTo(new DateTimeOffset(2026, 11, 28, 12, 0, 0, China));
        kit.Server.UserSends(MentorUser, "/meeting 1");
        var list = await Next(kit, MentorUser, m => m.Buttons.Any(b => b.CallbackData?.StartsWith("came:1:", StringComparison.Ordinal) == true));
        Assert.Contains("：参加", list.Text, StringComparison.Ordinal);
        Assert.Contains("：不能来，请老师打电话", list.Text, StringComparison.Ordinal);
        kit.Server.UserPressesButton(MentorUser, list.MessageId, list.Buttons[0].CallbackData!);
        await kit.Expect(MentorUser, "的家长来了「寒假家长会」");

        var show = await Cli(kit, "meeting", "show", "1");
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("参加 1 · 请打电话 1", show.Out, StringComparison.Ordinal);
        Assert.Contains("✅ 到会", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitations_announced_at_night_wait_for_the_end_of_the_quiet_hours()
    {
        var (kit, _) = await StartAsync(new DateTimeOffset(2026, 11, 23, 23, 0, 0, China), quietHours: "22:00-07:00");
        await using var __ = kit;

        kit.Server.UserSends(AdminUser, "/meeting --date 2026-11-28 --time 09:30 --place 学校会议室 --title 寒假家长会");
        await kit.Expect(AdminUser, "已保存"); // the admin's own answer is not held

        // The dispatcher has seen the invitations and put them off until 07:00.
        var db = kit.Host!.Services.GetRequiredService<CareDb>();
        await Poll.UntilAsync(() => db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.Meeting && o.LastError == "quiet hours")) >= 2, TimeSpan.FromSeconds(20), "both invitations put off by the quiet hours");

        var seven = new DateTimeOffset(2026, 11, 24, 7, 0, 0, China);
        Assert.All(db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Meeting).ToList()), o => Assert.Equal(seven.UtcDateTime, o.NotBeforeUtc));
        Assert.Empty(kit.Server.MessagesTo(FatherUser));

        kit.Time.JumpTo(seven.AddSeconds(1));
        await kit.Expect(FatherUser, "家长会通知：寒假家长会");
        await kit.Expect(MotherUser, "家长会通知：寒假家长会");
    }
}

/// <summary>The same end-to-end suite with the worker on PostgreSQL.</summary>
public sealed class MeetingEndToEndTestsOnPostgres : MeetingEndToEndTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

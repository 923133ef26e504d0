using CareBot.Core.Chat;
using CareBot.Core.Meetings;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Meetings;

/// <summary>
/// The access table for parents' meetings: every role × announce / show / answer / mark who came × a meeting of the
/// sender's school (A) or of another school (B). Only an admin of the school announces; only its admins and the
/// carers of its children read it; only an invited parent answers; only the child's carer or an admin of the school
/// marks who came. Group chats get nothing.
/// </summary>
public sealed class MeetingAccessTests
{
    public enum Action { Announce, Show, Answer, Came }

    public enum Target { A, B }

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<AccessRole>()
        from action in Enum.GetValues<Action>()
        from target in Enum.GetValues<Target>()
        select new object[] { role, action, target };

    private static bool Allowed(AccessRole role, Action action, Target target) => (role, action, target) switch
    {
        (AccessRole.Admin, _, Target.A) => action != Action.Answer,
        (AccessRole.OtherSchoolAdmin, _, Target.B) => action != Action.Answer,
        (AccessRole.Mentor, Action.Show or Action.Came, Target.A) => true,
        (AccessRole.Volunteer, Action.Show, Target.A) => true, // the volunteer's child is at A's meeting, but it is not their child who is marked
        (AccessRole.Parent, Action.Answer, Target.A) => true,
        _ => false,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_succeeds(AccessRole role, Action action, Target target)
    {
        using var kit = AccessWorld.Create(otherSchoolParent: true);

        // Meeting 1 at school A, meeting 2 at school B, both today (answers and marks are open).
        var today = kit.Clock.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (school, title) in new[] { ("a", "MeetA"), ("b", "MeetB") })
        {
            kit.Db.Write(tx => MeetingService.Announce(tx, new MeetingDraft(kit.Clock.Today, "18:00", "Hall", title, []), school, "cli", kit.Clock.UtcNow, out _));
        }

        var (chat, _) = AccessWorld.As(role);
        var kind = AccessWorld.KindOf(role);
        var (id, school2, child) = target == Target.A ? (1, "a", "a/101") : (2, "b", "b/201");
        var before = kit.Db.Read(tx => (Meetings: tx.Meetings.Count(), Replies: tx.Meetings.FindAll().Sum(m => m.Replies.Count), Came: tx.Meetings.FindAll().Sum(m => m.Attended.Count)));

        var message = action switch
        {
            Action.Announce => kit.Text(chat, $"/meeting --date {today} --time 19:00 --place Hall --title NewMeeting --school {school2}", kind: kind),
            Action.Show => kit.Text(chat, $"/meeting {id}", kind: kind),
            Action.Answer => kit.Button(chat, $"rsvp:{id}:a") with { ChatKind = kind },
            _ => kit.Button(chat, $"came:{id}:{child}") with { ChatKind = kind },
        };
        var replies = kit.Send(message, chat);

        var after = kit.Db.Read(tx => (Meetings: tx.Meetings.Count(), Replies: tx.Meetings.FindAll().Sum(m => m.Replies.Count), Came: tx.Meetings.FindAll().Sum(m => m.Attended.Count)));
        var succeeded = action switch
        {
            Action.Announce => after.Meetings == before.Meetings + 1,
            Action.Show => replies.Any(r => r.Contains(target == Target.A ? "MeetA" : "MeetB", StringComparison.Ordinal)),
            Action.Answer => after.Replies == before.Replies + 1,
            _ => after.Came == before.Came + 1,
        };
        Assert.Equal(Allowed(role, action, target), succeeded);

        // Whatever happened, nobody reads about the other school's children or families.
        var foreign = role == AccessRole.OtherSchoolAdmin ? new[] { "Xiaohong", "Xiaoming", "Father Zhang" } : ["Xiaojun", "Father Chen"];
        Assert.DoesNotContain(replies, r => foreign.Any(f => r.Contains(f, StringComparison.Ordinal)));
        if (kind == ChatKind.Group)
        {
            Assert.Empty(replies);
        }
    }
}

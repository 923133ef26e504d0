using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Duty;

/// <summary>
/// The access table for <c>/duty</c> and <c>/duty swap</c>: every role × both commands. Teachers and admins see their
/// own schools' rota; parents, unlinked and group chats get nothing of it; another school's admin does not see this
/// school. Only a teacher on the rota can propose a swap of their own turn.
/// </summary>
public sealed class DutyAccessTests
{
    private const long UnlinkedChat = 999;

    /// <summary>Names that appear only in the rota of school "a" (王老师, 李阿姨) and of school "b" (马老师).</summary>
    private static readonly string[] SchoolANames = ["王老师", "李阿姨"];

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<AccessRole>()
        from command in new[] { "/duty", "/duty swap" }
        select new object[] { role, command };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_succeeds(AccessRole role, string command)
    {
        using var kit = new DutyKit("en", twoSchools: true);
        kit.Rota((DayOfWeek.Monday, DutySlot.Noon, kit.Wang), (DayOfWeek.Wednesday, DutySlot.Noon, kit.Li));
        kit.RotaOf("b", (DayOfWeek.Tuesday, DutySlot.Noon, kit.Ma));

        var chat = role switch
        {
            AccessRole.Mentor => DutyKit.WangChat,
            AccessRole.Volunteer => DutyKit.LiChat,
            AccessRole.Parent => DutyKit.ParentChat,
            AccessRole.Admin => DutyKit.AdminChat,
            AccessRole.OtherSchoolAdmin => DutyKit.OtherAdminChat,
            AccessRole.Unlinked => UnlinkedChat,
            _ => DutyKit.WangChat,
        };

        // Each sender offers "their" turn: the volunteer Wednesday's, everyone else Monday's (the mentor's).
        var text = command == "/duty" ? "/duty" : role == AccessRole.Volunteer ? "/duty swap wed noon mon noon" : "/duty swap mon noon wed noon";

        var auditBefore = kit.Chat.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Chat.Db.Read(tx => tx.Outbox.Count());
        kit.Chat.Processor.Process(kit.Chat.Text(chat, text, kind: AccessWorld.KindOf(role)));
        var newAudit = kit.Chat.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Chat.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var toSender = newOutbox.Where(o => o.TelegramId == chat).Select(o => o.Text).ToList();
        var swaps = kit.Chat.Db.Read(tx => tx.DutySwaps.FindAll().ToList());

        var teacher = role is AccessRole.Mentor or AccessRole.Volunteer;
        var seesA = command == "/duty" && (teacher || role == AccessRole.Admin);
        var seesB = command == "/duty" && role == AccessRole.OtherSchoolAdmin;
        var swapAllowed = command == "/duty swap" && teacher;

        Assert.Equal(seesA, toSender.Any(t => SchoolANames.All(n => t.Contains(n, StringComparison.Ordinal)) && t.StartsWith("📋 Activity-room duty", StringComparison.Ordinal)));
        Assert.Equal(seesB, toSender.Any(t => t.Contains("马老师", StringComparison.Ordinal) && t.StartsWith("📋 Activity-room duty", StringComparison.Ordinal)));
        if (!seesA && !swapAllowed)
        {
            // Nothing of school a's rota: no teacher's name on it.
            Assert.DoesNotContain(toSender, t => SchoolANames.Any(n => t.Contains(n, StringComparison.Ordinal)));
        }

        if (!seesA && !seesB)
        {
            Assert.DoesNotContain(toSender, t => t.Contains("Activity-room duty", StringComparison.Ordinal));
        }

        if (!seesB)
        {
            Assert.DoesNotContain(toSender, t => t.Contains("马老师", StringComparison.Ordinal));
        }

        Assert.Equal(swapAllowed ? 1 : 0, swaps.Count);
        Assert.Equal(swapAllowed, newAudit.Any(a => a.Action == "duty.swap_proposed"));
        Assert.DoesNotContain(newAudit, a => a.Action.StartsWith("duty.", StringComparison.Ordinal) && a.Action != "duty.swap_proposed");
        var requests = newOutbox.Where(o => o.Kind == OutboxKind.Duty).ToList();
        if (swapAllowed)
        {
            var other = role == AccessRole.Mentor ? DutyKit.LiChat : DutyKit.WangChat;
            var request = Assert.Single(requests);
            Assert.Equal(other, request.TelegramId);
            Assert.Equal(2, request.Buttons.Count);
            Assert.Equal(swaps[0].ProposerId, kit.Chat.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(chat))).Id);
        }
        else
        {
            Assert.Empty(requests);
        }

        if (role == AccessRole.Group)
        {
            Assert.Empty(newOutbox);
        }

        if (role is AccessRole.Admin or AccessRole.OtherSchoolAdmin && command == "/duty swap")
        {
            // An admin who is not on the rota has no turn to give.
            Assert.StartsWith("Mon 11/23 noon is not your turn", Assert.Single(toSender), StringComparison.Ordinal);
        }

        if (role is AccessRole.Parent)
        {
            Assert.Equal("There is no /duty command.", toSender[0]);
        }
    }

    [Fact]
    public void Help_mentions_duty_to_teachers_and_admins_only()
    {
        using var kit = new DutyKit("en");
        foreach (var (chat, shown) in new[] { (DutyKit.WangChat, true), (DutyKit.LiChat, true), (DutyKit.AdminChat, true), (DutyKit.ParentChat, false) })
        {
            var help = Assert.Single(kit.Chat.Send(kit.Chat.Text(chat, "/help")));
            Assert.Equal(shown, help.Contains("/duty", StringComparison.Ordinal));
        }
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Safeguarding;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>
/// The access table of concerns and flags: every role × every command × the sender's own child or a child of the
/// other school. A concern is recorded and seen by the child's carers and the admins of the child's school; only those
/// admins acknowledge, report, close or clear; parents, unlinked and group chats get nothing of it, and a concern or
/// flag outside the sender's reach answers as if it did not exist.
/// </summary>
public sealed class SafeguardingAccessTests
{
    public enum Target { Own, OtherSchool }

    private static readonly string[] Commands = ["record", "show", "ack", "ack-button", "reported", "closed", "flags", "flags-clear"];

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<AccessRole>()
        from command in Commands
        from target in Enum.GetValues<Target>()
        select new object[] { role, command, target };

    private static readonly Dictionary<string, string> Notes = new()
    {
        ["a/101"] = "NOTE-A101 bruises on the arm",
        ["a/102"] = "NOTE-A102 left alone for a week",
        ["b/201"] = "NOTE-B201 has not come to school",
    };

    private static readonly Dictionary<string, string> Names = new() { ["a/101"] = "Xiaohong", ["a/102"] = "Xiaoming", ["b/201"] = "Xiaojun" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_the_childs_carers_and_the_schools_admins_reach_its_concerns_and_flags(AccessRole role, string command, Target target)
    {
        using var kit = AccessWorld.Create();
        var (concerns, flags) = Seed(kit);
        var (chat, own) = AccessWorld.As(role);
        var child = target == Target.Own ? own : role == AccessRole.OtherSchoolAdmin ? "a/101" : "b/201";
        var isCarerOf = role is AccessRole.Mentor or AccessRole.Volunteer && target == Target.Own;
        var isAdminOf = role is AccessRole.Admin or AccessRole.OtherSchoolAdmin && target == Target.Own;
        var sees = isCarerOf || isAdminOf;
        var concern = concerns[child];
        var flag = flags[child];
        var who = role is AccessRole.Admin or AccessRole.OtherSchoolAdmin ? child : Names[child];
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());

        var message = command switch
        {
            "record" => kit.Text(chat, $"/concern {who} abuse NEW-NOTE seen crying", kind: AccessWorld.KindOf(role)),
            "show" => kit.Text(chat, $"/concern {concern}", kind: AccessWorld.KindOf(role)),
            "ack" => kit.Text(chat, $"/concern {concern} ack", kind: AccessWorld.KindOf(role)),
            "ack-button" => kit.Button(chat, $"sgack:{concern}"),
            "reported" => kit.Text(chat, $"/concern {concern} reported police R-1", kind: AccessWorld.KindOf(role)),
            "closed" => kit.Text(chat, $"/concern {concern} closed moved to an aunt", kind: AccessWorld.KindOf(role)),
            "flags" => kit.Text(chat, "/flags", kind: AccessWorld.KindOf(role)),
            _ => kit.Text(chat, $"/flags clear {flag}", kind: AccessWorld.KindOf(role)),
        };
        if (role == AccessRole.Group && command == "ack-button")
        {
            message = message with { ChatKind = ChatKind.Group };
        }

        kit.Processor.Process(message);
        var newRows = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var toSender = string.Join("\n", newRows.Where(o => o.TelegramId == chat).Select(o => o.Text));
        var saved = kit.Db.Read(tx => tx.Concerns.FindById(concern));
        var savedFlag = kit.Db.Read(tx => tx.Flags.FindById(flag));

        Assert.Equal(command == "record" && sees ? 1 : 0, kit.Db.Read(tx => tx.Concerns.Count(c => c.ChildId == child && c.Note.StartsWith("NEW-NOTE"))));
        Assert.Equal(command == "show" && sees, toSender.Contains(Notes[child], StringComparison.Ordinal));
        Assert.Equal(command == "show" && sees, kit.Db.Read(tx => tx.Audit.Exists(a => a.Action == "concern.read")));
        Assert.Equal(command is "ack" or "ack-button" or "reported" or "closed" && isAdminOf, saved.AcknowledgedUtc is not null);
        Assert.Equal(command == "reported" && isAdminOf, saved.ReportedUtc is not null);
        Assert.Equal(command == "closed" && isAdminOf, saved.ClosedUtc is not null);
        Assert.Equal(command == "flags" && sees, toSender.Contains($"#{flag} {Names[child]}", StringComparison.Ordinal));
        Assert.Equal(command == "flags-clear" && isAdminOf, !savedFlag.IsOpen);

        // Nothing of any concern reaches anyone who may not see it; nothing at all reaches a parent or a group.
        foreach (var (id, note) in Notes)
        {
            if (!(sees && id == child))
            {
                Assert.DoesNotContain(note, toSender, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(newRows, o => o.TelegramId == AccessWorld.ParentChat && o.TelegramId != chat);
        if (role is AccessRole.Group)
        {
            Assert.Empty(newRows);
        }

        if (command == "record" && sees)
        {
            // The alert goes to the admins of the child's school, never to the other school's or a parent.
            var adminOfChild = child.StartsWith("a/", StringComparison.Ordinal) ? AccessWorld.AdminChat : AccessWorld.OtherAdminChat;
            var otherAdmin = adminOfChild == AccessWorld.AdminChat ? AccessWorld.OtherAdminChat : AccessWorld.AdminChat;
            Assert.Contains(newRows, o => o.TelegramId == adminOfChild && o.Kind == OutboxKind.Alert);
            Assert.DoesNotContain(newRows, o => o.TelegramId == otherAdmin || o.TelegramId == AccessWorld.ParentChat);
        }
    }

    /// <summary>A concern and a flag for each child, recorded by its carer. Returns their ids by child.</summary>
    private static (Dictionary<string, int> Concerns, Dictionary<string, int> Flags) Seed(ChatTestKit kit)
    {
        var concerns = new Dictionary<string, int>();
        var flags = new Dictionary<string, int>();
        kit.Db.Write(tx =>
        {
            foreach (var (id, note) in Notes)
            {
                var child = tx.Children.FindById(id);
                var carer = tx.Pairings.FindOne(p => p.ChildId == id).CarerId;
                concerns[id] = SafeguardingService.RecordConcern(tx, child, ConcernType.Other, note, carer, "test", kit.Clock.UtcNow, kit.Clock.Today).Id;
                var flag = new SafeguardingFlag { ChildId = id, SchoolId = child.SchoolId, RaisedUtc = kit.Clock.UtcNow, RaisedDate = kit.Clock.Today, Items = [new FlagItem { Area = "mood", Now = 1, Low = true }] };
                tx.Flags.Insert(flag);
                flags[id] = flag.Id;
            }
        });
        return (concerns, flags);
    }
}

using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Year;

/// <summary>
/// The access table for /call and /aid: every role × own child / other child. A call is saved only by a carer about
/// their own child; aid only by an admin about a child of the admin's schools; aid is shown to nobody else.
/// </summary>
public sealed class YearAccessTests
{
    public enum Role { Mentor, Volunteer, Parent, Admin, OtherSchoolAdmin, Unlinked, Group }

    public enum Target { Own, Other }

    private const long MentorChat = 501, VolunteerChat = 502, OtherMentorChat = 503, ParentChat = 601, AdminChat = 701, OtherAdminChat = 702, UnlinkedChat = 999;

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<Role>()
        from command in new[] { "/call", "/aid", "/card" }
        from target in Enum.GetValues<Target>()
        select new object[] { role, command, target };

    [Fact]
    public void The_table_has_every_case() => Assert.Equal(7 * 3 * 2, Cases().Count());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target)
    {
        using var kit = new ChatTestKit();
        kit.Options.Schools = [new SchoolEntry { Id = "a", Name = "A小学" }, new SchoolEntry { Id = "b", Name = "B小学" }];
        kit.Options.Admins = [new AdminEntry { Name = "Head Liu", Phone = "13600000001", Schools = ["a"] }, new AdminEntry { Name = "Head Ma", Phone = "13600000002", Schools = ["b"] }];
        var mentor = kit.AddPerson("Mentor Wang", "13800000001", Roles.Mentor, MentorChat, "en");
        var volunteer = kit.AddPerson("Volunteer Li", "13800000002", Roles.Volunteer, VolunteerChat, "en");
        var otherMentor = kit.AddPerson("Mentor Zhao", "13800000003", Roles.Mentor, OtherMentorChat, "en");
        var parent = kit.AddPerson("Father Zhang", "13700000001", Roles.Parent, ParentChat, "en");
        kit.AddPerson("Head Liu", "13600000001", Roles.Admin, AdminChat, "en");
        kit.AddPerson("Head Ma", "13600000002", Roles.Admin, OtherAdminChat, "en");
        kit.AddSchoolChild("a", "101", "Xiaohong", mentor, parent);
        kit.AddSchoolChild("a", "102", "Xiaoming", volunteer, parent);
        kit.AddSchoolChild("b", "201", "Xiaojun", otherMentor);

        // Every child has one aid entry already: it must show to the admins of its school only.
        kit.Db.Write(tx =>
        {
            foreach (var id in new[] { "a/101", "a/102", "b/201" })
            {
                AidRules.Save(tx, new AidEntry { ChildId = id, Kind = "secret-aid-kind", Amount = 321, Date = new DateOnly(2026, 11, 1), RecordedBy = "cli", AtUtc = DateTime.UtcNow });
            }
        });

        var (chat, own) = role switch
        {
            Role.Mentor => (MentorChat, "a/101"),
            Role.Volunteer => (VolunteerChat, "a/102"),
            Role.Parent => (ParentChat, "a/101"),
            Role.Admin => (AdminChat, "a/101"),
            Role.OtherSchoolAdmin => (OtherAdminChat, "b/201"),
            Role.Unlinked => (UnlinkedChat, "a/101"),
            _ => (MentorChat, "a/101"),
        };
        var childId = target == Target.Own ? own : role == Role.OtherSchoolAdmin ? "a/101" : "b/201";
        var child = kit.Db.Read(tx => tx.Children.FindById(childId));
        var isAdmin = role is Role.Admin or Role.OtherSchoolAdmin;
        var who = isAdmin ? child.StudentNo : child.Name;
        var text = command switch
        {
            "/call" => $"/call {who} call-note-123",
            "/aid" => $"/aid {who} books 150 2026-11-20 county",
            _ => $"/card {who}",
        };

        var auditBefore = kit.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());
        kit.Processor.Process(kit.Text(chat, text, kind: role == Role.Group ? ChatKind.Group : ChatKind.Private));
        var newAudit = kit.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var calls = kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Call).ToList());
        var aid = kit.Db.Read(tx => tx.Aid.Find(a => a.Kind == "books").ToList());

        var isCarer = role is Role.Mentor or Role.Volunteer;
        var callAllowed = command == "/call" && isCarer && target == Target.Own;
        var aidAllowed = command == "/aid" && isAdmin && target == Target.Own;
        var cardAllowed = command == "/card" && (isCarer || isAdmin) && target == Target.Own;

        Assert.Equal(callAllowed ? 1 : 0, calls.Count);
        Assert.Equal(callAllowed, newAudit.Any(a => a.Action == "record.call" && a.ChildId == childId));
        Assert.Equal(aidAllowed ? 1 : 0, aid.Count);
        Assert.Equal(aidAllowed, newAudit.Any(a => a.Action == "aid.added" && a.ChildId == childId && a.Actor.StartsWith("person:", StringComparison.Ordinal)));
        Assert.Equal(cardAllowed, newAudit.Any(a => a.Action == "card.read" && a.ChildId == childId));
        Assert.DoesNotContain(newAudit, a => a.ChildId is not null && a.ChildId != childId);

        // Aid text reaches an admin of the child's school reading its card, and nobody else ever.
        var aidShown = newOutbox.Where(o => o.Text.Contains("secret-aid-kind", StringComparison.Ordinal)).ToList();
        if (command == "/card" && isAdmin && target == Target.Own)
        {
            Assert.Equal(chat, Assert.Single(aidShown).ChatId);
        }
        else
        {
            Assert.Empty(aidShown);
        }

        if (role == Role.Group)
        {
            Assert.Empty(newOutbox);
        }

        if (callAllowed)
        {
            Assert.Equal(kit.Db.Read(tx => tx.People.FindOne(p => p.ChatId == chat)).Id, calls[0].AuthorId);
            Assert.Contains(newOutbox, o => o.ChatId == chat && o.Text.StartsWith("✅ Phone talk about", StringComparison.Ordinal));
        }
    }
}

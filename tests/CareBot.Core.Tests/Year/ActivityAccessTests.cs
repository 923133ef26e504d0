using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Year;

/// <summary>
/// The access table for /activity (the sibling of <see cref="YearAccessTests"/>): every role × own child, another
/// child, or both at once × text or a captioned photo. A carer saves an activity of their own children only; an admin of
/// the children's school only; anyone else nothing. One child not allowed means nothing is saved.
/// </summary>
public sealed class ActivityAccessTests
{
    public enum Role { Mentor, Volunteer, Parent, Admin, OtherSchoolAdmin, Unlinked, Group }

    public enum Target { Own, Other, Both }

    private const long MentorChat = 501, VolunteerChat = 502, OtherMentorChat = 503, ParentChat = 601, AdminChat = 701, OtherAdminChat = 702, UnlinkedChat = 999;

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<Role>()
        from target in Enum.GetValues<Target>()
        from photo in new[] { false, true }
        select new object[] { role, target, photo };

    [Fact]
    public void The_table_has_every_case() => Assert.Equal(7 * 3 * 2, Cases().Count());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_is_saved(Role role, Target target, bool photo)
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
        var other = role == Role.OtherSchoolAdmin ? "a/101" : "b/201";
        var isAdmin = role is Role.Admin or Role.OtherSchoolAdmin;
        string Who(string id)
        {
            var child = kit.Db.Read(tx => tx.Children.FindById(id));
            return isAdmin ? child.StudentNo : child.Name;
        }

        var named = target switch
        {
            Target.Own => [own],
            Target.Other => [other],
            _ => new[] { own, other },
        };
        var text = $"/activity Tree planting: {string.Join(", ", named.Select(Who))}";
        var kind = role == Role.Group ? ChatKind.Group : ChatKind.Private;
        var message = photo ? kit.Media(chat, MediaKind.Photo, text, chatKind: kind) : kit.Text(chat, text, kind: kind);

        var auditBefore = kit.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());
        kit.Processor.Process(message);
        var newAudit = kit.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var saved = kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Activity).ToList());

        var allowed = target == Target.Own && role is Role.Mentor or Role.Volunteer or Role.Admin or Role.OtherSchoolAdmin;
        Assert.Equal(allowed ? [own] : Array.Empty<string>(), saved.Select(r => r.ChildId));
        Assert.Equal(allowed ? [own] : Array.Empty<string>(), newAudit.Where(a => a.Action == "record.activity").Select(a => a.ChildId!));
        // Nothing about the other child, ever; a parent's captioned photo is still a message to their children's mentors.
        Assert.DoesNotContain(newAudit, a => a.ChildId == other || (a.ChildId is not null && a.ChildId != own && !(role == Role.Parent && a.Action == "record.parentmessage")));
        if (allowed)
        {
            var author = kit.Db.Read(tx => tx.People.FindOne(p => p.ChatId == chat));
            Assert.Equal((author.Id, "Tree planting", saved[0].Id), (saved[0].AuthorId, saved[0].Text, saved[0].GroupId));
            Assert.Equal(photo, saved[0].Media is not null);
            Assert.Contains(newOutbox, o => o.ChatId == chat && o.Text.StartsWith("✅ Activity \"Tree planting\" saved", StringComparison.Ordinal));
        }
        else if (role is Role.Mentor or Role.Volunteer or Role.Admin or Role.OtherSchoolAdmin)
        {
            // Refused with the reason; an admin who typed a 学号 of another school does not learn that child's name.
            var reply = Assert.Single(newOutbox, o => o.ChatId == chat);
            Assert.StartsWith("❗ The activity was not saved:", reply.Text, StringComparison.Ordinal);
            if (isAdmin)
            {
                Assert.DoesNotContain(kit.Db.Read(tx => tx.Children.FindById(other)).Name, reply.Text, StringComparison.Ordinal);
            }
        }

        if (role == Role.Group)
        {
            Assert.Empty(newOutbox);
        }
    }
}

using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests;

/// <summary>Who sends the command in an access table.</summary>
public enum AccessRole { Mentor, Volunteer, Parent, Admin, OtherSchoolAdmin, Unlinked, Group }

/// <summary>
/// The county of the access tables: schools a and b with an admin each (Head Liu: a, Head Ma: b); at school a a
/// mentor's child a/101 and a volunteer's child a/102, both of Father Zhang; at school b another mentor's child b/201
/// (of Father Chen when asked for). Everyone speaks English, so the tests can look for English texts.
/// </summary>
internal static class AccessWorld
{
    public const long MentorChat = 501, VolunteerChat = 502, OtherMentorChat = 503, ParentChat = 601, OtherParentChat = 602, AdminChat = 701, OtherAdminChat = 702, UnlinkedChat = 999;

    public static ChatTestKit Create(bool otherSchoolParent = false)
    {
        var kit = new ChatTestKit();
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
        if (otherSchoolParent)
        {
            kit.AddSchoolChild("b", "201", "Xiaojun", otherMentor, kit.AddPerson("Father Chen", "13700000002", Roles.Parent, OtherParentChat, "en"));
        }
        else
        {
            kit.AddSchoolChild("b", "201", "Xiaojun", otherMentor);
        }

        return kit;
    }

    /// <summary>The sender's chat and "their own" child (for a parent their child, for an admin one of their school).</summary>
    public static (long Chat, string OwnChild) As(AccessRole role) => role switch
    {
        AccessRole.Mentor => (MentorChat, "a/101"),
        AccessRole.Volunteer => (VolunteerChat, "a/102"),
        AccessRole.Parent => (ParentChat, "a/101"),
        AccessRole.Admin => (AdminChat, "a/101"),
        AccessRole.OtherSchoolAdmin => (OtherAdminChat, "b/201"),
        AccessRole.Unlinked => (UnlinkedChat, "a/101"),
        _ => (MentorChat, "a/101"), // the mentor, writing in a group
    };

    public static ChatKind KindOf(AccessRole role) => role == AccessRole.Group ? ChatKind.Group : ChatKind.Private;
}

using CareBot.Tests.Shared;
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
    public enum Target { Own, Other, Both }

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<AccessRole>()
        from target in Enum.GetValues<Target>()
        from photo in new[] { false, true }
        select new object[] { role, target, photo };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_is_saved(AccessRole role, Target target, bool photo)
    {
        using var kit = AccessWorld.Create();

        var (chat, own) = AccessWorld.As(role);
        var other = role == AccessRole.OtherSchoolAdmin ? "a/101" : "b/201";
        var isAdmin = role is AccessRole.Admin or AccessRole.OtherSchoolAdmin;
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
        var kind = AccessWorld.KindOf(role);
        var message = photo ? kit.Media(chat, MediaKind.Photo, text, chatKind: kind) : kit.Text(chat, text, kind: kind);

        var auditBefore = kit.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());
        kit.Processor.Process(message);
        var newAudit = kit.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var saved = kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Activity).ToList());

        var allowed = target == Target.Own && role is AccessRole.Mentor or AccessRole.Volunteer or AccessRole.Admin or AccessRole.OtherSchoolAdmin;
        Assert.Equal(allowed ? [own] : Array.Empty<string>(), saved.Select(r => r.ChildId));
        Assert.Equal(allowed ? [own] : Array.Empty<string>(), newAudit.Where(a => a.Action == "record.activity").Select(a => a.ChildId!));
        // Nothing about the other child, ever; a parent's captioned photo is still a message to their children's mentors.
        Assert.DoesNotContain(newAudit, a => a.ChildId == other || (a.ChildId is not null && a.ChildId != own && !(role == AccessRole.Parent && a.Action == "record.parentmessage")));
        if (allowed)
        {
            var author = kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(chat)));
            Assert.Equal((author.Id, "Tree planting", saved[0].Id), (saved[0].AuthorId, saved[0].Text, saved[0].GroupId));
            Assert.Equal(photo, saved[0].Media is not null);
            Assert.Contains(newOutbox, o => o.TelegramId == chat && o.Text.StartsWith("✅ Activity \"Tree planting\" saved", StringComparison.Ordinal));
        }
        else if (role is AccessRole.Mentor or AccessRole.Volunteer or AccessRole.Admin or AccessRole.OtherSchoolAdmin)
        {
            // Refused with the reason; an admin who typed a 学号 of another school does not learn that child's name.
            var reply = Assert.Single(newOutbox, o => o.TelegramId == chat);
            Assert.StartsWith("❗ The activity was not saved:", reply.Text, StringComparison.Ordinal);
            if (isAdmin)
            {
                Assert.DoesNotContain(kit.Db.Read(tx => tx.Children.FindById(other)).Name, reply.Text, StringComparison.Ordinal);
            }
        }

        if (role == AccessRole.Group)
        {
            Assert.Empty(newOutbox);
        }
    }
}

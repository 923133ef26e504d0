using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Year;

/// <summary>
/// The access table for /call (answered, and 未接通 / unanswered) and /aid: every role × own child / other child (of the
/// other school). A call is saved only by a carer about their own child; aid only by an admin about a child of the
/// admin's schools; aid is shown to nobody else.
/// </summary>
public sealed class YearAccessTests
{
    public enum Target { Own, Other }

    public static IEnumerable<object[]> Cases() =>
        from role in Enum.GetValues<AccessRole>()
        from command in new[] { "/call", "/call unanswered", "/aid", "/card" }
        from target in Enum.GetValues<Target>()
        select new object[] { role, command, target };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_what_the_design_allows_succeeds(AccessRole role, string command, Target target)
    {
        using var kit = AccessWorld.Create();

        // Every child has one aid entry already: it must show to the admins of its school only.
        kit.Db.Write(tx =>
        {
            foreach (var id in new[] { "a/101", "a/102", "b/201" })
            {
                AidRules.Save(tx, new AidEntry { ChildId = id, Kind = "secret-aid-kind", Amount = 321, Date = new DateOnly(2026, 11, 1), RecordedBy = "cli", AtUtc = DateTime.UtcNow });
            }
        });

        var (chat, own) = AccessWorld.As(role);
        var childId = target == Target.Own ? own : role == AccessRole.OtherSchoolAdmin ? "a/101" : "b/201";
        var child = kit.Db.Read(tx => tx.Children.FindById(childId));
        var isAdmin = role is AccessRole.Admin or AccessRole.OtherSchoolAdmin;
        var who = isAdmin ? child.StudentNo : child.Name;
        var text = command switch
        {
            "/call" => $"/call {who} call-note-123",
            "/call unanswered" => $"/call {who} unanswered no-answer-123",
            "/aid" => $"/aid {who} books 150 2026-11-20 county",
            _ => $"/card {who}",
        };

        var auditBefore = kit.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());
        kit.Processor.Process(kit.Text(chat, text, kind: AccessWorld.KindOf(role)));
        var newAudit = kit.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var calls = kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.Call).ToList());
        var aid = kit.Db.Read(tx => tx.Aid.Find(a => a.Kind == "books").ToList());
        var unanswered = kit.Db.Read(tx => tx.Records.Find(r => r.Kind == CareKind.UnansweredCall).ToList());

        var isCarer = role is AccessRole.Mentor or AccessRole.Volunteer;
        var callAllowed = command == "/call" && isCarer && target == Target.Own;
        var unansweredAllowed = command == "/call unanswered" && isCarer && target == Target.Own;
        var aidAllowed = command == "/aid" && isAdmin && target == Target.Own;
        var cardAllowed = command == "/card" && (isCarer || isAdmin) && target == Target.Own;

        Assert.Equal(callAllowed ? 1 : 0, calls.Count);
        Assert.Equal(callAllowed, newAudit.Any(a => a.Action == "record.call" && a.ChildId == childId));
        Assert.Equal(unansweredAllowed ? 1 : 0, unanswered.Count);
        Assert.Equal(unansweredAllowed, newAudit.Any(a => a.Action == "record.unansweredcall" && a.ChildId == childId));
        Assert.Equal(aidAllowed ? 1 : 0, aid.Count);
        Assert.Equal(aidAllowed, newAudit.Any(a => a.Action == "aid.added" && a.ChildId == childId && a.Actor.StartsWith("person:", StringComparison.Ordinal)));
        Assert.Equal(cardAllowed, newAudit.Any(a => a.Action == "card.read" && a.ChildId == childId));
        Assert.DoesNotContain(newAudit, a => a.ChildId is not null && a.ChildId != childId);

        // Aid text reaches an admin of the child's school reading its card, and nobody else ever.
        var aidShown = newOutbox.Where(o => o.Text.Contains("secret-aid-kind", StringComparison.Ordinal)).ToList();
        if (command == "/card" && isAdmin && target == Target.Own)
        {
            Assert.Equal(chat, Assert.Single(aidShown).TelegramId);
        }
        else
        {
            Assert.Empty(aidShown);
        }

        if (role == AccessRole.Group)
        {
            Assert.Empty(newOutbox);
        }

        if (callAllowed)
        {
            Assert.Equal(kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(chat))).Id, calls[0].AuthorId);
            Assert.Contains(newOutbox, o => o.TelegramId == chat && o.Text.StartsWith("✅ Phone talk about", StringComparison.Ordinal));
        }

        if (unansweredAllowed)
        {
            Assert.Equal("no-answer-123", unanswered[0].Text);
            Assert.Contains(newOutbox, o => o.TelegramId == chat && o.Text.StartsWith("📵 Saved: the call to", StringComparison.Ordinal));
        }
    }
}

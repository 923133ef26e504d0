using CareBot.Tests.Shared;
using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using Xunit.Abstractions;

namespace CareBot.Core.Tests.Chat;

/// <summary>
/// Every role × every command × own child / other child: only what DESIGN.md allows succeeds. Records are written
/// for the sender's own child only, a contact card read is audited for the own child only, admin commands work for
/// admins only, group chats get nothing at all, unlinked chats get only the invite hint. The county has a second
/// school whose child has the same 学号 (S001): the admin is scoped to the first school and never sees or reaches it.
/// </summary>
/// <summary>
/// Every role × command × target. The cases are split by role over <see cref="Parts"/> classes per provider (below),
/// so that they run side by side rather than as one long chain.
/// </summary>
public abstract class AccessControlTests
{
    /// <summary>The provider this suite runs on; the …OnPostgres classes run it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    protected const int Parts = 3;

    public enum Role { Mentor, Volunteer, Parent, Admin, Unlinked, Group }

    public enum Target { Own, Other, OtherSchool }

    private const long MentorChat = 501, VolunteerChat = 502, OtherMentorChat = 503, OtherSchoolMentorChat = 504, ParentChat = 601, OtherSchoolParentChat = 603, AdminChat = 701, UnlinkedChat = 999;

    private static readonly string[] Commands =
        ["/mine", "/visit", "/talk", "/diary", "/check", "/card", "/stats", "/overdue", "/notice", "/stop", "/start", "/lang", "/help", "plain", "button", "photo", "voice", "sticker"];

    private static readonly string[] WriteCommands = ["/visit", "/talk", "/diary", "/check", "button", "photo"];

    /// <summary>The cases of one part (the roles whose number modulo <see cref="Parts"/> is <paramref name="part"/>).</summary>
    public static IEnumerable<object[]> Cases(int part) =>
        from role in Enum.GetValues<Role>()
        where (int)role % Parts == part
        from command in Commands
        from target in Enum.GetValues<Target>()
        select new object[] { role, command, target };

    internal static int CaseCount() => Enumerable.Range(0, Parts).Sum(part => Cases(part).Count());

    internal static int CommandCount => Commands.Length;

    protected void Check(Role role, string command, Target target)
    {
        using var kit = new ChatTestKit(Store);
        var mentor = kit.AddPerson("Mentor Wang", "13800000001", Roles.Mentor, MentorChat, "en");
        var volunteer = kit.AddPerson("Volunteer Li", "13800000002", Roles.Volunteer, VolunteerChat, "en");
        var otherMentor = kit.AddPerson("Mentor Zhao", "13800000003", Roles.Mentor, OtherMentorChat, "en");
        var parent = kit.AddPerson("Father Zhang", "13700000001", Roles.Parent, ParentChat, "en");
        var otherParent = kit.AddPerson("Father Sun", "13700000002", Roles.Parent, 602, "en");
        var admin = kit.AddPerson("Head Liu", "13600000001", Roles.Admin, AdminChat, "en");
        var hsMentor = kit.AddPerson("Mentor Qian", "13800000004", Roles.Mentor, OtherSchoolMentorChat, "en");
        var hsParent = kit.AddPerson("Father Qian", "13700000003", Roles.Parent, OtherSchoolParentChat, "en");
        kit.Options.Schools.AddRange([new() { Id = "dq", Name = "Daqiao" }, new() { Id = "hs", Name = "Heshan" }]);
        kit.Options.Admins.Add(new AdminEntry { Name = admin.Name, Phone = admin.Phone, Schools = ["dq"] });
        kit.AddSchoolChild("dq", "S001", "Xiaohong", mentor, parent);
        kit.AddSchoolChild("dq", "S002", "Xiaoming", volunteer, parent);
        kit.AddSchoolChild("dq", "S003", "Xiaojun", otherMentor, otherParent);
        kit.AddSchoolChild("hs", "S001", "Xiaolan", hsMentor, hsParent);

        var (sender, chat, own) = role switch
        {
            Role.Mentor => (mentor, MentorChat, "dq/S001"),
            Role.Volunteer => (volunteer, VolunteerChat, "dq/S002"),
            Role.Parent => (parent, ParentChat, "dq/S001"),
            Role.Admin => (admin, AdminChat, (string?)null),
            Role.Unlinked => ((Person?)null, UnlinkedChat, (string?)null),
            _ => (mentor, MentorChat, "dq/S001"), // a group chat the mentor writes in
        };
        var ownChildIds = role switch
        {
            Role.Parent => new[] { "dq/S001", "dq/S002" },
            Role.Mentor or Role.Group => ["dq/S001"],
            Role.Volunteer => ["dq/S002"],
            _ => [],
        };
        var childId = target switch
        {
            Target.Own => own ?? "dq/S001",
            Target.Other => "dq/S003",
            _ => "hs/S001",
        };
        var childName = kit.Db.Read(tx => tx.Children.FindById(childId).Name);

        var text = command switch
        {
            "/visit" or "/talk" => $"{command} {childName} note-text-123",
            "/diary" => $"/diary {childName} diary-text-123",
            "/check" => $"/check {childName} study=4 life=3 mood=2 safety=5 health=4 fine",
            "/card" => $"/card {childName}",
            "/notice" => "/notice school closes early",
            "/lang" => "/lang en",
            "plain" => $"{childName} how are things",
            _ => command,
        };
        var chatKind = role == Role.Group ? ChatKind.Group : ChatKind.Private;
        var message = command switch
        {
            "button" => kit.Button(chat, $"visited:{childId}") with { ChatKind = chatKind },
            // A photo captioned with a command about the child; a voice note on its own; a sticker.
            "photo" => kit.Media(chat, MediaKind.Photo, $"/visit {childName} photo-note-123", chatKind: chatKind),
            "voice" => kit.Media(chat, MediaKind.Voice, chatKind: chatKind),
            "sticker" => kit.Media(chat, MediaKind.Other, chatKind: chatKind),
            _ => kit.Text(chat, text, kind: chatKind),
        };

        var auditBefore = kit.Db.Read(tx => tx.Audit.Count());
        var outboxBefore = kit.Db.Read(tx => tx.Outbox.Count());
        kit.Processor.Process(message);
        var newAudit = kit.Db.Read(tx => tx.Audit.FindAll().Skip(auditBefore).ToList());
        var newOutbox = kit.Db.Read(tx => tx.Outbox.FindAll().Skip(outboxBefore).ToList());
        var replies = newOutbox.Where(o => o.TelegramId == chat).Select(o => o.Text).ToList();
        var records = kit.Db.Read(tx => tx.Records.FindAll().ToList());

        // Every update is recorded as processed, whatever happened.
        Assert.NotNull(kit.Db.Read(tx => tx.Updates.FindById(message.UpdateId)));

        if (role == Role.Group)
        {
            Assert.Empty(newOutbox);
            Assert.Empty(records);
            Assert.Empty(newAudit);
            return;
        }

        if (role == Role.Unlinked)
        {
            Assert.Empty(records);
            Assert.Empty(newAudit);
            Assert.All(newOutbox, o => Assert.Equal(UnlinkedChat, o.TelegramId));
            if (command == "button")
            {
                Assert.Empty(replies);
            }
            else
            {
                Assert.Equal(Text.Texts.Get("zh", "link.need_invite"), Assert.Single(replies));
            }

            return;
        }

        // Linked private chats: records only for the sender's own children, authored by the sender.
        Assert.All(records, r =>
        {
            Assert.Contains(r.ChildId, ownChildIds);
            Assert.Equal(sender!.Id, r.AuthorId);
        });

        var isCarer = role is Role.Mentor or Role.Volunteer;
        var expectRecord = (isCarer && target == Target.Own && WriteCommands.Contains(command))
            || (role == Role.Parent && command is "plain" or "photo" or "voice");
        if (expectRecord)
        {
            Assert.NotEmpty(records);
            Assert.All(records, r => Assert.Contains(newAudit, a => a.Action == "record." + r.Kind.ToString().ToLowerInvariant() && a.ChildId == r.ChildId && a.Actor == $"person:{sender!.Id}"));
            if (isCarer)
            {
                Assert.Equal(childId, Assert.Single(records).ChildId);
            }
        }
        else
        {
            Assert.Empty(records);
        }

        // Contact cards: read (and audited) only by a carer of that child.
        var cardReads = newAudit.Where(a => a.Action == "card.read").ToList();
        if (isCarer && command == "/card" && target == Target.Own)
        {
            Assert.Equal(childId, Assert.Single(cardReads).ChildId);
            Assert.Contains(replies, r => r.Contains("(id " + childId.Split('/')[1] + ")", StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(cardReads);
            Assert.DoesNotContain(replies, r => r.Contains("📇", StringComparison.Ordinal));
        }

        // Nothing ever shows another carer's child's card data or guardian phone.
        Assert.DoesNotContain(newOutbox, o => o.Text.Contains("13900000000", StringComparison.Ordinal) && !(isCarer && command == "/card" && target == Target.Own));

        // Admin commands only for admins.
        var isAdmin = role == Role.Admin;
        Assert.Equal(isAdmin && command == "/notice", newOutbox.Any(o => o.Kind == OutboxKind.Notice));
        Assert.Equal(isAdmin && command == "/notice", newAudit.Any(a => a.Action == "notice.sent"));
        if (command == "/stats")
        {
            Assert.Equal(isAdmin, replies.Any(r => r.StartsWith("📊", StringComparison.Ordinal)));
            if (isAdmin)
            {
                // The admin's school only: three children, not the other school's.
                Assert.Contains(replies, r => r.Contains("Children: 3", StringComparison.Ordinal));
                Assert.DoesNotContain(replies, r => r.Contains("Heshan", StringComparison.Ordinal));
            }
        }

        // Nothing reaches the other school's people: no notice, relay or card of theirs.
        Assert.DoesNotContain(newOutbox, o => o.TelegramId is OtherSchoolParentChat or OtherSchoolMentorChat);

        if (command == "/overdue")
        {
            Assert.Equal(isAdmin, replies.Any(r => r.StartsWith("⚠️", StringComparison.Ordinal) || r.StartsWith("No child is overdue", StringComparison.Ordinal)));
            Assert.DoesNotContain(replies, r => r.Contains("Xiaolan", StringComparison.Ordinal));
        }

        // Relays reach only the carers of the parent's own children; media relays are copies of the sender's own message.
        foreach (var relay in newOutbox.Where(o => o.Kind == OutboxKind.Relay))
        {
            Assert.Contains(relay.ChildId, ownChildIds);
            Assert.NotEqual(OtherMentorChat, relay.TelegramId);
            if (relay.Media is { } media)
            {
                Assert.Equal(OutMediaKind.Copy, media.Kind);
                Assert.Equal(chat, media.CopyFromTelegramId);
            }
        }

        // Media is kept only with a record of the sender's own child, and only as a file reference; stickers never.
        Assert.All(records.Where(r => r.Media is not null), r =>
        {
            Assert.Contains(command, new[] { "photo", "voice" });
            Assert.Equal(message.Media!.FileId, r.Media!.FileId);
        });
        if (command == "sticker")
        {
            Assert.Equal(Text.Texts.Get("en", "media.other_kind"), Assert.Single(replies));
        }

        // A linked private text always gets a non-empty answer; a button gets an acknowledgement instead.
        if (command != "button")
        {
            Assert.NotEmpty(replies);
            Assert.All(replies, r => Assert.False(string.IsNullOrWhiteSpace(r)));
        }
    }
}

public sealed class AccessControlCaseCountTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_role_command_and_target_is_a_case_of_exactly_one_part()
    {
        var count = AccessControlTests.CaseCount();
        output.WriteLine($"access control cases: {count}");
        Assert.Equal(6 * AccessControlTests.CommandCount * 3, count);
    }
}

public sealed class AccessControlTests0 : AccessControlTests
{
    [Theory]
    [MemberData(nameof(Cases), 0)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

public sealed class AccessControlTests1 : AccessControlTests
{
    [Theory]
    [MemberData(nameof(Cases), 1)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

public sealed class AccessControlTests2 : AccessControlTests
{
    [Theory]
    [MemberData(nameof(Cases), 2)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

/// <summary>The same suite on PostgreSQL, in the same three parts.</summary>
public sealed class AccessControlTestsOnPostgres0 : AccessControlTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    [Theory]
    [MemberData(nameof(Cases), 0)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

public sealed class AccessControlTestsOnPostgres1 : AccessControlTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    [Theory]
    [MemberData(nameof(Cases), 1)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

public sealed class AccessControlTestsOnPostgres2 : AccessControlTests
{
    protected override StoreKind Store => StoreKind.Postgres;

    [Theory]
    [MemberData(nameof(Cases), 2)]
    public void Only_what_the_design_allows_succeeds(Role role, string command, Target target) => Check(role, command, target);
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Outbox;

namespace CareBot.Core.Tests.Protection;

/// <summary>Every write and every contact-card read leaves an audit entry: who, when, what, which child.</summary>
public sealed class AuditTrailTests : IDisposable
{
    private const long MentorChat = 501, ParentChat = 601, AdminChat = 701;
    private readonly ChatTestKit _kit = new();
    private readonly Person _mentor, _father, _admin;

    public AuditTrailTests()
    {
        _mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        _father = _kit.AddPerson("张大山", "13700000001", Roles.Parent, ParentChat);
        _admin = _kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        _kit.AddChild("S001", "张小红", _mentor, _father);
    }

    public void Dispose() => _kit.Dispose();

    public static TheoryData<string, long, string, string?> Writes() => new()
    {
        { "/visit 张小红 去了", MentorChat, "record.visit", "S001" },
        { "/talk 张小红 聊了", MentorChat, "record.talk", "S001" },
        { "/diary 张小红 开心", MentorChat, "record.diary", "S001" },
        { "/check 张小红 学习=4 生活=3 心理=2 安全=5 健康=4", MentorChat, "record.check", "S001" },
        { "/card 张小红", MentorChat, "card.read", "S001" },
        { "button:visited:S001", MentorChat, "record.visit", "S001" },
        { "孩子最近好吗", ParentChat, "record.parentmessage", "S001" },
        { "/stop", ParentChat, "person.paused", null },
        { "/lang en", ParentChat, "person.language", null },
        { "/notice 明天放假", AdminChat, "notice.sent", null },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public void Each_write_command_is_audited_with_who_when_what_and_which_child(string input, long chat, string action, string? childId)
    {
        var sender = _kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(chat)));
        _kit.Time.Advance(TimeSpan.FromMinutes(7));
        var now = _kit.Time.GetUtcNow().UtcDateTime;
        var before = _kit.Db.Read(tx => tx.Audit.Count());
        var recordsBefore = _kit.Db.Read(tx => tx.Records.Count());

        _kit.Processor.Process(input.StartsWith("button:", StringComparison.Ordinal) ? _kit.Button(chat, input["button:".Length..]) : _kit.Text(chat, input));

        var entries = _kit.Db.Read(tx => tx.Audit.FindAll().Skip(before).ToList());
        var entry = Assert.Single(entries, a => a.Action == action);
        Assert.Equal($"person:{sender.Id}", entry.Actor);
        Assert.Equal(now, entry.AtUtc);
        Assert.Equal(childId, entry.ChildId);

        // Each new record is named by an audit entry, and no audit entry carries the text.
        foreach (var record in _kit.Db.Read(tx => tx.Records.FindAll().Skip(recordsBefore).ToList()))
        {
            Assert.Contains(entries, a => a.Detail == $"record:{record.Id}" && a.ChildId == record.ChildId);
        }

        Assert.All(entries, a => Assert.DoesNotMatch(@"1[3-9]\d{9}|去了|聊了|开心|好吗|放假|张小红", $"{a.Action} {a.Detail}"));
    }

    [Fact]
    public void Plain_replies_to_a_reminder_and_to_a_relayed_parent_message_are_audited()
    {
        // A reminder about S001 the mentor answers without naming the child.
        _kit.Outbox.Enqueue(new OutboxMessage { Key = "remind:test", PersonId = _mentor.Id, Chat = TelegramChats.At(MentorChat), Text = "该家访了", Kind = OutboxKind.Reminder, ChildId = "S001", ReplyAs = CareKind.Visit });
        _kit.MarkLastSent(MentorChat, 41);
        _kit.Processor.Process(_kit.Text(MentorChat, "去过了", replyTo: 41));
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "record.visit" && a.ChildId == "S001" && a.Actor == $"person:{_mentor.Id}");

        // The father writes; the mentor answers the relay.
        _kit.Processor.Process(_kit.Text(ParentChat, "谢谢老师"));
        _kit.MarkLastSent(MentorChat, 42);
        _kit.Processor.Process(_kit.Text(MentorChat, "不客气", replyTo: 42));
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "record.parentmessage" && a.ChildId == "S001" && a.Actor == $"person:{_father.Id}");
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "record.parentmessage" && a.ChildId == "S001" && a.Actor == $"person:{_mentor.Id}");
    }

    [Fact]
    public void Resume_with_start_and_invite_redemption_are_audited()
    {
        _kit.Processor.Process(_kit.Text(ParentChat, "/stop"));
        _kit.Processor.Process(_kit.Text(ParentChat, "/start"));
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "person.resumed" && a.Actor == $"person:{_father.Id}");

        var mother = _kit.AddPerson("李小花", "13700000002", Roles.Parent, null);
        var code = _kit.Invites.Issue([mother], 14, "cli").Single().Code;
        _kit.Processor.Process(_kit.Text(602, $"/start {code}"));
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "invite.issued" && a.Actor == "cli");
        Assert.Single(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "invite.redeemed" && a.Actor == $"person:{mother.Id}");
    }

    [Fact]
    public void Denied_attempts_write_nothing_and_audit_nothing()
    {
        var other = _kit.AddPerson("赵老师", "13800000002", Roles.Mentor, 502);
        _kit.AddChild("S003", "孙小军", other);
        var before = _kit.Db.Read(tx => tx.Audit.Count());

        _kit.Processor.Process(_kit.Text(MentorChat, "/card 孙小军"));
        _kit.Processor.Process(_kit.Text(MentorChat, "/visit 孙小军 去了"));
        _kit.Processor.Process(_kit.Button(MentorChat, "visited:S003"));
        _kit.Processor.Process(_kit.Text(ParentChat, "/notice 假通知"));

        Assert.Equal(before, _kit.Db.Read(tx => tx.Audit.Count()));
        Assert.Equal(0, _kit.Db.Read(tx => tx.Records.Count()));
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Protection;

namespace CareBot.Core.Tests.Protection;

/// <summary><c>carebot forget</c> erases messages by the child's id, never by matching their text.</summary>
public sealed class ForgetByIdTests : IDisposable
{
    private const long TeacherWangChat = 501, TeacherLiChat = 502, LiFamilyChat = 601, XiaomingFamilyChat = 602, AdminChat = 701;
    private readonly ChatTestKit _kit = new();
    private readonly Person _wang, _li, _liFather, _xiaomingFather, _admin;

    public ForgetByIdTests()
    {
        _wang = _kit.AddPerson("王小明", "13800000001", Roles.Mentor, TeacherWangChat); // a teacher who shares a name with the child
        _li = _kit.AddPerson("李老师", "13800000002", Roles.Mentor, TeacherLiChat);
        _liFather = _kit.AddPerson("李大山", "13700000001", Roles.Parent, LiFamilyChat);
        _xiaomingFather = _kit.AddPerson("张大海", "13700000002", Roles.Parent, XiaomingFamilyChat);
        _admin = _kit.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat);
        _kit.AddChild("S001", "小明", _li, _xiaomingFather);
        _kit.AddChild("S002", "李华", _wang, _liFather);
    }

    public void Dispose() => _kit.Dispose();

    private List<OutboxMessage> Outbox() => _kit.Db.Read(tx => tx.Outbox.FindAll().ToList());

    private void SendAll()
    {
        foreach (var row in _kit.Db.Read(tx => tx.Outbox.Find(o => o.Status == OutboxStatus.Pending).ToList()))
        {
            _kit.Outbox.MarkSent(row, (int)row.Id);
        }
    }

    [Fact]
    public void Forgetting_xiaoming_keeps_another_familys_update_that_names_teacher_wang_xiaoming()
    {
        _kit.Send(_kit.Text(TeacherWangChat, "/visit 李华 和奶奶聊了学习"));
        _kit.Send(_kit.Text(TeacherLiChat, "/visit 小明 去了家里"));
        _kit.Send(_kit.Text(TeacherLiChat, "/card 小明"));
        new WeeklyUpdatePlanner(_kit.Db, _kit.Outbox).Plan(_kit.Clock.Today);
        SendAll();
        var liUpdate = Assert.Single(Outbox(), o => o.Kind == OutboxKind.WeeklyUpdate && o.PersonId == _liFather.Id);
        Assert.Contains("王小明", liUpdate.Text, StringComparison.Ordinal); // the other family's update names the teacher
        var wangReply = Assert.Single(Outbox(), o => o.TelegramId == TeacherWangChat && o.Kind == OutboxKind.Reply);
        Assert.Contains("李华", wangReply.Text, StringComparison.Ordinal);

        var result = new ForgetService(_kit.Db, _kit.Time).Forget("S001", "cli");

        Assert.NotNull(result);
        var left = Outbox();
        Assert.Contains(left, o => o.Id == liUpdate.Id);
        Assert.Contains(left, o => o.Id == wangReply.Id);
        // Everything about 小明 went: the teacher's replies (the card, "visit saved"), the family's update.
        Assert.DoesNotContain(left, o => o.TelegramId == TeacherLiChat || o.TelegramId == XiaomingFamilyChat);
        Assert.DoesNotContain(left, o => o.ChildId == "S001" || o.ChildIds.Contains("S001"));
    }

    [Fact]
    public void Messages_carry_the_ids_of_the_children_they_name()
    {
        _kit.Time.Advance(TimeSpan.FromDays(30)); // nobody visited: both children overdue
        _kit.Send(_kit.Text(TeacherLiChat, "/card 小明"));
        _kit.Send(_kit.Text(AdminChat, "/overdue"));
        _kit.Send(_kit.Text(LiFamilyChat, "孩子最近好吗"));

        var rows = Outbox();
        Assert.Equal(["S001"], rows.Single(o => o.TelegramId == TeacherLiChat).ChildIds);
        var overdue = rows.Single(o => o.TelegramId == AdminChat);
        Assert.Contains("小明", overdue.Text, StringComparison.Ordinal);
        Assert.Equal(["S001", "S002"], overdue.ChildIds);
        Assert.Equal(["S002"], rows.Single(o => o.TelegramId == TeacherWangChat).ChildIds); // the parent's message, relayed
        Assert.Empty(rows.Single(o => o.TelegramId == LiFamilyChat).ChildIds); // the parent's receipt names no child
    }

    [Fact]
    public void A_sent_reminder_naming_the_child_goes_and_one_naming_only_others_stays()
    {
        new ReminderPlanner(_kit.Db, _kit.Outbox, _kit.Clock, _kit.Options).Plan();
        SendAll();
        var reminders = Outbox().Where(o => o.Kind == OutboxKind.Reminder).ToList();
        Assert.Equal(2, reminders.Count);

        new ForgetService(_kit.Db, _kit.Time).Forget("S001", "cli");

        var left = Assert.Single(Outbox(), o => o.Kind == OutboxKind.Reminder);
        Assert.Equal(_wang.Id, left.PersonId);
        Assert.Equal(["S002"], left.ChildIds);
    }

    [Fact]
    public void A_teachers_sent_reply_about_another_of_their_children_stays()
    {
        _kit.AddChild("S003", "小刚", _li, _liFather);
        _kit.Send(_kit.Text(TeacherLiChat, "/visit 小刚 去了"));
        _kit.Send(_kit.Text(TeacherLiChat, "/visit 小明 去了"));
        SendAll();

        new ForgetService(_kit.Db, _kit.Time).Forget("S001", "cli");

        var left = Assert.Single(Outbox(), o => o.TelegramId == TeacherLiChat);
        Assert.Contains("小刚", left.Text, StringComparison.Ordinal);
        Assert.Equal(["S003"], left.ChildIds);
    }
}

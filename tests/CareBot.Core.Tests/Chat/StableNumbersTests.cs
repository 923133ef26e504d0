using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Protection;

namespace CareBot.Core.Tests.Chat;

/// <summary>
/// /mine numbers mean the children of the list the carer was shown: once an import or a forget changed the list, a
/// number is refused with the current list instead of being filed under whichever child now has it.
/// </summary>
public class StableNumbersTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="StableNumbersTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private const long MentorChat = 501, EnglishChat = 502;
    private readonly ChatTestKit _kit;
    private readonly Person _mentor, _english;

    public StableNumbersTests()
    {
        _kit = new ChatTestKit(Store);
        _mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, MentorChat);
        _english = _kit.AddPerson("Ms Zhao", "13800000002", Roles.Mentor, EnglishChat, "en");
        _kit.AddChild("S002", "张小红", _mentor);
        _kit.AddChild("S003", "陈小明", _mentor);
        _kit.AddChild("S012", "李小兰", _english);
        _kit.AddChild("S013", "周小华", _english);
    }

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    private List<CareRecord> Records() => _kit.Db.Read(tx => tx.Records.FindAll().ToList());

    [Fact]
    public void A_number_from_a_list_changed_by_an_import_is_refused_with_the_current_list()
    {
        Assert.Contains("2. 陈小明", Assert.Single(_kit.Send(_kit.Text(MentorChat, "/mine"))));

        // An import pairs a new child whose key sorts first: 陈小明 is now number 3, and 张小红 number 2.
        _kit.AddChild("S001", "赵小刚", _mentor);
        var reply = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/diary 2 今天哭了，想妈妈")));

        Assert.Empty(Records());
        Assert.Contains("名单在您上次查看后有变化", reply, StringComparison.Ordinal);
        Assert.Contains("1. 赵小刚", reply, StringComparison.Ordinal);
        Assert.Contains("2. 张小红", reply, StringComparison.Ordinal);
        Assert.Contains("3. 陈小明", reply, StringComparison.Ordinal);

        // The answer showed the new list: its numbers count now.
        Assert.Contains("陈小明", Assert.Single(_kit.Send(_kit.Text(MentorChat, "/diary 3 今天哭了，想妈妈"))));
        Assert.Equal("S003", Assert.Single(Records()).ChildId);
    }

    [Fact]
    public void A_number_after_a_forget_is_refused_in_english_and_a_name_still_works()
    {
        Assert.Contains("2. 周小华", Assert.Single(_kit.Send(_kit.Text(EnglishChat, "/mine"))));
        Assert.NotNull(new ForgetService(_kit.Db, _kit.Time).Forget("S012", "cli"));

        var reply = Assert.Single(_kit.Send(_kit.Text(EnglishChat, "/visit 2 met grandma")));
        Assert.Contains("Your list of children has changed", reply, StringComparison.Ordinal);
        Assert.Contains("1. 周小华", reply, StringComparison.Ordinal);
        Assert.Empty(Records());

        _kit.Send(_kit.Text(EnglishChat, "/visit 周小华 met grandma"));
        Assert.Equal("S013", Assert.Single(Records()).ChildId);
    }

    [Fact]
    public void The_same_list_keeps_its_numbers_across_days_and_other_commands()
    {
        _kit.Send(_kit.Text(MentorChat, "/mine"));
        _kit.Time.Advance(TimeSpan.FromDays(3));
        _kit.Send(_kit.Text(MentorChat, "/talk 2 聊了学习"));
        _kit.Send(_kit.Text(MentorChat, "/check 1 学习=4 生活=3 心理=2 安全=5 健康=4"));

        var records = Records();
        Assert.Equal(["S002", "S003"], records.Select(r => r.ChildId).Order(StringComparer.Ordinal));
        Assert.Equal(CareKind.Talk, records.Single(r => r.ChildId == "S003").Kind);
    }

    [Fact]
    public void A_changed_list_refuses_numbers_in_activity_and_card_too()
    {
        _kit.Send(_kit.Text(MentorChat, "/mine"));
        _kit.AddChild("S001", "赵小刚", _mentor);

        var activity = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/activity 篮球赛：1, 2")));
        Assert.Contains("名单在您上次查看后有变化", activity, StringComparison.Ordinal);
        Assert.Empty(Records());

        _kit.AddChild("S004", "孙小军", _mentor);
        var card = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/card 1")));
        Assert.Contains("名单在您上次查看后有变化", card, StringComparison.Ordinal);
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "card.read");
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class StableNumbersTestsOnPostgres : StableNumbersTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

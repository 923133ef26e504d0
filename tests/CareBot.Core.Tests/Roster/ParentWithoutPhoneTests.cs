using CareBot.Tests.Shared;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Roster;
using CareBot.Core.Summary;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Roster;

/// <summary>
/// A parent the roster names without a phone is kept (on the card, in the summary, counted unreachable) with one warning
/// line, instead of refusing the whole roster; a later import that gives the phone makes them a linked parent.
/// </summary>
public sealed class ParentWithoutPhoneTests : IDisposable
{
    private const long MentorChat = 501;
    private readonly ChatTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private RosterImporter Importer() => new(_kit.Db, _kit.Time, 3);

    /// <summary>S001 has a father with a phone and a mother without one; S002 only a mother without one.</summary>
    private static string Roster(string motherPhone = "", string secondMotherPhone = "") => Csv(
        ZhHeader,
        Row("S001", "王小明", mother: "母亲124", motherPhone: motherPhone),
        Row("S002", "李小红", father: "", fatherPhone: "", mother: "李母", motherPhone: secondMotherPhone));

    private Child Child(string no) => _kit.Db.Read(tx => tx.Children.FindById("default/" + no));

    [Fact]
    public void A_mother_without_a_phone_is_kept_on_the_child_with_one_warning_line_and_the_roster_gets_in()
    {
        var result = Importer().Import(Roster(), language: "zh");

        Assert.True(result.Succeeded, string.Join("\n", result.FormatProblems()));
        Assert.Equal(
            [
                "roster.csv:2: 母亲电话: 母亲124 没有电话号码：已记在孩子的档案上，但收不到邀请和每周动态；有了电话请补上再导入",
                "roster.csv:3: 母亲电话: 李母 没有电话号码：已记在孩子的档案上，但收不到邀请和每周动态；有了电话请补上再导入",
            ],
            result.FormatWarnings());
        var first = Child("S001");
        Assert.Single(first.Parents); // the father, by phone
        var mother = Assert.Single(first.ParentsWithoutPhone);
        Assert.Equal(("母亲124", ParentRelation.Mother, "浙江杭州"), (mother.Name, mother.Relation, mother.WorkCity));
        Assert.Empty(Child("S002").Parents);
        Assert.Equal("李母", Assert.Single(Child("S002").ParentsWithoutPhone).Name);
        // No person, so no invite and no message can ever be made for her.
        Assert.DoesNotContain(_kit.Db.Read(tx => tx.People.FindAll().ToList()), p => p.Name is "母亲124" or "李母");
        Assert.DoesNotContain(_kit.Invites.Issue(_kit.Db.Read(tx => tx.People.FindAll().Where(p => p.TelegramId == null).ToList()), 14, "test"), i => i.Person.Name is "母亲124" or "李母");
    }

    [Fact]
    public void A_phone_that_is_there_but_not_a_mobile_is_still_an_error()
    {
        var result = Importer().Import(Roster(motherPhone: "12345"));

        Assert.False(result.Succeeded);
        Assert.Equal("roster.csv:2: 母亲电话: not a mainland China mobile number (11 digits starting with 1)", result.FormatProblems().Single());
        Assert.Equal(0, _kit.Db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void A_later_import_with_her_phone_links_the_same_parent_and_the_next_changes_nothing()
    {
        Assert.True(Importer().Import(Roster()).Succeeded);

        var withPhone = Importer().Import(Roster(motherPhone: "13700000002"));
        var again = Importer().Import(Roster(motherPhone: "13700000002"));

        Assert.True(withPhone.Succeeded);
        Assert.Single(withPhone.Warnings); // only 李母 is still without a phone
        var first = Child("S001");
        Assert.Empty(first.ParentsWithoutPhone);
        var link = Assert.Single(first.Parents, p => p.Relation == ParentRelation.Mother);
        var mother = _kit.Db.Read(tx => tx.People.FindById(link.PersonId));
        Assert.Equal(("母亲124", "13700000002", Roles.Parent), (mother.Name, mother.Phone, mother.Roles));
        Assert.Equal((0, 0, 2), (again.ChildrenCreated, again.ChildrenUpdated, again.ChildrenUnchanged));
        Assert.Equal(0, again.PeopleCreated);
    }

    [Fact]
    public void The_card_names_her_and_the_report_and_summary_count_her_unreachable()
    {
        Assert.True(Importer().Import(Roster()).Succeeded);
        _kit.Db.Write(tx =>
        {
            var teacher = tx.People.FindOne(p => p.Phone == "13800000001");
            teacher.Chat = TelegramChats.At(MentorChat);
            teacher.Status = Reachability.Reachable;
            return tx.People.Update(teacher);
        });

        var card = Assert.Single(_kit.Send(_kit.Text(MentorChat, "/card 王小明")));
        var report = new CareReport(_kit.Db, _kit.Clock, _kit.Options).Build();
        var summary = new TermSummaryBuilder(_kit.Db, _kit.Clock).Build(_kit.Clock.Today.AddDays(-7), _kit.Clock.Today, "zh", 90);

        Assert.Contains("母亲：母亲124 没有电话（收不到消息），务工地 浙江杭州", card, StringComparison.Ordinal);
        Assert.Contains("父亲：王建国", card, StringComparison.Ordinal);
        // The father has not linked a chat yet (unreachable too), the two mothers never can be.
        Assert.Equal(3, report.Total.Updates.Unreachable);
        var updates = summary.Sections.Single(s => s.Key == "updates");
        Assert.Equal(2, updates.Figures.Single(f => f.Label == "没有电话的家长（收不到周报）").Value);
        var table = updates.Tables.Single(t => t.Key == "updates.no_phone");
        Assert.Equal(
            new[] { new[] { "三年级1班", "王小明", "母亲", "母亲124" }, new[] { "三年级1班", "李小红", "母亲", "李母" } },
            table.Rows.Select(r => r.Cast<string>().ToArray()));
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Planning;

public class LinkReportTests
{
    /// <summary>The provider this suite runs on; <see cref="LinkReportTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    [Fact]
    public void Report_counts_who_is_linked_per_role_and_the_parents_and_unlinked_families_per_class()
    {
        using var w = new PlanningWorld(PlanningWorld.Local(2026, 11, 23), Store);
        var mentor = w.Person("王老师", Roles.Mentor);
        var volunteer = w.Person("杨阿姨", Roles.Volunteer, linked: false);
        var linked = w.Person("甲", Roles.Parent);
        var blocked = w.Person("乙", Roles.Parent, status: Reachability.Blocked);
        var unlinked = w.Person("丙", Roles.Parent, linked: false);
        var teacherParent = w.Person("丁", Roles.Parent | Roles.Mentor, linked: false); // counts under both roles
        var a = w.Child("S1", "小明", linked, unlinked);
        var b = w.Child("S2", "小红", blocked);
        var c = w.Child("S3", "小刚", teacherParent, unlinked);
        w.Db.Write(tx =>
        {
            foreach (var (child, cls) in new[] { (a, "三年级1班"), (b, "三年级1班"), (c, "四年级2班") })
            {
                child.Class = cls;
                tx.Children.Update(child);
            }
        });
        w.Pair(mentor, a, new DateOnly(2026, 11, 1));
        w.Pair(volunteer, b, new DateOnly(2026, 11, 1));

        var data = LinkReport.Build(w.Db, w.Options, null, "zh");

        Assert.Equal(
            [
                new LinkRow("admin", 0, 0, 0, 0),
                new LinkRow("mentor", 2, 1, 0, 1),
                new LinkRow("volunteer", 1, 0, 0, 1),
                new LinkRow("parent", 4, 1, 1, 2),
            ],
            data.ByRole);
        Assert.Equal(
            [
                new LinkRow("三年级1班", 3, 1, 1, 1, Children: 2, ChildrenWithoutLinkedParent: 1), // 小红's only parent blocked the bot
                new LinkRow("四年级2班", 2, 0, 0, 2, Children: 1, ChildrenWithoutLinkedParent: 1),
            ],
            data.ByClass);

        var text = LinkReport.RenderText(data, "zh");
        Assert.Contains("家长绑定情况（按班级）", text, StringComparison.Ordinal);
        Assert.Contains("三年级1班", text, StringComparison.Ordinal);
        var csv = new StringWriter();
        LinkReport.WriteCsv(data, csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("", lines[0]); // one empty line after the carers' table
        Assert.Equal("links_by,group,people,linked,blocked,not_linked,children,children_without_linked_parent", lines[1]);
        Assert.Contains("role,parent,4,1,1,2,,", lines);
        Assert.Contains("class,三年级1班,3,1,1,1,2,1", lines);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class LinkReportTestsOnPostgres : LinkReportTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

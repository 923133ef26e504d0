using CareBot.Core.Model;
using CareBot.Core.Summary;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>The term summary's safeguarding section: concerns by type and status without notes, flags, time to acknowledge.</summary>
public sealed class SafeguardingSummaryTests
{
    [Fact]
    public void The_term_summary_counts_concerns_by_type_and_status_flags_and_the_median_time_to_acknowledge()
    {
        using var kit = AccessWorld.Create();
        kit.Send(kit.Text(AccessWorld.MentorChat, "/concern 1 abuse SUMMARY-SECRET bruises"));
        kit.Time.Advance(TimeSpan.FromMinutes(10));
        kit.Send(kit.Text(AccessWorld.AdminChat, "/concern 1 ack"));
        kit.Send(kit.Text(AccessWorld.VolunteerChat, "/concern 1 alone grandpa in hospital"));
        kit.Time.Advance(TimeSpan.FromMinutes(30));
        kit.Send(kit.Text(AccessWorld.AdminChat, "/concern 2 reported civil"));
        kit.Send(kit.Text(AccessWorld.OtherMentorChat, "/concern 1 dropout not at school"));
        kit.Time.Advance(TimeSpan.FromMinutes(90));
        kit.Send(kit.Text(AccessWorld.OtherAdminChat, "/concern 3 closed back at school"));
        kit.Send(kit.Text(AccessWorld.MentorChat, "/check 1 study=4 life=3 mood=1 safety=5 health=4"));
        kit.Send(kit.Text(AccessWorld.OtherMentorChat, "/check 1 study=4 life=3 mood=4 safety=2 health=4"));
        kit.Send(kit.Text(AccessWorld.MentorChat, "/visit 1 went to see him"));

        var today = kit.Clock.Today;
        var summary = new TermSummaryBuilder(kit.Db, kit.Clock).Build(today.AddDays(-7), today, "en", 90);
        var section = summary.Sections.Single(s => s.Key == "safeguarding");

        Assert.Equal([3m, 2m, 1m, 2m, 1m, 30m], section.Figures.Select(f => f.Value)); // acknowledged after 10, 30 and 90 minutes
        var table = section.Tables.Single();
        Assert.Equal(new object?[] { "abuse", 1, 0, 0 }, table.Rows[0]);
        Assert.Equal(new object?[] { "alone (no capable guardian)", 0, 1, 0 }, table.Rows[2]);
        Assert.Equal(new object?[] { "dropout", 0, 0, 1 }, table.Rows[5]);
        Assert.Equal(new object?[] { "Total", 1, 1, 1 }, table.Total);
        Assert.DoesNotContain(summary.Sections.SelectMany(s => s.Tables).SelectMany(t => t.Rows).SelectMany(r => r), c => c is string s && s.Contains("SUMMARY-SECRET", StringComparison.Ordinal));

        var schoolB = new TermSummaryBuilder(kit.Db, kit.Clock).Build(today.AddDays(-7), today, "en", 90, ["b"]);
        Assert.Equal([1m, 0m, 0m, 1m, 0m, 90m], schoolB.Sections.Single(s => s.Key == "safeguarding").Figures.Select(f => f.Value));
    }
}

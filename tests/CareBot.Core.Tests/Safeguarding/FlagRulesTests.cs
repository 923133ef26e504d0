using CareBot.Core.Model;
using CareBot.Core.Safeguarding;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>
/// Check-in sequences and the flags they raise (and those they do not), with the default thresholds: 心理 or 安全 at
/// 2 or below; any area down by 2 or more; an area at 2 or below after a check-in that also had one.
/// Ratings are written study/life/mood/safety/health.
/// </summary>
public sealed class FlagRulesTests
{
    private static Ratings R(string five)
    {
        var v = five.Split('/').Select(int.Parse).ToArray();
        return new Ratings { Study = v[0], Life = v[1], Mood = v[2], Safety = v[3], Health = v[4] };
    }

    /// <summary>previous ("" for none), now, and the flagged areas with their reasons (L low, D dropped, A low again).</summary>
    public static TheoryData<string, string, string> Sequences() => new()
    {
        // Raised
        { "", "4/3/1/5/4", "mood:L" },                     // 心理=1 on a first check-in
        { "", "4/3/2/5/4", "mood:L" },                     // 心理=2 is at the mark
        { "", "4/3/4/2/4", "safety:L" },                   // 安全=2
        { "4/3/4/5/4", "4/3/2/5/4", "mood:LD" },           // 心理 4→2: low and down 2
        { "5/4/4/5/4", "3/4/4/5/4", "study:D" },           // 学习 5→3: down 2, not low
        { "5/5/5/5/5", "5/5/5/5/3", "health:D" },          // 健康 5→3
        { "4/4/5/4/4", "4/4/3/4/4", "mood:D" },            // 心理 5→3: down 2 though 3 is not low
        { "2/4/4/4/4", "2/4/4/4/4", "study:A" },           // 学习 2 twice in a row
        { "4/2/4/4/4", "2/4/4/4/4", "study:DA" },          // 生活 was low, now 学习 is low (4→2): down 2 and low again
        { "4/4/4/4/2", "4/4/3/4/1", "health:A" },          // 健康 2→1 after a low check-in
        { "5/5/5/5/5", "1/5/1/5/5", "study:D,mood:LD" },   // two areas at once
        // Not raised
        { "", "4/3/3/5/4", "" },                           // 心理=3, 安全=5: nothing low
        { "", "2/2/4/4/2", "" },                           // a first check-in low in study, life, health: only 心理/安全 count alone
        { "4/3/4/5/4", "4/3/3/4/4", "" },                  // down 1 in two areas
        { "2/3/4/5/4", "3/3/4/5/4", "" },                  // 学习 up from 2 to 3: not low now
        { "4/4/4/4/4", "3/3/3/3/3", "" },                  // every area down 1
        { "3/3/3/3/3", "2/3/3/3/3", "" },                  // 学习 low now, but the check-in before had nothing low, and down only 1
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void A_check_in_raises_a_flag_only_as_the_rules_say(string previous, string now, string expected)
    {
        var items = FlagRules.Evaluate(R(now), previous.Length == 0 ? null : R(previous), new SafeguardingOptions());

        var got = string.Join(",", items.Select(i => i.Area + ":" + (i.Low ? "L" : "") + (i.Dropped ? "D" : "") + (i.LowAgain ? "A" : "")));
        Assert.Equal(expected, got);
        Assert.All(items, i => Assert.Equal(previous.Length == 0 ? null : R(previous).ToArray()[Array.IndexOf(FlagRules.Areas, i.Area)], i.Before));
    }

    [Fact]
    public void Thresholds_come_from_the_settings()
    {
        var strict = new SafeguardingOptions { FlagLowAt = 3, FlagDropBy = 1, FlagLowInARowAt = 3 };

        Assert.Empty(FlagRules.Evaluate(R("4/3/3/5/4"), null, new SafeguardingOptions()));
        Assert.Equal(["mood"], FlagRules.Evaluate(R("4/3/3/5/4"), null, strict).Select(i => i.Area));
        Assert.Equal(["study"], FlagRules.Evaluate(R("3/4/4/5/4"), R("4/4/4/5/4"), strict).Select(i => i.Area));
    }
}

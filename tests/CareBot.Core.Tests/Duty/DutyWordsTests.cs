using CareBot.Core.Duty;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Duty;

/// <summary>How teachers write a turn: in the rota file (one value per cell) and after <c>/duty swap</c> (two turns).</summary>
public sealed class DutyWordsTests
{
    [Theory]
    [InlineData("周一", DayOfWeek.Monday)]
    [InlineData("星期三", DayOfWeek.Wednesday)]
    [InlineData("礼拜五", DayOfWeek.Friday)]
    [InlineData("周日", DayOfWeek.Sunday)]
    [InlineData("星期天", DayOfWeek.Sunday)]
    [InlineData("1", DayOfWeek.Monday)]
    [InlineData("7", DayOfWeek.Sunday)]
    [InlineData(" THU ", DayOfWeek.Thursday)]
    [InlineData("Tuesday", DayOfWeek.Tuesday)]
    [InlineData("sat", DayOfWeek.Saturday)]
    [InlineData("8", null)]
    [InlineData("周", null)]
    [InlineData("monk", null)]
    [InlineData("", null)]
    public void A_weekday_cell(string text, DayOfWeek? day) => Assert.Equal(day, DutyWords.Weekday(text));

    [Theory]
    [InlineData("中午", DutySlot.Noon)]
    [InlineData("Noon", DutySlot.Noon)]
    [InlineData("放学后", DutySlot.AfterSchool)]
    [InlineData("after_school", DutySlot.AfterSchool)]
    [InlineData("After School", DutySlot.AfterSchool)]
    [InlineData("下午", null)]
    [InlineData("morning", null)]
    public void A_slot_cell(string text, DutySlot? slot) => Assert.Equal(slot, DutyWords.Slot(text));

    [Theory]
    [InlineData("周三中午 周五放学后", "Wednesday Noon 0|Friday AfterSchool 0")]
    [InlineData("周三中午周五放学后", "Wednesday Noon 0|Friday AfterSchool 0")]
    [InlineData("中午周三，下周一放学", "Wednesday Noon 0|Monday AfterSchool 7")]
    [InlineData("下个星期二 中午 和 星期四 放学后", "Tuesday Noon 7|Thursday AfterSchool 0")]
    [InlineData("wed noon fri after school", "Wednesday Noon 0|Friday AfterSchool 0")]
    [InlineData("Wed-noon -> next-Fri-after", "Wednesday Noon 0|Friday AfterSchool 7")]
    [InlineData("monday lunch with tuesday afterschool", "Monday Noon 0|Tuesday AfterSchool 0")]
    [InlineData("周三中午", null)]
    [InlineData("周三 周五放学后", null)]
    [InlineData("周三中午 周五放学后 周一中午", null)]
    [InlineData("周三中午 周五放学后 下", null)]
    [InlineData("下下周三中午 周五放学后", null)]
    [InlineData("周三周四中午 周五放学后", null)]
    [InlineData("周三中午 周五晚上", null)]
    [InlineData("", null)]
    public void Two_turns_after_duty_swap(string text, string? expected)
    {
        var monday = new DateOnly(2026, 11, 23);
        var turns = DutyWords.ParseTurns(text);
        Assert.Equal(expected, turns is null ? null : string.Join("|", turns.Select(t => $"{t.Day} {t.Slot} {t.DateFrom(monday.AddDays(2)).DayNumber - monday.AddDays(DutyWords.Iso(t.Day) - 1).DayNumber}")));
    }
}

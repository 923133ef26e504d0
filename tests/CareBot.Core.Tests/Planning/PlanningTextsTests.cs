using CareBot.Core.Text;

namespace CareBot.Core.Tests.Planning;

public class PlanningTextsTests
{
    [Fact]
    public void Every_planning_text_exists_in_both_languages()
    {
        var zh = Texts.ForLanguage(Texts.Chinese).Keys.Where(k => k.StartsWith("plan.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var en = Texts.ForLanguage(Texts.English).Keys.Where(k => k.StartsWith("plan.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(zh);
        Assert.Equal(zh, en);
    }
}

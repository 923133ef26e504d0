using CareBot.Core.Safeguarding;

namespace CareBot.Core.Tests.Safeguarding;

/// <summary>The words that hold a note back from the parents, and everyday phrases that must not.</summary>
public sealed class NoteScreenTests
{
    [Theory]
    [InlineData("被奶奶打了，腿上有淤青", "打")]
    [InlineData("奶奶打了他", "打")]
    [InlineData("腿上有伤", "伤")]
    [InlineData("手臂青紫", "青紫")]
    [InlineData("孩子说有人猥亵她", "猥亵")]
    [InlineData("爷爷住院了，孩子一个人在家", "一个人在家")]
    [InlineData("上周离家出走两天", "离家出走")]
    [InlineData("手腕上有割腕的痕迹", "割腕")]
    [InlineData("说不想活了", "不想活")]
    [InlineData("He was hit by grandma and has bruises on his leg", "hit")]
    [InlineData("She said she wants to kill herself", "kill herself")]
    [InlineData("Lives ALONE since October", "alone")]
    public void A_safeguarding_word_is_found(string note, string word) =>
        Assert.Equal(word, NoteScreen.FindKeyword(note, NoteScreen.DefaultKeywords));

    [Theory]
    [InlineData("下午一起打篮球，很开心")]
    [InlineData("爸爸在广州打工，每周打电话")]
    [InlineData("帮奶奶打扫院子")]
    [InlineData("有点伤心，想妈妈")]
    [InlineData("奶奶说想死你了")]
    [InlineData("作业认真，成绩进步")]
    [InlineData("White shirt, homework done")]
    [InlineData("Played football, very happy")]
    [InlineData("")]
    public void An_everyday_note_is_not_held(string note) =>
        Assert.Null(NoteScreen.FindKeyword(note, NoteScreen.DefaultKeywords));

    [Theory]
    [InlineData("今天去家访 #私密", true)]
    [InlineData("visited #Private", true)]
    [InlineData("今天去家访 ＃私密", true)]
    [InlineData("今天去家访", false)]
    public void The_private_tag_is_recognised(string note, bool tagged) => Assert.Equal(tagged, NoteScreen.IsTaggedPrivate(note));

    [Fact]
    public void Configured_words_replace_the_defaults()
    {
        var options = new SafeguardingOptions { Keywords = ["喝酒"] };
        Assert.Equal("喝酒", NoteScreen.FindKeyword("爷爷天天喝酒", options.KeywordsInForce));
        Assert.Null(NoteScreen.FindKeyword("腿上有淤青", options.KeywordsInForce));
        Assert.Equal("淤青", NoteScreen.FindKeyword("腿上有淤青", new SafeguardingOptions().KeywordsInForce));
    }
}

using System.Text.RegularExpressions;
using CareBot.Core.Text;

namespace CareBot.Core.Tests;

/// <summary>Every text a person reads exists in Chinese and English, with the same placeholders (every area file).</summary>
public sealed partial class TextsTests
{
    [Fact]
    public void Every_text_exists_in_both_languages_with_the_same_placeholders()
    {
        var zh = Texts.ForLanguage(Texts.Chinese);
        var en = Texts.ForLanguage(Texts.English);

        Assert.True(zh.Count > 500, $"only {zh.Count} texts loaded");
        Assert.Equal(zh.Keys.Order(StringComparer.Ordinal), en.Keys.Order(StringComparer.Ordinal));
        var mismatched = zh.Keys.Where(k => !Placeholders(zh[k]).SequenceEqual(Placeholders(en[k]))).Order(StringComparer.Ordinal).ToList();
        Assert.Empty(mismatched);
    }

    private static string[] Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();

    [GeneratedRegex(@"\{\d+(:[^}]*)?\}")]
    private static partial Regex Placeholder();
}

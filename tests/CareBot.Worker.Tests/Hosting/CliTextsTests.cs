using CareBot.Core.Text;

namespace CareBot.Worker.Tests.Hosting;

public sealed class CliTextsTests
{
    [Theory]
    [InlineData("settings.")]
    [InlineData("files.")]
    [InlineData("worker.")]
    [InlineData("status.")]
    [InlineData("cli.")]
    [InlineData("storage.")]
    public void Every_command_line_text_exists_in_both_languages_with_the_same_placeholders(string prefix)
    {
        var zh = Texts.ForLanguage(Texts.Chinese).Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var en = Texts.ForLanguage(Texts.English).Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();

        Assert.NotEmpty(zh);
        Assert.Equal(zh.Select(t => t.Key), en.Select(t => t.Key));
        foreach (var (z, e) in zh.Zip(en))
        {
            Assert.Equal(Placeholders(e.Value), Placeholders(z.Value));
        }
    }

    private static string[] Placeholders(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();
}

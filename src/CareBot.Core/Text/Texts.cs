using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace CareBot.Core.Text;

/// <summary>
/// Every user-facing text, in zh-CN (the default) and en. The texts live in embedded resources, one pair of
/// files per area: Text/{area}.zh-CN.json and Text/{area}.en.json (chat, planning, roster, ...). A key must be
/// unique across areas and present in both languages; placeholders are {0}, {1}, ... as in string.Format.
/// </summary>
public static class Texts
{
    public const string Chinese = "zh";
    public const string English = "en";

    private static readonly FrozenDictionary<string, string> Zh = Load(".zh-CN.json");
    private static readonly FrozenDictionary<string, string> En = Load(".en.json");

    public static IReadOnlyDictionary<string, string> ForLanguage(string language) => language == English ? En : Zh;

    /// <summary>"zh" or "en" from what a user typed or a setting; null when neither.</summary>
    public static string? ParseLanguage(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "zh" or "zh-cn" or "cn" or "中文" => Chinese,
        "en" or "en-us" or "english" or "英文" => English,
        _ => null,
    };

    /// <summary>Names, classes or kinds joined as a reader of <paramref name="language"/> writes a list: "小明、小红", "Ming, Hong".</summary>
    public static string Join(string language, IEnumerable<string> items) => string.Join(Get(language, "list.separator"), items);

    public static string Get(string language, string key, params object?[] args)
    {
        var table = ForLanguage(language);
        if (!table.TryGetValue(key, out var text))
        {
            throw new KeyNotFoundException($"No text '{key}' for language '{language}'.");
        }

        return args.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, args);
    }

    private static FrozenDictionary<string, string> Load(string suffix)
    {
        var asm = typeof(Texts).Assembly;
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.EndsWith(suffix, StringComparison.Ordinal)))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            var dict = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                       ?? throw new InvalidDataException($"Empty text resource {name}.");
            foreach (var (key, value) in dict)
            {
                if (!all.TryAdd(key, value))
                {
                    throw new InvalidDataException($"Text key '{key}' is defined twice ({name}).");
                }
            }
        }

        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

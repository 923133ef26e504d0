using System.Text.RegularExpressions;

namespace CareBot.Core.Safeguarding;

/// <summary>
/// Decides whether a note may reach the parents: a note tagged <c>#私密</c> / <c>#private</c> never does; a note holding
/// a safeguarding word (<c>CareBot:Safeguarding:Keywords</c>) is held until its carer decides.
/// <para>
/// Matching: a Chinese word matches anywhere in the note, after the everyday phrases in <see cref="Harmless"/> are
/// taken out (so 打 catches 奶奶打了他 but not 打球, 打电话 or 外出打工; 伤 catches 腿上有伤 but not 伤心). A word in
/// Latin letters matches whole words only, ignoring case (hit does not match white). The lists err on the side of
/// holding a note: a false alarm costs the carer one button press.
/// </para>
/// </summary>
public static class NoteScreen
{
    /// <summary>The default words (zh and en): beating, injury and bruises, sexual harm, being left alone, running away, self-harm.</summary>
    public static readonly IReadOnlyList<string> DefaultKeywords =
    [
        // beating and harm by an adult
        "打", "挨打", "殴打", "打骂", "体罚", "虐待", "家暴", "罚跪",
        // injuries and bruises
        "伤", "淤青", "青紫", "红肿", "烫伤",
        // sexual harm
        "性侵", "猥亵", "强奸", "摸下体", "脱衣服",
        // left alone, no one caring
        "一个人在家", "独自在家", "独自一人", "独居", "没人管", "无人照看", "没饭吃",
        // running away, missing
        "离家出走", "出走", "失踪", "找不到人", "联系不上",
        // self-harm
        "自残", "自伤", "割腕", "想死", "不想活", "自杀", "轻生", "跳楼",
        // English
        "hit", "hits", "hitting", "beat", "beaten", "beating", "bruise", "bruises", "bruised", "injury", "injured", "wound",
        "abuse", "abused", "sexual", "molest", "molested", "alone", "ran away", "run away", "runaway", "went missing",
        "self-harm", "self harm", "cut himself", "cut herself", "suicide", "kill himself", "kill herself", "kill myself", "want to die",
    ];

    /// <summary>
    /// Everyday phrases taken out of a note before the Chinese words are matched: they contain 打, 伤 or 想死 without
    /// meaning harm.
    /// </summary>
    public static readonly IReadOnlyList<string> Harmless =
    [
        "打球", "打篮球", "打乒乓", "打羽毛球", "打排球", "打扰", "打电话", "打工", "打扫", "打算", "打开", "打针", "打游戏", "打招呼", "打了电话", "打了个电话", "打过电话",
        "打印", "打卡", "打听", "打字", "打扮", "打折", "打包", "打车", "打水", "打饭", "打雷", "打伞", "打气", "打闹", "打瞌睡",
        "打哈欠", "打喷嚏", "打理", "打交道", "打量", "打拼", "打下手", "打牌", "打麻将", "打鼓", "打疫苗", "打视频", "打过来", "打个",
        "伤心", "悲伤", "忧伤", "伤感", "感伤", "伤脑筋", "想死你", "想死我",
    ];

    /// <summary>One whole-word pattern per Latin-letter keyword, made once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> WholeWord = new(StringComparer.Ordinal);

    /// <summary>The tags that keep a note from the parents.</summary>
    public static readonly IReadOnlyList<string> PrivateTags = ["#私密", "＃私密", "#private", "＃private"];

    /// <summary>True when the note is tagged <c>#私密</c> / <c>#private</c>.</summary>
    public static bool IsTaggedPrivate(string? note) =>
        !string.IsNullOrEmpty(note) && PrivateTags.Any(t => note.Contains(t, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first of <paramref name="keywords"/> the note holds, or null.</summary>
    public static string? FindKeyword(string? note, IReadOnlyList<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        if (string.IsNullOrWhiteSpace(note))
        {
            return null;
        }

        var plain = note;
        foreach (var phrase in Harmless)
        {
            plain = plain.Replace(phrase, " ", StringComparison.Ordinal);
        }

        foreach (var raw in keywords)
        {
            var word = raw.Trim();
            if (word.Length == 0)
            {
                continue;
            }

            if (word.Any(char.IsAsciiLetter))
            {
                if (WholeWord.GetOrAdd(word, w => new Regex(@"(?<![\p{L}\p{N}])" + Regex.Escape(w) + @"(?![\p{L}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(note))
                {
                    return word;
                }
            }
            else if (plain.Contains(word, StringComparison.Ordinal))
            {
                return word;
            }
        }

        return null;
    }
}

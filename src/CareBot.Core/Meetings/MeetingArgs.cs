using System.Text;

namespace CareBot.Core.Meetings;

/// <summary>
/// The fields of <c>/meeting</c> as typed in chat, in the command line's words or Chinese ones:
/// <c>/meeting --date 2027-02-13 --time 09:30 --place 学校会议室 --title 寒假家长会 --class 三年级一班</c>, or
/// <c>/meeting 日期=2027-02-13 时间=09:30 地点=学校会议室 标题=寒假家长会 班级=三年级一班</c>. A value with spaces is quoted.
/// </summary>
public static class MeetingArgs
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["date"] = "date", ["日期"] = "date",
        ["time"] = "time", ["时间"] = "time",
        ["place"] = "place", ["地点"] = "place",
        ["title"] = "title", ["标题"] = "title", ["主题"] = "title", ["名称"] = "title",
        ["class"] = "class", ["班级"] = "class",
        ["school"] = "school", ["学校"] = "school",
    };

    /// <summary>The input, or null with the token that could not be read.</summary>
    public static MeetingInput? Parse(string args, out string? bad)
    {
        bad = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var classes = new List<string>();
        var tokens = Tokens(args ?? "");
        for (var i = 0; i < tokens.Count; i++)
        {
            string key, value;
            var token = tokens[i];
            if (token.StartsWith("--", StringComparison.Ordinal) || token.StartsWith("——", StringComparison.Ordinal))
            {
                key = token[2..];
                if (i + 1 >= tokens.Count)
                {
                    bad = token;
                    return null;
                }

                value = tokens[++i];
            }
            else if (token.IndexOfAny(['=', '＝', ':', '：']) is var sep and > 0)
            {
                key = token[..sep];
                value = token[(sep + 1)..];
            }
            else
            {
                bad = token;
                return null;
            }

            if (!Keys.TryGetValue(key.Trim(), out var field) || (field != "class" && fields.ContainsKey(field)))
            {
                bad = token;
                return null;
            }

            if (field == "class")
            {
                classes.Add(value);
            }
            else
            {
                fields[field] = value;
            }
        }

        return new MeetingInput(
            fields.GetValueOrDefault("date"),
            fields.GetValueOrDefault("time"),
            fields.GetValueOrDefault("place"),
            fields.GetValueOrDefault("title"),
            classes,
            fields.GetValueOrDefault("school"));
    }

    /// <summary>Words split at white space; "…", “…” and 「…」 keep a value with spaces together.</summary>
    internal static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? closing = null;
        var started = false;
        foreach (var c in text)
        {
            if (closing is { } close)
            {
                if (c == close)
                {
                    closing = null;
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            if (c is '"' or '“' or '「')
            {
                closing = c switch { '“' => '”', '「' => '」', _ => '"' };
                started = true;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                if (started)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    started = false;
                }

                continue;
            }

            current.Append(c);
            started = true;
        }

        if (started)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}

namespace CareBot.Core.Chat;

/// <summary>A chat command split into its name and the rest: "/visit@CareBot 小红 今天去了" → ("visit", "小红 今天去了").</summary>
public sealed record ChatCommand(string Name, string Args)
{
    /// <summary>Longest text a user may save as one note or diary entry.</summary>
    public const int MaxNoteLength = 2000;

    /// <summary>Null when the text is not a command (does not start with '/').</summary>
    public static ChatCommand? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = text.TrimStart();
        if (t[0] is not ('/' or '／'))
        {
            return null;
        }

        var end = 1;
        while (end < t.Length && !char.IsWhiteSpace(t[end]))
        {
            end++;
        }

        var name = t[1..end];
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            name = name[..at];
        }

        return new ChatCommand(name.ToLowerInvariant(), t[end..].Trim());
    }

    /// <summary>Splits off the first word: "小红 今天去了" → ("小红", "今天去了").</summary>
    public static (string First, string Remainder) SplitFirst(string args)
    {
        var trimmed = args.Trim();
        var i = 0;
        while (i < trimmed.Length && !char.IsWhiteSpace(trimmed[i]))
        {
            i++;
        }

        return (trimmed[..i], trimmed[i..].Trim());
    }

    /// <summary>The text with every unpaired surrogate and every NUL replaced by U+FFFD (null stays null).</summary>
    public static string? ValidUtf16(string? text)
    {
        if (text is null || !text.Any(c => char.IsSurrogate(c) || c == '\0'))
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]) || chars[i] == '\0')
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>Removes control characters other than line breaks and tabs, so stored notes print cleanly.</summary>
    public static string Clean(string text)
    {
        var chars = text.Where(c => !char.IsControl(c) || c is '\n' or '\t').ToArray();
        return new string(chars).Trim();
    }
}

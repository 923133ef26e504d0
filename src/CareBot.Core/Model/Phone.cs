using System.Text;

namespace CareBot.Core.Model;

/// <summary>Chinese mobile numbers: "+86 138-0013-8000", "0086 13800138000", "138 0013 8000" → "13800138000".</summary>
public static class Phone
{
    /// <summary>Returns the 11-digit number, or null when the text is not a Chinese mobile number.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            if (c is >= '0' and <= '9')
            {
                sb.Append(c);
            }
            else if (c is >= '０' and <= '９')
            {
                sb.Append((char)('0' + (c - '０')));
            }
            else if (c is ' ' or '-' or '(' or ')' or '\u3000' or '.' or '（' or '）')
            {
                continue;
            }
            else if (c == '+' && sb.Length == 0)
            {
                continue;
            }
            else
            {
                return null;
            }
        }

        var digits = sb.ToString();
        if (digits.StartsWith("0086", StringComparison.Ordinal))
        {
            digits = digits[4..];
        }
        else if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        return IsMobile(digits) ? digits : null;
    }

    private static bool IsMobile(string digits) =>
        digits.Length == 11 && digits[0] == '1' && digits[1] is >= '3' and <= '9' && digits.All(char.IsAsciiDigit);

    /// <summary>"138****8000": what a log line or a report may show.</summary>
    public static string Mask(string phone) =>
        phone.Length == 11 ? string.Concat(phone.AsSpan(0, 3), "****", phone.AsSpan(7)) : "****";
}

using System.Globalization;
using CareBot.Core.Storage;

namespace CareBot.Core.Model;

/// <summary>Aid given to a child (资助): school supplies, a grant, clothes. Admins only ever see it.</summary>
public sealed class AidEntry
{
    public long Id { get; set; }
    public string ChildId { get; set; } = "";
    /// <summary>What was given, as the school names it (学习用品, 助学金, ...).</summary>
    public string Kind { get; set; } = "";
    /// <summary>In yuan.</summary>
    public decimal Amount { get; set; }
    /// <summary>The local date the aid was given.</summary>
    public DateOnly Date { get; set; }
    /// <summary>Who gave it (a charity, the county), when known.</summary>
    public string? Source { get; set; }
    /// <summary>"person:12" or "cli".</summary>
    public string RecordedBy { get; set; } = "";
    public DateTime AtUtc { get; set; }
}

/// <summary>The rules for an aid entry, shared by <c>carebot aid add</c> and the admins' <c>/aid</c>.</summary>
public static class AidRules
{
    public const int MaxKindLength = 40;
    public const int MaxSourceLength = 100;
    public const decimal MaxAmount = 1_000_000m;

    /// <summary>A positive amount in yuan with at most two decimals, up to <see cref="MaxAmount"/>.</summary>
    public static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0;
        var t = text?.Trim().TrimStart('¥', '￥').TrimEnd('元') ?? "";
        return decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)
               && amount > 0 && amount <= MaxAmount && decimal.Round(amount, 2) == amount;
    }

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static bool ValidKind(string? kind) => !string.IsNullOrWhiteSpace(kind) && kind.Trim().Length <= MaxKindLength && !kind.Any(char.IsControl);

    public static bool ValidSource(string? source) => source is null || (source.Trim().Length <= MaxSourceLength && !source.Any(char.IsControl));

    /// <summary>Saves the entry and its audit entry ("aid.added") in the caller's turn.</summary>
    public static AidEntry Save(CareTx tx, AidEntry aid)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(aid);
        tx.Aid.Insert(aid);
        tx.AuditWrite(aid.AtUtc, aid.RecordedBy, "aid.added", aid.ChildId, $"aid:{aid.Id}");
        return aid;
    }

    public static string FormatAmount(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);
}

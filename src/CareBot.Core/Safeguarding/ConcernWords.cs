using CareBot.Core.Model;

namespace CareBot.Core.Safeguarding;

/// <summary>The words for concern types, authorities and actions that <c>/concern</c> accepts (zh and en), and their text keys.</summary>
public static class ConcernWords
{
    private static readonly Dictionary<string, ConcernType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["侵害"] = ConcernType.Abuse, ["abuse"] = ConcernType.Abuse,
        ["性侵"] = ConcernType.Sexual, ["sexual"] = ConcernType.Sexual,
        ["独居"] = ConcernType.Alone, ["alone"] = ConcernType.Alone,
        ["失联"] = ConcernType.Missing, ["missing"] = ConcernType.Missing,
        ["自伤"] = ConcernType.SelfHarm, ["selfharm"] = ConcernType.SelfHarm, ["self-harm"] = ConcernType.SelfHarm,
        ["辍学"] = ConcernType.Dropout, ["dropout"] = ConcernType.Dropout,
        ["其他"] = ConcernType.Other, ["other"] = ConcernType.Other,
    };

    private static readonly Dictionary<string, Authority> Authorities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["公安"] = Authority.Police, ["police"] = Authority.Police,
        ["民政"] = Authority.CivilAffairs, ["civil"] = Authority.CivilAffairs,
        ["妇联"] = Authority.WomensFederation, ["women"] = Authority.WomensFederation,
        ["其他"] = Authority.Other, ["other"] = Authority.Other,
    };

    public static ConcernType? Type(string word) => Types.TryGetValue(word.Trim(), out var t) ? t : null;

    public static Authority? AuthorityOf(string word) => Authorities.TryGetValue(word.Trim(), out var a) ? a : null;

    /// <summary>The type's word in a button's data and in the text keys: "abuse", "selfharm".</summary>
    public static string Code(ConcernType type) => type.ToString().ToLowerInvariant();

    public static ConcernType? FromCode(string code) => Enum.TryParse<ConcernType>(code, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : null;

    /// <summary>The text key of a type's name: <c>sg.type.abuse</c>.</summary>
    public static string TypeKey(ConcernType type) => "sg.type." + Code(type);

    public static string AuthorityKey(Authority authority) => "sg.authority." + authority.ToString().ToLowerInvariant();

    public static string StatusKey(ConcernStatus status) => "sg.status." + status.ToString().ToLowerInvariant();

    /// <summary>The action words after a concern's id: reported, closed, ack (and 已报告, 结案, 已知悉).</summary>
    public static string? Action(string word) => word.Trim().ToLowerInvariant() switch
    {
        "reported" or "report" or "已报告" or "报告" => "reported",
        "closed" or "close" or "结案" or "关闭" => "closed",
        "ack" or "acknowledge" or "已知悉" or "知悉" => "ack",
        _ => null,
    };
}

namespace CareBot.Core.Model;

/// <summary>
/// How well a child is looked after at home (监护情况), from the roster: it sets how often the child is visited
/// (<c>CareBot:Care:VisitEveryDaysByGuardianship</c>). A child without a level is visited every <c>VisitEveryDays</c>.
/// </summary>
public enum Guardianship
{
    /// <summary>较好: good.</summary>
    Good = 1,
    /// <summary>一般: fair.</summary>
    Fair = 2,
    /// <summary>差: poor.</summary>
    Poor = 3,
}

/// <summary>The roster's words for <see cref="Guardianship"/> and the text key of each level.</summary>
public static class GuardianshipWords
{
    /// <summary>The level a roster cell names (较好/一般/差, good/fair/poor, any case; 好 and 较差 too), or null.</summary>
    public static Guardianship? Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "较好" or "好" or "良好" or "good" => Guardianship.Good,
        "一般" or "中" or "fair" => Guardianship.Fair,
        "差" or "较差" or "poor" => Guardianship.Poor,
        _ => null,
    };

    /// <summary>The text key of a level's name: <c>guardianship.good</c>, …</summary>
    public static string TextKey(Guardianship level) => "guardianship." + level.ToString().ToLowerInvariant();
}

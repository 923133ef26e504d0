using System.ComponentModel.DataAnnotations;

namespace CareBot.Core;

/// <summary>
/// <c>CareBot:Safeguarding</c>: how soon a concern must be acknowledged, when a check-in raises a flag, and the words that
/// hold a note back from the parents.
/// </summary>
public sealed class SafeguardingOptions
{
    /// <summary>An alert not acknowledged this long goes again to every admin in scope, and again each hour after.</summary>
    [Range(1, 1440)]
    public int AcknowledgeWithinMinutes { get; set; } = 60;

    /// <summary>How often an unacknowledged alert is sent again after the first repeat.</summary>
    [Range(5, 1440)]
    public int RepeatEveryMinutes { get; set; } = 60;

    /// <summary>心理 or 安全 at this or below raises a flag.</summary>
    [Range(1, 4)]
    public int FlagLowAt { get; set; } = 2;

    /// <summary>Any area falling by this much or more since the child's previous check-in raises a flag.</summary>
    [Range(1, 4)]
    public int FlagDropBy { get; set; } = 2;

    /// <summary>An area at this or below, when the previous check-in also had an area at this or below, raises a flag.</summary>
    [Range(1, 4)]
    public int FlagLowInARowAt { get; set; } = 2;

    /// <summary>
    /// Words that hold a note back from the parents until the carer decides. Null (not set): the default list
    /// (<see cref="Safeguarding.NoteScreen.DefaultKeywords"/>). Set: replaces the default list.
    /// </summary>
    public List<string>? Keywords { get; set; }

    /// <summary>The words in force: <see cref="Keywords"/> when set, else the defaults.</summary>
    public IReadOnlyList<string> KeywordsInForce => Keywords is { Count: > 0 } set ? set : Safeguarding.NoteScreen.DefaultKeywords;
}

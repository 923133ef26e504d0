using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Meetings;

/// <summary>How the invited parents answered, counted per parent; came counts children whose family came.</summary>
public sealed record MeetingTally(int Children, int Invited, int Attend, int CallMe, int NotHome, int NoAnswer, int NotReachable, int Came)
{
    public static readonly MeetingTally Zero = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Two meetings' figures added up (a term's total).</summary>
    public static MeetingTally operator +(MeetingTally a, MeetingTally b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Children + b.Children, a.Invited + b.Invited, a.Attend + b.Attend, a.CallMe + b.CallMe, a.NotHome + b.NotHome, a.NoAnswer + b.NoAnswer, a.NotReachable + b.NotReachable, a.Came + b.Came);
    }
}

/// <summary>One parent of a child at the meeting: their answer, or that they could not be invited.</summary>
public sealed record MeetingParentRow(ParentRelation Relation, string Name, bool Invited, MeetingAnswer Answer);

/// <summary>One child at the meeting with the parents' answers and whether the family came.</summary>
public sealed record MeetingChildRow(Child Child, IReadOnlyList<MeetingParentRow> Parents, bool Came);

/// <summary>Who answered what and who came, for <c>/meeting</c>, <c>carebot meeting show</c> and the term summary.</summary>
public static class MeetingView
{
    /// <summary>The rows of the children at the meeting, or of <paramref name="only"/> of them (a mentor's own).</summary>
    public static List<MeetingChildRow> Rows(CareTx tx, Meeting meeting, IReadOnlySet<string>? only = null)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(meeting);
        var rows = new List<MeetingChildRow>();
        foreach (var id in meeting.ChildIds.Where(id => only is null || only.Contains(id)))
        {
            if (tx.Children.FindById(id) is not { } child)
            {
                continue;
            }

            var parents = child.Parents
                .Select(link => (link, person: tx.People.FindById(link.PersonId)))
                .Where(x => x.person is not null)
                .Select(x => new MeetingParentRow(x.link.Relation, x.person!.Name, meeting.InvitedParentIds.Contains(x.person.Id), meeting.AnswerOf(x.person.Id)))
                .ToList();
            rows.Add(new MeetingChildRow(child, parents, meeting.Attended.Contains(id)));
        }

        return rows;
    }

    /// <summary>The whole meeting's figures (every child, every parent once).</summary>
    public static MeetingTally Tally(CareTx tx, Meeting meeting)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(meeting);
        var parents = new HashSet<int>();
        foreach (var id in meeting.ChildIds)
        {
            if (tx.Children.FindById(id) is { } child)
            {
                parents.UnionWith(child.Parents.Select(p => p.PersonId));
            }
        }

        var invited = meeting.InvitedParentIds.Where(parents.Contains).ToList();
        int Count(MeetingAnswer a) => invited.Count(p => meeting.AnswerOf(p) == a);
        return new MeetingTally(
            meeting.ChildIds.Count,
            invited.Count,
            Count(MeetingAnswer.Attend),
            Count(MeetingAnswer.CallMe),
            Count(MeetingAnswer.NotHome),
            Count(MeetingAnswer.None),
            parents.Count - invited.Count,
            meeting.Attended.Count(meeting.ChildIds.Contains));
    }

    /// <summary>"#3 寒假家长会 · 2月13日（周六）09:30 · 学校会议室".</summary>
    public static string Heading(string lang, Meeting meeting, SchoolDirectory schools)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(schools);
        var heading = Texts.Get(lang, "meeting.heading", meeting.Id, meeting.Title, MeetingService.When(lang, meeting), meeting.Place);
        var classes = meeting.Classes.Count == 0 ? Texts.Get(lang, "meeting.all_classes") : Texts.Join(lang, meeting.Classes);
        var school = schools.Several ? schools.NameOf(meeting.SchoolId) + " · " : "";
        return heading + "\n" + school + classes;
    }

    public static string TallyLine(string lang, MeetingTally t) =>
        Texts.Get(lang, "meeting.tally", t.Attend, t.CallMe, t.NotHome, t.NoAnswer, t.NotReachable, t.Came, t.Children);

    /// <summary>The heading, the tally and one line per child, in <paramref name="lang"/>.</summary>
    public static string Describe(CareTx tx, Meeting meeting, string lang, SchoolDirectory schools, IReadOnlySet<string>? only = null)
    {
        var sb = new StringBuilder(Heading(lang, meeting, schools));
        sb.Append('\n').Append(TallyLine(lang, Tally(tx, meeting)));
        foreach (var row in Rows(tx, meeting, only))
        {
            sb.Append('\n').Append(ChildLine(lang, row));
        }

        return sb.ToString();
    }

    /// <summary>"父亲" / "Father".</summary>
    public static string Relation(string lang, ParentRelation relation) =>
        Texts.Get(lang, relation == ParentRelation.Father ? "card.father" : "card.mother");

    /// <summary>"小明（三年级一班，学号 101）：父亲 张三 参加；母亲 李四 未回复 · ✅ 到会".</summary>
    public static string ChildLine(string lang, MeetingChildRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var parents = row.Parents.Count == 0
            ? Texts.Get(lang, "meeting.no_parents")
            : string.Join(Texts.Get(lang, "meeting.parent_separator"), row.Parents.Select(p => Texts.Get(
                lang,
                "meeting.parent_answer",
                Relation(lang, p.Relation),
                p.Name,
                p.Invited ? MeetingService.AnswerText(lang, p.Answer) : Texts.Get(lang, "meeting.not_invited"))));
        var line = Texts.Get(lang, "meeting.child_line", row.Child.Name, row.Child.Class ?? "-", row.Child.No, parents);
        return row.Came ? line + " · " + Texts.Get(lang, "meeting.came_mark") : line;
    }
}

using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// <c>/activity TITLE: CHILD, CHILD…</c>: a group activity (集体活动) and the children who took part. A mentor or
/// volunteer names their own children (name, part of a name, or the number /mine shows); an admin any child of their
/// schools (学号, SCHOOL/学号, or the full name), and their own children as a carer would. One record per child, sharing a
/// group id, all in the update's transaction: if any child cannot be named, nothing is saved and the reply says which.
/// A photo captioned with the command is attached to every child's record (it goes to each child's parents with the
/// weekly update).
/// </summary>
internal static class ActivityCommand
{
    public const int MaxTitleLength = 80;

    /// <summary>At most this many children in one activity (a whole school's assembly is not one activity record).</summary>
    public const int MaxChildren = 200;

    /// <summary>The latest activities /card lists.</summary>
    public const int CardLatest = 3;

    private static readonly char[] Separators = [',', '，', '、', ';', '；', '\n'];

    /// <param name="turn">The sender: a carer, or an admin (<paramref name="asAdmin"/>).</param>
    /// <param name="args">Everything after the command.</param>
    /// <param name="asAdmin">True when the sender is an admin: any child of <paramref name="scope"/> may be named.</param>
    /// <param name="scope">The admin's schools (null: the whole county); unused for a carer.</param>
    /// <param name="clock">The school's clock: the activity is dated today.</param>
    public static void Add(ChatTurn turn, string args, bool asAdmin, IReadOnlyCollection<string>? scope, CareClock clock)
    {
        // The title ends at the first full-width colon, or else the first ':' (so "10:30 篮球赛：…" keeps its time).
        var colon = args.IndexOf('：', StringComparison.Ordinal);
        colon = colon >= 0 ? colon : args.IndexOf(':', StringComparison.Ordinal);
        var title = colon < 0 ? "" : ChatCommand.Clean(args[..colon]).ReplaceLineEndings(" ").Replace('\t', ' ');
        if (title.Length == 0)
        {
            turn.Reply(asAdmin ? "act.usage_admin" : "act.usage");
            return;
        }

        if (title.Length > MaxTitleLength)
        {
            turn.Reply("act.title_too_long", MaxTitleLength);
            return;
        }

        var pieces = args[(colon + 1)..].Split(Separators).Select(ChatCommand.Clean).Where(p => p.Length > 0).ToList();
        if (pieces.Count == 0)
        {
            turn.Reply(asAdmin ? "act.usage_admin" : "act.usage");
            return;
        }

        // Checked before any look-up too: each name costs a search, and a long message may hold a thousand.
        if (pieces.Count > MaxChildren)
        {
            turn.Reply("act.too_many", MaxChildren);
            return;
        }

        // Read once for every name of the list: the sender's own children, and an admin's schools' children.
        var known = new Known(
            turn.Person!.IsCarer ? CareQueries.Numbered(turn.Tx, turn.Person.Id) : null,
            asAdmin ? [.. turn.Tx.Children.FindAll().Where(c => SchoolDirectory.InScope(scope, c)).OrderBy(c => c.Id, StringComparer.Ordinal)] : null);
        var children = new List<Child>();
        foreach (var piece in pieces)
        {
            if (Resolve(turn, piece, known) is not { } found)
            {
                return;
            }

            children.AddRange(found.Where(c => !children.Exists(x => x.Id == c.Id)));
        }

        if (children.Count > MaxChildren)
        {
            turn.Reply("act.too_many", MaxChildren);
            return;
        }

        long? group = null;
        foreach (var child in children)
        {
            var record = turn.Tx.SaveRecord(new CareRecord
            {
                ChildId = child.Id,
                AuthorId = turn.Person!.Id,
                Kind = CareKind.Activity,
                LocalDate = clock.Today,
                AtUtc = clock.UtcNow,
                Text = title,
                Media = turn.IncomingMedia,
                GroupId = group,
            }, turn.Actor);
            if (group is null)
            {
                group = record.Id;
                record.GroupId = group;
                turn.Tx.Records.Update(record);
            }
        }

        turn.About([.. children]);
        var saved = turn.T("act.saved", title, CarerCommands.Date(turn, clock.Today), children.Count, Text.Texts.Join(turn.Lang, children.Select(c => c.Name)));
        turn.ReplyText(turn.IncomingMedia is { } media ? saved + " " + turn.T("media.attached", MediaCommands.KindText(turn.Lang, media.Kind)) : saved);
    }

    /// <summary>
    /// The children one piece names: the piece as one name, or else each of its words (<c>小红 小明</c>) when at least
    /// one word names a child. Replies (nothing saved, and why) and returns null when a child cannot be named.
    /// </summary>
    private static List<Child>? Resolve(ChatTurn turn, string piece, Known known)
    {
        var whole = Match(turn, piece, known);
        if (whole.Child is { } one)
        {
            return [one];
        }

        var words = piece.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 1)
        {
            var each = words.Select(w => (Word: w, Match: Match(turn, w, known))).ToList();
            if (each.TrueForAll(x => x.Match.Child is not null))
            {
                return [.. each.Select(x => x.Match.Child!)];
            }

            if (each.Exists(x => x.Match.Child is not null))
            {
                whole = each.First(x => x.Match.Child is null).Match;
            }
        }

        turn.ReplyText(turn.T("act.not_saved") + "\n" + whole.Problem);
        return null;
    }

    private sealed record Named(Child? Child, string Problem);

    /// <summary>The children a name may mean: the sender's own (a carer), and the children of an admin's schools.</summary>
    private sealed record Known(OwnChildren? Mine, List<Child>? InScope);

    /// <summary>One name, 学号 or /mine number: the sender's own child first, then (admins) a child of their schools.</summary>
    private static Named Match(ChatTurn turn, string who, Known known)
    {
        CarerCommands.OwnMatch? own = null;
        if (known.Mine is { } mine)
        {
            own = CarerCommands.MatchOwn(mine, who);
            if (own.Child is { } child)
            {
                return new Named(child, "");
            }
        }

        // A number from a changed list is refused, not read as a 学号 of the admin's schools.
        if (known.InScope is not { } inScope || own is { Stale: true })
        {
            return new Named(null, own!.Problem(turn, who));
        }

        var byNumber = inScope.Where(c => AidCommand.Numbered(c, who)).ToList();
        if (byNumber.Count == 1)
        {
            return new Named(byNumber[0], "");
        }

        if (byNumber.Count > 1)
        {
            return new Named(null, turn.T("year.child_ambiguous", who, string.Join(", ", byNumber.Select(c => c.Id))));
        }

        var byName = inScope.Where(c => c.Name == who).ToList();
        return byName.Count switch
        {
            1 => new Named(byName[0], ""),
            0 => new Named(null, turn.T("act.admin_unknown", who)),
            _ => new Named(null, turn.T("act.admin_ambiguous", who, string.Join("\n", byName.Select(c => turn.T("act.admin_candidate", c.Name, c.Class ?? "-", Written(c, byName)))))),
        };
    }

    /// <summary>How to write the child so it is one: the 学号, or SCHOOL/学号 where another candidate has that 学号 too.</summary>
    private static string Written(Child child, List<Child> candidates) =>
        candidates.Count(c => c.No == child.No) > 1 ? child.Id : child.No;

    /// <summary>The /card line: how many activities the child took part in, and the latest few with their dates.</summary>
    public static void AppendCard(ChatTurn turn, Child child, StringBuilder sb)
    {
        var id = child.Id;
        var all = turn.Tx.Records.Find(r => r.ChildId == id && r.Kind == CareKind.Activity)
            .OrderByDescending(r => r.LocalDate).ThenByDescending(r => r.Id).ToList();
        if (all.Count == 0)
        {
            sb.Append('\n').Append(turn.T("act.card_none"));
            return;
        }

        var latest = all.Take(CardLatest).Select(r => turn.T("act.card_item", r.Text, CarerCommands.Date(turn, r.LocalDate)));
        sb.Append('\n').Append(turn.T("act.card", all.Count, Text.Texts.Join(turn.Lang, latest)));
    }
}

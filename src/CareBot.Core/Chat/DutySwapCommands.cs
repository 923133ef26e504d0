using System.Globalization;
using CareBot.Core.Duty;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>
/// Swapping duty turns in chat. <c>/duty swap 周三中午 周五放学后</c> (<c>/duty swap wed noon fri after school</c>):
/// the sender gives their own turn (first) for the other teacher's (second), this week or next (<c>下周五</c>,
/// <c>next fri</c>). Proposing is the sender's confirmation; the other teacher gets the request with 同意 / 不同意 buttons,
/// and only their 同意 makes the swap. Both are told the outcome. A button pressed again, late, or by anyone else
/// changes nothing.
/// </summary>
internal static class DutySwapCommands
{
    /// <summary>The button data prefix, dispatched here by <see cref="CarerCommands.HandleButton"/>.</summary>
    public const string ButtonVerb = "duty";

    public static void Propose(ChatTurn turn, string args, CareClock clock, CareOptions options)
    {
        var person = turn.Person!;
        if (DutyWords.ParseTurns(args) is not { } words)
        {
            turn.Reply("duty.swap_usage");
            return;
        }

        var today = turn.Today;
        var (mine, theirs) = (words[0], words[1]);
        var (myDate, theirDate) = (mine.DateFrom(today), theirs.DateFrom(today));
        foreach (var (date, slot) in new[] { (myDate, mine.Slot), (theirDate, theirs.Slot) })
        {
            if (date < today)
            {
                turn.Reply("duty.swap_past", Turn(turn.Lang, date, slot));
                return;
            }
        }

        // The sender's turn, in whichever of their schools they hold it.
        var rota = DutyRota.SchoolsOf(turn.Tx, person)
            .Select(s => DutyRota.Load(turn.Tx, s))
            .FirstOrDefault(r => r.Holder(myDate, mine.Slot) == person.Id);
        if (rota is null)
        {
            turn.Reply("duty.swap_not_yours", Turn(turn.Lang, myDate, mine.Slot));
            return;
        }

        var otherId = rota.Holder(theirDate, theirs.Slot);
        if (otherId is null)
        {
            turn.Reply("duty.swap_nobody", Turn(turn.Lang, theirDate, theirs.Slot));
            return;
        }

        if (otherId == person.Id)
        {
            turn.Reply("duty.swap_both_yours");
            return;
        }

        var other = turn.Tx.People.FindById(otherId.Value);
        if (other is not { IsReachable: true })
        {
            turn.Reply("duty.swap_unreachable", other?.Name ?? "?");
            return;
        }

        var school = rota.SchoolId;
        var pending = turn.Tx.DutySwaps.Find(s => s.SchoolId == school && s.ProposerId == person.Id && s.Status == DutySwapStatus.Proposed)
            .Any(s => s.OtherId == other.Id && s.ProposerDate == myDate && s.ProposerSlot == mine.Slot && s.OtherDate == theirDate && s.OtherSlot == theirs.Slot);
        if (pending)
        {
            turn.Reply("duty.swap_already_asked", other.Name);
            return;
        }

        var swap = new DutySwap
        {
            SchoolId = school,
            ProposerId = person.Id,
            ProposerDate = myDate,
            ProposerSlot = mine.Slot,
            OtherId = other.Id,
            OtherDate = theirDate,
            OtherSlot = theirs.Slot,
            Status = DutySwapStatus.Proposed,
            ProposedUtc = clock.UtcNow,
        };
        turn.Tx.DutySwaps.Insert(swap);
        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "duty.swap_proposed", null, $"swap:{swap.Id} school:{school} with:person:{other.Id}");

        var lang = other.Language;
        var id = swap.Id.ToString(CultureInfo.InvariantCulture);
        turn.SendTo(
            other,
            OutboxKind.Duty,
            OutboxPriority.Reply,
            Texts.Get(lang, "duty.swap_request", person.Name, Turn(lang, myDate, mine.Slot), Turn(lang, theirDate, theirs.Slot)),
            buttons:
            [
                new OutButton { Text = Texts.Get(lang, "duty.button_accept"), Data = $"{ButtonVerb}:yes:{id}" },
                new OutButton { Text = Texts.Get(lang, "duty.button_decline"), Data = $"{ButtonVerb}:no:{id}" },
            ]);
        turn.Reply("duty.swap_asked", other.Name, Turn(turn.Lang, myDate, mine.Slot), Turn(turn.Lang, theirDate, theirs.Slot));
    }

    /// <summary>The other teacher's 同意 (<c>duty:yes:ID</c>) or 不同意 (<c>duty:no:ID</c>).</summary>
    public static HandleOutcome Answer(ChatTurn turn, string arg, CareClock clock)
    {
        var colon = arg.IndexOf(':', StringComparison.Ordinal);
        var answer = colon < 0 ? "" : arg[..colon];
        var person = turn.Person!;
        if (answer is not ("yes" or "no")
            || !long.TryParse(arg[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || turn.Tx.DutySwaps.FindById(id) is not { } swap
            || swap.OtherId != person.Id)
        {
            // Not a request to this teacher (or not one at all): nothing changes.
            return new HandleOutcome(turn.Message.CallbackId, turn.T("chat.button_unknown"));
        }

        if (swap.Status != DutySwapStatus.Proposed)
        {
            // Answered already (a double tap, or the other button afterwards): the first answer stands.
            return new HandleOutcome(turn.Message.CallbackId, turn.T("duty.swap_answered"), turn.Message.ButtonMessageId);
        }

        var proposer = turn.Tx.People.FindById(swap.ProposerId);
        var today = turn.Today;
        swap.AnsweredUtc = clock.UtcNow;
        if (answer == "no")
        {
            swap.Status = DutySwapStatus.Declined;
        }
        else if (swap.ProposerDate < today || swap.OtherDate < today || !DutyRota.Load(turn.Tx, swap.SchoolId).Fits(swap))
        {
            // Too late: a turn has passed, or the rota (a re-import, another swap) no longer has it with these two.
            swap.Status = DutySwapStatus.Lapsed;
        }
        else
        {
            swap.Status = DutySwapStatus.Accepted;
        }

        turn.Tx.DutySwaps.Update(swap);
        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "duty.swap_" + swap.Status.ToString().ToLowerInvariant(), null, $"swap:{swap.Id} school:{swap.SchoolId}");

        var key = "duty.swap_" + swap.Status.ToString().ToLowerInvariant();
        turn.Reply(key + "_you", proposer?.Name ?? "?", Turn(turn.Lang, swap.ProposerDate, swap.ProposerSlot), Turn(turn.Lang, swap.OtherDate, swap.OtherSlot));
        if (proposer is not null)
        {
            var lang = proposer.Language;
            turn.SendTo(proposer, OutboxKind.Duty, OutboxPriority.Reply, Texts.Get(lang, key + "_proposer", person.Name, Turn(lang, swap.ProposerDate, swap.ProposerSlot), Turn(lang, swap.OtherDate, swap.OtherSlot)));
        }

        return new HandleOutcome(turn.Message.CallbackId, turn.T(key + "_short"), turn.Message.ButtonMessageId);
    }

    private static string Turn(string lang, DateOnly date, DutySlot slot) => DutyWords.Turn(lang, date, slot);
}

using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>/start CODE (linking a chat through an invite), /start (resume), /lang.</summary>
internal sealed class LinkCommands(CareClock clock, InviteService invites)
{
    public HandleOutcome HandleUnlinked(ChatTurn turn)
    {
        var command = ChatCommand.Parse(turn.Message.Text);
        if (command is not { Name: "start" } || command.Args.Length == 0)
        {
            // Unknown chats learn how to get an invite and nothing more.
            if (turn.Message.Kind != IncomingKind.Button)
            {
                turn.Reply("link.need_invite");
            }

            return turn.Message.CallbackId is null ? HandleOutcome.None : new HandleOutcome(turn.Message.CallbackId);
        }

        var code = ChatCommand.SplitFirst(command.Args).First;
        var result = invites.Redeem(turn.Tx, code, turn.Message.Chat, clock.ToLocalDate);
        switch (result.Status)
        {
            case RedeemStatus.Linked:
                var person = result.Person!;
                var lang = person.Language;
                turn.ReplyText(Greeting(person, lang));
                Reconnection.Deliver(turn.Tx, person, clock.Today, clock.UtcNow);
                break;
            case RedeemStatus.Used:
                turn.Reply("link.used");
                break;
            case RedeemStatus.Expired:
                turn.Reply("link.expired");
                break;
            case RedeemStatus.Throttled:
                turn.Reply("link.throttled", Math.Max(1, (int)Math.Ceiling(result.RetryAfter!.Value.TotalMinutes)));
                break;
            default:
                turn.Reply("link.unknown");
                break;
        }

        return HandleOutcome.None;
    }

    /// <summary>/start from a linked chat: the person is reachable again and a paused parent gets updates again.</summary>
    public HandleOutcome Restart(ChatTurn turn)
    {
        var person = turn.Person!;
        var changed = person.Status != Reachability.Reachable || person.UpdatesPaused;
        person.Status = Reachability.Reachable;
        var wasPaused = person.UpdatesPaused;
        person.UpdatesPaused = false;
        if (changed)
        {
            person.UpdatedUtc = clock.UtcNow;
            turn.Tx.People.Update(person);
            turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "person.resumed", null, $"person:{person.Id}");
        }

        Reconnection.Deliver(turn.Tx, person, clock.Today, clock.UtcNow);

        if (wasPaused)
        {
            turn.Reply("parent.resumed");
        }
        else
        {
            turn.ReplyText(Greeting(person, turn.Lang));
        }

        return HandleOutcome.None;
    }

    public void Language(ChatTurn turn, string args)
    {
        var lang = Texts.ParseLanguage(args);
        if (lang is null)
        {
            turn.Reply("lang.usage");
            return;
        }

        var person = turn.Person!;
        person.Language = lang;
        person.UpdatedUtc = clock.UtcNow;
        turn.Tx.People.Update(person);
        turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "person.language", null, $"person:{person.Id}");
        turn.ReplyText(Texts.Get(lang, "lang.set"));
    }

    private static string Greeting(Person person, string lang)
    {
        var lines = new List<string> { Texts.Get(lang, "link.hello", person.Name) };
        if (person.IsCarer)
        {
            lines.Add(Texts.Get(lang, "link.role_carer"));
        }

        if (person.Has(Roles.Parent))
        {
            lines.Add(Texts.Get(lang, "link.role_parent"));
        }

        if (person.Has(Roles.Admin))
        {
            lines.Add(Texts.Get(lang, "link.role_admin"));
        }

        lines.Add(Texts.Get(lang, "link.help_hint"));
        return string.Join("\n", lines);
    }
}

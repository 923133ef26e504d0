using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;

namespace CareBot.Core.Chat;

/// <summary>Parents working away: /stop pauses weekly updates; any other text goes to the child's mentor(s).</summary>
internal sealed class ParentCommands(CareClock clock)
{
    public bool TryHandle(ChatTurn turn, ChatCommand? command)
    {
        switch (command?.Name)
        {
            case "stop":
                Stop(turn);
                return true;
            case null:
                Relay(turn);
                return true;
            default:
                return false;
        }
    }

    private void Stop(ChatTurn turn)
    {
        var parent = turn.Person!;
        if (!parent.UpdatesPaused)
        {
            parent.UpdatesPaused = true;
            parent.UpdatedUtc = clock.UtcNow;
            turn.Tx.People.Update(parent);
            turn.Tx.AuditWrite(clock.UtcNow, turn.Actor, "person.paused", null, $"person:{parent.Id}");
        }

        turn.Reply("parent.paused");
    }

    private void Relay(ChatTurn turn)
    {
        var parent = turn.Person!;
        var media = turn.IncomingMedia;
        var text = media is not null ? ChatCommand.Clean(turn.Message.Text ?? "") : turn.Note(turn.Message.Text, "chat.text_only");
        if (text is null)
        {
            return;
        }

        var children = turn.Tx.ChildrenOfParent(parent.Id).ToList();
        if (children.Count == 0)
        {
            turn.Reply("parent.no_children");
            return;
        }

        // A reply to a weekly update or to a teacher's message is about that child (and that teacher).
        int? onlyCarer = null;
        if (turn.RepliedTo() is { ChildId: { } childId } original)
        {
            // A reply about a child who is no longer theirs (the roster changed) goes to all their children's teachers.
            var about = children.Where(c => c.Id == childId).ToList();
            if (about.Count > 0)
            {
                children = about;
                if (original.Kind == OutboxKind.Relay)
                {
                    onlyCarer = original.RelayFromPersonId;
                }
            }
        }

        var delivered = 0;
        foreach (var child in children)
        {
            var record = new CareRecord
            {
                ChildId = child.Id,
                AuthorId = parent.Id,
                Kind = CareKind.ParentMessage,
                LocalDate = clock.Today,
                AtUtc = clock.UtcNow,
                Text = text,
                Media = media,
            };
            turn.Tx.SaveRecord(record, turn.Actor);

            foreach (var pairing in turn.Tx.Pairings.Find(p => p.ChildId == child.Id).ToList())
            {
                if (onlyCarer is not null && pairing.CarerId != onlyCarer)
                {
                    continue;
                }

                var carer = turn.Tx.People.FindById(pairing.CarerId);
                if (carer is null)
                {
                    continue;
                }

                var relation = child.Parents.First(p => p.PersonId == parent.Id).Relation;
                var who = Texts.Get(carer.Language, relation == ParentRelation.Father ? "relay.father_of" : "relay.mother_of", child.Name, parent.Name);
                var body = media is null
                    ? Texts.Get(carer.Language, "relay.from_parent", who, text)
                    : MediaCommands.Caption(Texts.Get(carer.Language, "media.relay_from_parent", who, MediaCommands.KindText(carer.Language, media.Kind)), text, Texts.Get(carer.Language, "media.reply_hint_parent"));

                // A teacher not linked yet, or who blocked the bot, gets it when they link or come back.
                if (turn.SendTo(carer, OutboxKind.Relay, OutboxPriority.Reply, body, child.Id, relayFrom: parent.Id, media: media is null ? null : MediaCommands.CopyOf(turn.Message), holdIfUnreachable: true))
                {
                    delivered++;
                }
            }
        }

        turn.Reply(delivered > 0 ? "parent.relayed" : "parent.saved_no_carer");
    }
}

using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Chat;

/// <summary>
/// A person can be reached again (linked through an invite, /start, or unblocked the bot): what waited for them goes
/// out now, in the same turn. One place, so a further way back cannot forget a step.
/// </summary>
internal static class Reconnection
{
    public static void Deliver(CareTx tx, Person person, DateOnly today, DateTime utcNow)
    {
        // Parents' messages held for a teacher, oldest first.
        Outbox.HeldMessages.Release(tx, person, utcNow);

        // Invitations to coming parents' meetings that never reached this chat.
        Meetings.MeetingService.InviteLate(tx, person, today, utcNow);
    }
}

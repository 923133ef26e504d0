using System.Security.Cryptography;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Invites;

public enum RedeemStatus
{
    Linked = 0,
    /// <summary>No invite has this code (wrong or mistyped).</summary>
    Unknown = 1,
    Used = 2,
    Expired = 3,
    /// <summary>Too many failed attempts from this chat; try again later.</summary>
    Throttled = 4,
}

public sealed record RedeemResult(RedeemStatus Status, Person? Person = null, TimeSpan? RetryAfter = null);

public sealed record IssuedInvite(Person Person, string Code, DateTime ExpiresUtc);

/// <summary>
/// Single-use, expiring invite codes: 192 random bits, base64url (32 characters, within Telegram's 64-character
/// <c>start</c> parameter of <c>A-Za-z0-9_-</c>). Only the SHA-256 hash is stored. Failed attempts are slowed per chat.
/// </summary>
public sealed class InviteService(CareDb db, TimeProvider time)
{
    public const int CodeBytes = 24;

    /// <summary>Failed attempts a chat may make before it is slowed down.</summary>
    public const int FreeFailures = 5;

    public static string NewCode()
    {
        Span<byte> bytes = stackalloc byte[CodeBytes];
        string code;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            code = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
        while (code[0] == '-'); // a code starting with "-" is a formula to a spreadsheet opening the invite slips' CSV

        return code;
    }

    public static string Hash(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>
    /// Issues a new code to each given person not linked to a chat yet. Earlier unused codes of the same person
    /// stop working, so only the newest printed slip is valid.
    /// </summary>
    /// <param name="relink">
    /// Also for people already linked (they lost their account): using the code moves them to the new chat and
    /// unlinks the old one.
    /// </param>
    public List<IssuedInvite> Issue(IEnumerable<Person> people, int validDays, string actor, bool relink = false)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var issued = new List<IssuedInvite>();
        db.Write(tx =>
        {
            foreach (var person in people)
            {
                if (person.Chat is not null && !relink)
                {
                    continue;
                }

                tx.Invites.DeleteMany(i => i.PersonId == person.Id && i.UsedUtc == null);
                var code = NewCode();
                var expires = now.AddDays(validDays);
                var isRelink = relink && person.Chat is not null;
                tx.Invites.Insert(new Invite { CodeHash = Hash(code), PersonId = person.Id, CreatedUtc = now, ExpiresUtc = expires, Relink = isRelink });
                tx.AuditWrite(now, actor, isRelink ? "invite.issued.relink" : "invite.issued", null, $"person:{person.Id}");
                issued.Add(new IssuedInvite(person, code, expires));
            }
        });
        return issued;
    }

    /// <summary>Links <paramref name="chat"/> to the invite's person. Call inside the update's transaction.</summary>
    /// <param name="tx">The update's transaction.</param>
    /// <param name="code">The code typed or passed by the deep link.</param>
    /// <param name="chat">The chat to link.</param>
    /// <param name="dateOf">The school's date of a UTC time, for the date line of a parent's message held for the chat's previous owner.</param>
    public RedeemResult Redeem(CareTx tx, string code, ChatAddress chat, Func<DateTime, DateOnly>? dateOf = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var now = time.GetUtcNow().UtcDateTime;
        var throttle = tx.Throttles.FindById(chat.ToString());
        if (throttle?.BlockedUntilUtc is { } until && until > now)
        {
            return new RedeemResult(RedeemStatus.Throttled, RetryAfter: until - now);
        }

        var invite = IsWellFormed(code) ? tx.Invites.FindOne(i => i.CodeHash == Hash(code)) : null;
        var status = invite switch
        {
            null => RedeemStatus.Unknown,
            { UsedUtc: not null } => RedeemStatus.Used,
            _ when invite.ExpiresUtc <= now => RedeemStatus.Expired,
            _ => RedeemStatus.Linked,
        };

        if (status != RedeemStatus.Linked)
        {
            RecordFailure(tx, chat, throttle, now);
            return new RedeemResult(status);
        }

        var person = tx.People.FindById(invite!.PersonId);

        // Only a code issued with --relink may move a person who is linked to another chat.
        if (person is null || (person.Chat is { } linked && linked != chat && !invite.Relink))
        {
            RecordFailure(tx, chat, throttle, now);
            return new RedeemResult(RedeemStatus.Unknown);
        }

        // A chat belongs to one person: unlink whoever had this chat before.
        // Their messages still waiting for that chat (a reminder naming children, a weekly update) must not reach
        // its new owner: a family phone handed on, a teacher's phone passed to a colleague. A parent's message for a
        // teacher is kept for the teacher (Held, dated) and goes out when they link again.
        foreach (var previous in tx.People.Find(p => p.Chat == chat && p.Id != person.Id).ToList())
        {
            previous.Chat = null;
            previous.Status = Reachability.NotLinked;
            tx.People.Update(previous);
            foreach (var waiting in tx.Outbox.Find(o => o.Chat == chat).Where(o => o.PersonId == previous.Id && o.Status is OutboxStatus.Pending or OutboxStatus.Sending).ToList())
            {
                if (Outbox.HeldMessages.ShouldHold(waiting, previous))
                {
                    waiting.Status = OutboxStatus.Held;
                    var written = dateOf?.Invoke(waiting.CreatedUtc) ?? DateOnly.FromDateTime(waiting.CreatedUtc);
                    waiting.Text = Outbox.HeldMessages.DatedText(previous.Language, written, waiting.Text, waiting.Media is not null);
                }
                else
                {
                    waiting.Status = OutboxStatus.Unreachable;
                }

                waiting.LastError = "relinked";
                tx.Outbox.Update(waiting);
            }
        }

        if (person.Chat is { } oldChat && oldChat != chat)
        {
            // A relink: the old chat (a lost phone, a lost account) gets nothing more. What still waited for it goes
            // to the new chat instead, and an audit entry says so.
            foreach (var waiting in tx.Outbox.Find(o => o.Chat == oldChat).Where(o => o.PersonId == person.Id && o.Status is OutboxStatus.Pending or OutboxStatus.Sending).ToList())
            {
                waiting.Chat = chat;
                waiting.Status = OutboxStatus.Pending;
                tx.Outbox.Update(waiting);
            }

            tx.AuditWrite(now, $"person:{person.Id}", "person.relinked", null, $"person:{person.Id} old-chat-unlinked");
        }

        invite.UsedUtc = now;
        tx.Invites.Update(invite);
        person.Chat = chat;
        person.Status = Reachability.Reachable;
        person.UpdatedUtc = now;
        tx.People.Update(person);
        tx.Throttles.Delete(chat.ToString());
        tx.AuditWrite(now, $"person:{person.Id}", "invite.redeemed", null, $"person:{person.Id}");
        return new RedeemResult(RedeemStatus.Linked, person);
    }

    private static bool IsWellFormed(string code) =>
        code.Length is > 0 and <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static void RecordFailure(CareTx tx, ChatAddress chat, ChatThrottle? throttle, DateTime now)
    {
        throttle ??= new ChatThrottle { Id = chat.ToString() };
        if (now - throttle.LastFailureUtc > TimeSpan.FromDays(1))
        {
            throttle.Failures = 0;
        }

        throttle.Failures++;
        throttle.LastFailureUtc = now;
        if (throttle.Failures >= FreeFailures)
        {
            // 1 min, 2 min, 4 min, ... capped at a day.
            var minutes = Math.Min(24 * 60, 1 << Math.Min(throttle.Failures - FreeFailures, 11));
            throttle.BlockedUntilUtc = now.AddMinutes(minutes);
        }

        tx.Throttles.Upsert(throttle);
    }
}

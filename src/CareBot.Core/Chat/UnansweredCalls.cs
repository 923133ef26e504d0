using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;

namespace CareBot.Core.Chat;

/// <summary>
/// Parents who cannot be reached: <c>/call CHILD 未接通 [NOTE]</c> records a call that did not get through. The next try
/// is due <see cref="RetryAfterDays"/> days later (not the full CallParentsEveryDays); after
/// <see cref="TellAdminsAfter"/> in a row without a call that got through, the admins of the child's school (and
/// county admins) are told, once per run of failures.
/// </summary>
internal static class UnansweredCalls
{
    /// <summary>A call that did not get through is tried again this many days later.</summary>
    public const int RetryAfterDays = Planning.ChildCareStatus.RetryUnansweredCallDays;

    /// <summary>This many unanswered calls in a row tell the school's admins.</summary>
    public const int TellAdminsAfter = 3;

    /// <summary>The words after CHILD that mark a call as not got through: 未接通 (没接通, 未打通, 没打通) or unanswered.</summary>
    public static bool IsMarker(string word) =>
        word is "未接通" or "没接通" or "未打通" or "没打通" || string.Equals(word, "unanswered", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The unanswered calls about <paramref name="childId"/> since the last call that got through, newest first (by
    /// date, then by when they were saved).
    /// </summary>
    public static List<CareRecord> Run(CareTx tx, string childId)
    {
        var run = new List<CareRecord>();
        var attempts = tx.Records.Find(r => r.ChildId == childId)
            .Where(r => r.Kind is CareKind.Call or CareKind.UnansweredCall)
            .OrderByDescending(r => r.LocalDate).ThenByDescending(r => r.AtUtc).ThenByDescending(r => r.Id);
        foreach (var r in attempts)
        {
            if (r.Kind == CareKind.Call)
            {
                break;
            }

            run.Add(r);
        }

        return run;
    }

    /// <summary>The outbox key of the admins' alert: one per admin and run of failures (named by its first call).</summary>
    public static string AlertKey(string childId, long firstOfRun, int adminId) => $"unreached:{childId}:{firstOfRun}:{adminId}";

    /// <summary>Saves the unanswered call and, on the third in a row, tells the admins. The carer is answered.</summary>
    public static void Save(ChatTurn turn, Child child, string note, DateTime nowUtc, CareOptions options, Func<ChatTurn, DateOnly?, string> date)
    {
        if (note.Length > ChatCommand.MaxNoteLength)
        {
            turn.Reply("chat.too_long", ChatCommand.MaxNoteLength);
            return;
        }

        var record = turn.Tx.SaveRecord(new CareRecord
        {
            ChildId = child.Id,
            AuthorId = turn.Person!.Id,
            Kind = CareKind.UnansweredCall,
            LocalDate = turn.Today,
            AtUtc = nowUtc,
            Text = note,
        }, turn.Actor);

        var text = new StringBuilder(turn.T("carer.saved_unansweredcall", child.Name, date(turn, record.LocalDate), RetryAfterDays));
        var run = Run(turn.Tx, child.Id);
        if (run.Count >= TellAdminsAfter)
        {
            var told = TellAdmins(turn, child, run, nowUtc, options);
            if (told > 0)
            {
                text.Append('\n').Append(turn.T("carer.unanswered_admins_told", run.Count));
            }
        }

        turn.ReplyText(text.ToString());
    }

    /// <summary>Tells the reachable admins of the child's school (and county admins), once per run. Returns how many are told now.</summary>
    private static int TellAdmins(ChatTurn turn, Child child, List<CareRecord> run, DateTime nowUtc, CareOptions options)
    {
        var first = run[^1].Id;
        var carers = turn.Tx.Pairings.Find(p => p.ChildId == child.Id)
            .Select(p => turn.Tx.People.FindById(p.CarerId)?.Name)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var told = 0;
        foreach (var admin in turn.Tx.People.Find(p => p.Chat != null).Where(p => p.Has(Roles.Admin) && p.IsReachable).OrderBy(p => p.Id))
        {
            if (!SchoolDirectory.InScope(SchoolDirectory.AdminScope(options.Admins, admin.Phone), child))
            {
                continue;
            }

            var lang = admin.Language == Texts.English ? Texts.English : Texts.Chinese;
            var text = Texts.Get(lang, "unreached.alert", child.Name, options.Directory.Label(child.Id), run.Count, Texts.Join(lang, carers))
                + "\n" + Texts.Get(lang, "unreached.alert.footer");
            told += OutboxStore.Add(turn.Tx, new OutboxMessage
            {
                Key = AlertKey(child.Id, first, admin.Id),
                PersonId = admin.Id,
                Chat = admin.Chat,
                Text = text,
                Kind = OutboxKind.Escalation,
                Priority = OutboxPriority.Bulk,
                ChildId = child.Id,
            }, nowUtc) ? 1 : 0;
        }

        if (told > 0)
        {
            turn.Tx.AuditWrite(nowUtc, turn.Actor, "call.unreached_told", child.Id, $"run:{run.Count} admins:{told}");
        }

        return told;
    }
}

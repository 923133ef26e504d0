using System.Globalization;
using System.Text;
using CareBot.Core.Duty;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareBot.Core.Planning;

/// <summary>
/// The morning duty reminder, part of the daily reminder run: each teacher on activity-room duty today (the rota with
/// its accepted swaps, <see cref="DutyRota"/>) gets one message saying which slot(s), keyed
/// <c>duty:{person}:{yyyy-MM-dd}</c>, so running it again the same day adds nothing.
/// </summary>
public sealed class DutyPlanner(CareDb db, OutboxStore outbox, CareClock clock, CareOptions options, ILogger<DutyPlanner>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public static string Key(int personId, DateOnly date) =>
        $"duty:{personId}:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>Plans today's duty reminders. Returns the teachers on duty today who can be reached.</summary>
    public int Plan()
    {
        // Read in one turn, written after it.
        var (today, batch, planned) = db.Read(Collect);
        var added = batch.Flush();
        _logger.LogInformation("Duty reminders for {Date}: {Planned} teachers on duty reachable, {Added} rows new", today, planned, added);
        return planned;
    }

    private (DateOnly Today, OutboxBatch Batch, int Planned) Collect(CareTx tx)
    {
        var today = clock.Today;
        var turns = new SortedDictionary<int, List<(string School, DutySlot Slot)>>();
        foreach (var school in tx.DutyTurns.FindAll().Select(t => t.SchoolId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
        {
            foreach (var shift in DutyRota.Load(tx, school).On(today))
            {
                if (!turns.TryGetValue(shift.TeacherId, out var list))
                {
                    list = [];
                    turns.Add(shift.TeacherId, list);
                }

                list.Add((school, shift.Slot));
            }
        }

        var batch = new OutboxBatch(db, outbox, autoFlush: false);
        var planned = 0;
        foreach (var (teacherId, list) in turns)
        {
            if (tx.People.FindById(teacherId) is not { } teacher || !teacher.IsReachable)
            {
                continue;
            }

            batch.Add(new OutboxMessage
            {
                Key = Key(teacher.Id, today),
                PersonId = teacher.Id,
                Chat = teacher.Chat,
                Text = Text(teacher.Language, today, list),
                Kind = OutboxKind.Duty,
                Priority = OutboxPriority.Bulk,
            });
            planned++;
        }

        return (today, batch, planned);
    }

    private string Text(string language, DateOnly today, List<(string School, DutySlot Slot)> turns)
    {
        var lang = PlanText.Lang(language);
        var slots = string.Join(Texts.Get(lang, "duty.slot_separator"), turns.Select(t => DutyWords.SlotName(lang, t.Slot)));
        var text = new StringBuilder(Texts.Get(lang, "duty.remind", PlanText.Date(lang, today), PlanText.Day(lang, today), slots));
        if (options.Directory.Several)
        {
            var names = turns.Select(t => options.Directory.NameOf(t.School)).Distinct(StringComparer.Ordinal);
            text.Append('\n').Append(Texts.Get(lang, "duty.remind_school", Texts.Join(lang, names)));
        }

        text.Append('\n').Append(Texts.Get(lang, "duty.remind_footer"));
        return text.ToString();
    }
}

using CareBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareBot.Core.Safeguarding;

/// <summary>
/// Sends a concern's alert again while nobody acknowledges it: <c>AcknowledgeWithinMinutes</c> after it was recorded to
/// every admin in scope, then every <c>RepeatEveryMinutes</c>. Runs every few minutes (the worker's safeguarding job);
/// each round is queued once (the concern keeps the last round, and each row has a key
/// <c>concern:{id}:alert:{round}:{admin}</c>), so running it twice, or late after downtime, adds one round, not many.
/// </summary>
public sealed class AlertPlanner(CareDb db, CareOptions options, TimeProvider time, ILogger<AlertPlanner>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>The round due at <paramref name="nowUtc"/> for a concern recorded at <paramref name="recordedUtc"/> (0: none yet).</summary>
    public static int RoundDue(DateTime recordedUtc, DateTime nowUtc, SafeguardingOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var first = recordedUtc.AddMinutes(settings.AcknowledgeWithinMinutes);
        return nowUtc < first ? 0 : 1 + (int)((nowUtc - first).TotalMinutes / settings.RepeatEveryMinutes);
    }

    /// <summary>Queues the repeats that are due; returns how many concerns were alerted again.</summary>
    public int Plan()
    {
        var now = time.GetUtcNow().UtcDateTime;
        var repeated = db.Write(tx =>
        {
            var count = 0;
            foreach (var concern in tx.Concerns.Find(c => c.AcknowledgedUtc == null && c.ClosedUtc == null).ToList())
            {
                var round = RoundDue(concern.RecordedUtc, now, options.Safeguarding);
                if (round <= concern.AlertRound)
                {
                    continue;
                }

                SafeguardingService.AlertConcern(tx, options, concern, round, now);
                concern.AlertRound = round;
                tx.Concerns.Update(concern);
                count++;
            }

            return count;
        });
        if (repeated > 0)
        {
            _logger.LogWarning("Safeguarding: {Count} concern(s) not acknowledged in time; alerted again", repeated);
        }

        return repeated;
    }
}

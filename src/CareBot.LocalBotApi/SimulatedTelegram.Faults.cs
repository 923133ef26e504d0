using Telegram.Bot.Types;

namespace CareBot.LocalBotApi;

/// <summary>A call the server has begun: when it arrived (on the server's clock) and what the fault dice decided for it.</summary>
internal readonly record struct CallStart(string Method, DateTimeOffset ReceivedAt, FaultPlan Fault);

// The fault model applied to each call: the seeded dice of FaultInjector decide whether a call is answered 429 or
// 5xx, slowed down or loses its response; the HTTP layer carries the decision out and reports back here, and each
// call ends in the call log with its times on the server's clock.
public sealed partial class SimulatedTelegram
{
    private DateTimeOffset _refuseUntil = DateTimeOffset.MinValue;
    private int _refusedConnections;

    /// <summary>
    /// Starts the update ids again at <paramref name="firstId"/>, as Telegram does after a week without updates (it then
    /// picks new ids) and as a new self-hosted server or a new token does. Updates still queued keep their ids.
    /// </summary>
    public void RestartUpdateIds(int firstId = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstId, 1);
        lock (_gate)
        {
            _nextUpdateId = firstId;
        }
    }

    /// <summary>
    /// The server is unreachable until <paramref name="until"/> on its clock (<see cref="LocalBotApiOptions.TimeProvider"/>):
    /// every connection is cut as soon as it is opened and every request on an open one is aborted, so clients see a
    /// network error, never an HTTP answer. Nothing is delivered meanwhile.
    /// </summary>
    public void RefuseConnectionsUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            _refuseUntil = until;
        }
    }

    /// <summary>How many connections or requests were cut while the server refused them.</summary>
    public int RefusedConnections => Volatile.Read(ref _refusedConnections);

    /// <summary>True (and counted) while the server refuses connections.</summary>
    internal bool Refuses()
    {
        lock (_gate)
        {
            if (Now() >= _refuseUntil)
            {
                return false;
            }
        }

        Interlocked.Increment(ref _refusedConnections);
        return true;
    }

    internal CallStart BeginCall(string method)
    {
        lock (_gate)
        {
            if (method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase))
            {
                _sendCalls++;
            }
            else if (FaultInjector.IsSend(method))
            {
                _mediaCalls++;
            }

            return new CallStart(method, Now(), _faults.Applies(method) ? _faults.Roll() : FaultPlan.None);
        }
    }

    /// <summary>Logs a call once it is over: <paramref name="status"/> is the HTTP status sent, null when no answer went out.</summary>
    internal void EndCall(CallStart call, long? chatId, int? status)
    {
        lock (_gate)
        {
            _calls.Add(new BotApiCall(call.Method, chatId, call.ReceivedAt, Now(), status));
        }
    }

    internal void CountTooManyRequests()
    {
        lock (_gate)
        {
            _tooManyAnswers++;
            _tooManyTimes.Add(Now());
        }
    }

    /// <summary>When each 429 answer was given (by the server's <see cref="TimeProvider"/>), oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> TooManyRequestsTimes()
    {
        lock (_gate)
        {
            return [.. _tooManyTimes];
        }
    }

    /// <summary>A send whose response was dropped still delivered its messages: flag them as possible duplicate sources.</summary>
    internal void ResponseDropped(string method, object? result, long? chatId)
    {
        if (!FaultInjector.IsSend(method))
        {
            return;
        }

        (long Chat, int Id)[] delivered = result switch
        {
            Message sent => [(sent.Chat.Id, sent.Id)],
            Message[] album => [.. album.Select(m => (m.Chat.Id, m.Id))],
            MessageId copy when chatId is { } chat => [(chat, copy.Id)],
            _ => [],
        };
        if (delivered.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _droppedButDelivered++;
            foreach (var (chat, id) in delivered)
            {
                Replace(chat, id, m => m with { ResponseDropped = true });
            }
        }
    }
}

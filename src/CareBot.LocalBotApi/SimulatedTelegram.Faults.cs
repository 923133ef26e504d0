using Telegram.Bot.Types;

namespace CareBot.LocalBotApi;

// The fault model applied to each call: the seeded dice of FaultInjector decide whether a call is answered 429 or
// 5xx, slowed down or loses its response; the HTTP layer carries the decision out and reports back here.
public sealed partial class SimulatedTelegram
{
    internal FaultPlan BeginCall(string method)
    {
        lock (_gate)
        {
            if (method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase))
            {
                _sendCalls++;
            }

            return _faults.Applies(method) ? _faults.Roll() : FaultPlan.None;
        }
    }

    internal void CountTooManyRequests()
    {
        lock (_gate)
        {
            _tooManyAnswers++;
        }
    }

    /// <summary>A sendMessage whose response was dropped still delivered its message: flag it as a possible duplicate source.</summary>
    internal void ResponseDropped(string method, object? result)
    {
        if (!method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase) || result is not Message sent)
        {
            return;
        }

        lock (_gate)
        {
            _droppedButDelivered++;
            Replace(sent.Chat.Id, sent.Id, m => m with { ResponseDropped = true });
        }
    }
}

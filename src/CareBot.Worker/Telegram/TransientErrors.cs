using System.Globalization;
using System.Net.Sockets;
using Telegram.Bot.Exceptions;

namespace CareBot.Worker.Telegram;

/// <summary>
/// Which failures of a Bot API call are the network's or the server's passing trouble (time-outs, refused or reset
/// connections, 5xx, 429), or the database server's (out of reach for now): worth one warning line and another try,
/// never a stack trace or giving up.
/// </summary>
public static class TransientErrors
{
    /// <summary>A short reason ("502", "ConnectionRefused", "timeout") when the failure is transient; null otherwise.</summary>
    public static string? Describe(Exception exception, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ApiRequestException { ErrorCode: 429 or >= 500 } api => api.ErrorCode.ToString(CultureInfo.InvariantCulture),
            ApiRequestException => null,
            RequestException { HttpStatusCode: { } code } when (int)code >= 500 || (int)code == 429 => ((int)code).ToString(CultureInfo.InvariantCulture),
            RequestException { HttpStatusCode: { } } => null,
            RequestException { InnerException: { } inner } => Describe(inner, callerToken) ?? exception.GetType().Name,
            RequestException => exception.GetType().Name,
            HttpRequestException { InnerException: SocketException socket } => socket.SocketErrorCode.ToString(),
            HttpRequestException http => http.HttpRequestError.ToString(),
            SocketException socket => socket.SocketErrorCode.ToString(),
            IOException => exception.GetType().Name,
            CareBot.Core.Storage.StorageBusyException => "storage unreachable",
            OperationCanceledException when !callerToken.IsCancellationRequested => "timeout",
            _ => null,
        };
    }
}

namespace CareBot.LocalBotApi;

/// <summary>An error answer of the Bot API: <c>{"ok":false,"error_code":N,"description":"..."}</c>.</summary>
internal sealed class BotApiException : Exception
{
    public BotApiException(int errorCode, string description, int? retryAfter = null)
        : base(description)
    {
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    public BotApiException()
        : this(400, "Bad Request")
    {
    }

    public BotApiException(string message)
        : this(400, message)
    {
    }

    public BotApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = 400;
    }

    public int ErrorCode { get; }

    public int? RetryAfter { get; }

    public static BotApiException BadRequest(string what) => new(400, "Bad Request: " + what);

    public static BotApiException TooManyRequests(int retryAfter) =>
        new(429, $"Too Many Requests: retry after {retryAfter}", retryAfter);
}

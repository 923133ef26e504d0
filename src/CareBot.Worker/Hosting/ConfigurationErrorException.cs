namespace CareBot.Worker.Hosting;

/// <summary>Bad input or configuration: the message names the file, line or setting; exit code 2, no stack trace.</summary>
public sealed class ConfigurationErrorException(string message, Exception? inner = null) : Exception(message, inner);

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int BadInput = 2;
}

using CareBot.Worker.Cli;

namespace CareBot.Worker.Tests.Cli;

/// <summary>Runs the <c>carebot</c> command line in-process with settings, capturing exit code, stdout and stderr.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(IDictionary<string, string?> settings, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, settings);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

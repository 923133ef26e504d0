using CareBot.Worker.Cli;
using Serilog;

// Bootstrap logger until the host reads the Serilog section of appsettings.json.
Log.Logger = new LoggerConfiguration().MinimumLevel.Warning().WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateBootstrapLogger();
try
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error);
}
finally
{
    await Log.CloseAndFlushAsync();
}

using CareBot.Worker.Hosting;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CareBot.Worker.Tests.Hosting;

public sealed class SecretRedactorTests
{
    private const string Token = "7000000001:AAEsecretsecretsecretsecret";

    private sealed class Collect : ILogEventSink
    {
        public List<string> Rendered { get; } = [];

        public void Emit(LogEvent logEvent) => Rendered.Add(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_token_is_masked_in_every_kind_of_property_value()
    {
        var sink = new Collect();
        using (var log = new LoggerConfiguration().MinimumLevel.Verbose().Enrich.With(new SecretRedactor(() => Token)).WriteTo.Sink(sink).CreateLogger())
        {
            log.Verbose("Sending {Method} {Uri}", "POST", new Uri($"http://127.0.0.1:1/bot{Token}/sendMessage"));
            log.Debug("Request {@Request}", new { Path = $"/bot{Token}/getUpdates", Headers = new[] { "a", $"x{Token}" } });
            log.Information("Values {Map}", new Dictionary<string, string> { ["url"] = $"https://api.telegram.org/bot{Token}/getMe" });
            log.Warning("Nothing secret about {ChatId}", 42);
        }

        Assert.Equal(4, sink.Rendered.Count);
        Assert.All(sink.Rendered, line => Assert.DoesNotContain(Token, line, StringComparison.Ordinal));
        Assert.Equal(3, sink.Rendered.Count(line => line.Contains(SecretRedactor.Mask, StringComparison.Ordinal)));
        Assert.Contains("http://127.0.0.1:1/bot***/sendMessage", sink.Rendered[0], StringComparison.Ordinal);
        Assert.Equal("Nothing secret about 42", sink.Rendered[3]);
    }

    [Fact]
    public void Without_a_token_nothing_is_changed()
    {
        var sink = new Collect();
        using (var log = new LoggerConfiguration().Enrich.With(new SecretRedactor(() => null)).WriteTo.Sink(sink).CreateLogger())
        {
            log.Information("Chat {ChatId} at {Path}", 7, "/bot/x");
        }

        Assert.Equal("Chat 7 at \"/bot/x\"", Assert.Single(sink.Rendered));
    }
}

using System.Globalization;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CareBot.Worker.Cli;

/// <summary>
/// The language of the command line: <c>--lang zh|en</c> when given, else the setting <c>CareBot:Language</c>, else
/// Chinese. Found before the command line is parsed (its help and parse errors are in it too), without building a
/// host: the setting is read from appsettings.json, environment variables and the overrides, as the host would.
/// </summary>
internal static class CommandLineLanguage
{
    public const string Key = "CareBot:Language";

    /// <summary>The language, and the one line saying what is wrong with <c>CareBot:Language</c> (null when nothing).</summary>
    public static (string Language, string? Problem) Resolve(string[] args, IDictionary<string, string?>? overrides, IServiceProvider? shared)
    {
        var setting = Setting(overrides, shared);
        var configured = string.IsNullOrWhiteSpace(setting) ? Texts.Chinese : Texts.ParseLanguage(setting);
        var language = Typed(args) ?? configured ?? Texts.Chinese;
        var problem = configured is null ? Texts.Get(language, "settings.language", Key, setting!.Trim()) : null;
        return (language, problem);
    }

    /// <summary>The culture System.CommandLine's own texts (help headings, parse errors) are looked up in.</summary>
    public static CultureInfo Culture(string language) =>
        CultureInfo.GetCultureInfo(language == Texts.English ? "en" : "zh-Hans");

    /// <summary>The value of <c>--lang</c> (<c>--lang en</c>, <c>--lang=en</c>, <c>--lang:en</c>) when it is zh or en.</summary>
    internal static string? Typed(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var value = args[i] == "--lang" && i + 1 < args.Length ? args[i + 1]
                : args[i].StartsWith("--lang=", StringComparison.Ordinal) || args[i].StartsWith("--lang:", StringComparison.Ordinal) ? args[i][7..]
                : null;
            if (value is Texts.Chinese or Texts.English)
            {
                return value;
            }
        }

        return null;
    }

    private static string? Setting(IDictionary<string, string?>? overrides, IServiceProvider? shared)
    {
        if (shared is not null)
        {
            return shared.GetService<IConfiguration>()?[Key];
        }

        try
        {
            var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
            var builder = new ConfigurationBuilder()
                .SetBasePath(CareHost.ContentRoot())
                .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
                .AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false)
                .AddEnvironmentVariables();
            if (overrides is not null)
            {
                builder.AddInMemoryCollection(overrides);
            }

            return builder.Build()[Key];
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            return null; // an unreadable appsettings.json is told by the host, in the default language
        }
    }
}

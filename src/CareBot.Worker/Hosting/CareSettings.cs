using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Text;
using CareBot.Worker.Jobs;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Hosting;

/// <summary>The language of the command line's own lines (settings problems, status): <c>--lang</c> where a verb has it, else Chinese.</summary>
public sealed record CliLanguage(string Code)
{
    public static readonly CliLanguage Default = new(Texts.Chinese);
}

/// <summary>One problem with one setting: its configuration key, and a text (Text/settings.*.json) whose {0} is the key.</summary>
public sealed record SettingProblem(string Key, string TextId, params object?[] Args)
{
    public string Render(string language) => Texts.Get(language, TextId, [Key, .. Args]);
}

/// <summary>
/// Every setting goes one way: its section is bound once (<c>BindConfiguration</c>), checked at start
/// (<c>ValidateOnStart</c>: the data annotations, then what they cannot say: a cron parses, a time zone exists), and
/// read through <see cref="IOptions{T}"/> (fixed at start) or <see cref="IOptionsMonitor{T}"/>, which is
/// <see cref="LastGoodOptionsMonitor{T}"/>: an edit of appsettings.json applies only when the whole section is valid.
/// Values that need parsing are parsed by the options class itself, when bound.
/// </summary>
public static class CareSettings
{
    public static IServiceCollection AddCareSettings(this IServiceCollection services)
    {
        services.TryAddSingleton(CliLanguage.Default);
        services.AddSection<CareOptions>(CareOptions.Section).ValidateSettings(CareProblems);
        services.AddSection<ScheduleOptions>(ScheduleOptions.Section).ValidateSettings(ScheduleProblems);
        services.AddSection<StorageOptions>(StorageOptions.Section).ValidateSettings(StorageProblems);
        services.AddSection<TelegramOptions>(TelegramOptions.Section).ValidateSettings(TelegramProblems);
        services.AddSection<DeliveryOptions>(DeliveryOptions.Section);
        return services;
    }

    /// <summary>Resolves every section now (and so validates it): a bad setting throws naming its key.</summary>
    public static void ValidateAll(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<CareOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ScheduleOptions>>().Value;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        _ = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
    }

    private static OptionsBuilder<T> AddSection<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IOptionsMonitor<T>, LastGoodOptionsMonitor<T>>();
        return services.AddOptionsWithValidateOnStart<T>().BindConfiguration(section).ValidateDataAnnotationsByKey(section);
    }

    /// <summary>
    /// The data annotations of the options class, its nested option objects and list items (<c>[Range]</c>,
    /// <c>[Required]</c>, ...), each problem named by its full configuration key (<c>CareBot:Care:VisitEveryDays</c>)
    /// in the command line's language. (The framework's <c>ValidateDataAnnotations()</c> names only the member, in English.)
    /// </summary>
    public static OptionsBuilder<T> ValidateDataAnnotationsByKey<T>(this OptionsBuilder<T> builder, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ValidateSettings(options => SettingAnnotations.Problems(options, section));
    }

    /// <summary>What annotations cannot say, as <see cref="SettingProblem"/>s rendered in the command line's language.</summary>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<SettingProblem>> problems)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        builder.Services.AddSingleton<IValidateOptions<T>>(sp => new ProblemValidator<T>(name, sp.GetRequiredService<CliLanguage>(), problems));
        return builder;
    }

    private static IEnumerable<SettingProblem> CareProblems(CareOptions o)
    {
        const string s = CareOptions.Section;
        if (!string.IsNullOrWhiteSpace(o.TimeZone) && o.Zone is null)
        {
            yield return new($"{s}:{nameof(o.TimeZone)}", "settings.time_zone", o.TimeZone);
        }

        if (!string.IsNullOrWhiteSpace(o.QuietHours) && o.Quiet is null)
        {
            yield return new($"{s}:{nameof(o.QuietHours)}", "settings.quiet_hours", o.QuietHours);
        }

        for (var i = 0; i < o.Admins.Count; i++)
        {
            if (Phone.Normalize(o.Admins[i].Phone) is null)
            {
                // Never the value: it is someone's phone number, and settings problems are logged on a bad edit.
                yield return new(string.Create(CultureInfo.InvariantCulture, $"{s}:{nameof(o.Admins)}:{i}:{nameof(AdminEntry.Phone)}"), "settings.admin_phone");
            }

            var schools = o.Admins[i].Schools ?? [];
            for (var j = 0; j < schools.Count; j++)
            {
                if (!o.Schools.Exists(x => x.Id == schools[j]))
                {
                    yield return new(string.Create(CultureInfo.InvariantCulture, $"{s}:{nameof(o.Admins)}:{i}:{nameof(AdminEntry.Schools)}:{j}"), "settings.admin_school", schools[j]);
                }
            }
        }

        var keywords = o.Safeguarding.Keywords ?? [];
        for (var i = 0; i < keywords.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(keywords[i]) || keywords[i].Trim().Length > 40)
            {
                yield return new(string.Create(CultureInfo.InvariantCulture, $"{s}:{nameof(o.Safeguarding)}:{nameof(SafeguardingOptions.Keywords)}:{i}"), "settings.keyword", keywords[i]);
            }
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < o.Schools.Count; i++)
        {
            var id = o.Schools[i].Id ?? "";
            var key = string.Create(CultureInfo.InvariantCulture, $"{s}:{nameof(o.Schools)}:{i}:{nameof(SchoolEntry.Id)}");
            if (id.Length is 0 or > 32 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                yield return new(key, "settings.school_id", id);
            }
            else if (!seen.Add(id))
            {
                yield return new(key, "settings.school_duplicate", id);
            }
        }
    }

    private static IEnumerable<SettingProblem> ScheduleProblems(ScheduleOptions o)
    {
        const string s = ScheduleOptions.Section;
        if (!string.IsNullOrWhiteSpace(o.VisitReminders) && o.VisitRemindersCron is null)
        {
            yield return new($"{s}:{nameof(o.VisitReminders)}", "settings.cron", o.VisitReminders, ScheduleOptions.DefaultVisitReminders);
        }

        if (!string.IsNullOrWhiteSpace(o.WeeklyUpdates) && o.WeeklyUpdatesCron is null)
        {
            yield return new($"{s}:{nameof(o.WeeklyUpdates)}", "settings.cron", o.WeeklyUpdates, ScheduleOptions.DefaultWeeklyUpdates);
        }
    }

    private static IEnumerable<SettingProblem> StorageProblems(StorageOptions o)
    {
        if (!string.Equals(o.Provider, StorageOptions.LiteDb, StringComparison.OrdinalIgnoreCase) && !o.IsPostgreSQL)
        {
            yield return new($"{StorageOptions.Section}:{nameof(o.Provider)}", "settings.provider", o.Provider);
        }
        else if (o.IsPostgreSQL && string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            yield return new($"{StorageOptions.Section}:{nameof(o.ConnectionString)}", "settings.connection_string");
        }
    }

    private static IEnumerable<SettingProblem> TelegramProblems(TelegramOptions o)
    {
        if (!TelegramOptions.IsValidBaseUrl(o.ApiBaseUrl))
        {
            yield return new($"{TelegramOptions.Section}:{nameof(o.ApiBaseUrl)}", "settings.url", o.ApiBaseUrl);
        }
    }

    private sealed class ProblemValidator<T>(string? name, CliLanguage language, Func<T, IEnumerable<SettingProblem>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var found = problems(options).Select(p => p.Render(language.Code)).ToList();
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}

/// <summary>Data annotations of an options object, recursively, each problem named by its configuration key.</summary>
internal static class SettingAnnotations
{
    public static List<SettingProblem> Problems(object options, string prefix)
    {
        var problems = new List<SettingProblem>();
        Check(options, prefix, problems);
        return problems;
    }

    private static void Check(object target, string prefix, List<SettingProblem> problems)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue; // not bound: parsed values and computed properties
            }

            var key = prefix + ":" + property.Name;
            var value = property.GetValue(target);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    problems.Add(Describe(attribute, key, value, property.Name));
                }
            }

            if (value is null or string)
            {
                continue;
            }

            if (value is IEnumerable items)
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item is not null && IsSettingsObject(item.GetType()))
                    {
                        Check(item, key + ":" + i.ToString(CultureInfo.InvariantCulture), problems);
                    }

                    i++;
                }
            }
            else if (IsSettingsObject(value.GetType()))
            {
                Check(value, key, problems);
            }
        }
    }

    private static bool IsSettingsObject(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("CareBot", StringComparison.Ordinal) == true;

    private static SettingProblem Describe(ValidationAttribute attribute, string key, object? value, string member) => attribute switch
    {
        RequiredAttribute => new(key, "settings.required"),
        RangeAttribute { MinimumIsExclusive: true } r => new(key, "settings.range_above", Show(value), Show(r.Minimum), Show(r.Maximum)),
        RangeAttribute r => new(key, "settings.range", Show(value), Show(r.Minimum), Show(r.Maximum)),
        _ => new(key, "settings.invalid", attribute.FormatErrorMessage(member)),
    };

    private static string Show(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}

/// <summary>Turns the ways a bad setting surfaces into one line naming the key, and into the keys alone (for logs).</summary>
public static partial class SettingErrors
{
    /// <summary>One line for the command line (the first problem, and how many more), or null when not a settings error.</summary>
    public static string? Describe(Exception ex, string language) => ex switch
    {
        OptionsValidationException o when o.Failures.Any() =>
            o.Failures.Count() == 1 ? o.Failures.First() : o.Failures.First() + " " + Texts.Get(language, "settings.more", o.Failures.Count() - 1),
        InvalidOperationException i when Conversion().Match(i.Message) is { Success: true } m =>
            Texts.Get(language, "settings.unreadable", m.Groups["key"].Value, m.Groups["value"].Value, Texts.Get(language, TypeText(m.Groups["type"].Value))),
        AggregateException a when a.InnerExceptions.Count > 0 => Describe(a.InnerExceptions[0], language),
        _ => null,
    };

    /// <summary>The keys a settings error is about, never their values (a value can be someone's phone number).</summary>
    public static IReadOnlyList<string> Keys(Exception ex) => ex switch
    {
        OptionsValidationException o => o.Failures.Select(KeyOf).Distinct(StringComparer.Ordinal).ToList(),
        InvalidOperationException i when Conversion().Match(i.Message) is { Success: true } m => [m.Groups["key"].Value],
        AggregateException a => a.InnerExceptions.SelectMany(Keys).Distinct(StringComparer.Ordinal).ToList(),
        _ => [],
    };

    /// <summary>True for the exceptions <see cref="Keys"/> understands.</summary>
    public static bool IsSettingsError(Exception ex) => Keys(ex).Count > 0;

    /// <summary>A rendered problem starts with its key, then ": " (English) or "：" (Chinese); keys hold neither.</summary>
    private static string KeyOf(string failure)
    {
        var en = failure.IndexOf(": ", StringComparison.Ordinal);
        var zh = failure.IndexOf('：', StringComparison.Ordinal);
        var end = en < 0 ? zh : zh < 0 ? en : Math.Min(en, zh);
        return end > 0 ? failure[..end] : "?";
    }

    private static string TypeText(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Double" or "System.Decimal" => "settings.type.number",
        "System.Boolean" => "settings.type.bool",
        _ => "settings.type.other",
    };

    /// <summary>The configuration binder's "Failed to convert configuration value 'abc' at 'CareBot:Care:TalkEveryDays' to type 'System.Int32'."</summary>
    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex Conversion();
}

using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Tests.Hosting;

/// <summary>Every setting is bound once, parsed once, validated by key; an invalid edit keeps the last good value.</summary>
public sealed class SettingsTests
{
    private sealed class World : IDisposable
    {
        public World(Dictionary<string, string?> settings, string language = "zh")
        {
            Config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddLogging(b => b.AddProvider(Log).SetMinimumLevel(LogLevel.Trace));
            services.AddSingleton<IConfiguration>(Config);
            services.AddSingleton(new CliLanguage(language));
            services.AddCareSettings();
            Provider = services.BuildServiceProvider();
        }

        public IConfigurationRoot Config { get; }
        public LogCapture Log { get; } = new();
        public ServiceProvider Provider { get; }

        public IOptionsMonitor<T> Monitor<T>() where T : class => Provider.GetRequiredService<IOptionsMonitor<T>>();

        public void Dispose() => Provider.Dispose();
    }

    private static OptionsValidationException Invalid(Dictionary<string, string?> settings, string language = "zh")
    {
        using var w = new World(settings, language);
        return Assert.Throws<OptionsValidationException>(() => CareSettings.ValidateAll(w.Provider));
    }

    [Fact]
    public void Settings_are_parsed_once_when_bound_and_read_parsed()
    {
        using var w = new World(new()
        {
            ["CareBot:TimeZone"] = "Asia/Tokyo",
            ["CareBot:QuietHours"] = "21:30-06:45",
            ["CareBot:Schedules:WeeklyUpdates"] = "0 30 18 ? * SAT",
        });
        CareSettings.ValidateAll(w.Provider);

        var care = w.Monitor<CareOptions>().CurrentValue;
        Assert.Equal("Asia/Tokyo", care.Zone!.Id);
        Assert.Equal(new TimeOnly(21, 30), care.Quiet!.Value.Start);
        Assert.Equal(new TimeOnly(6, 45), care.Quiet!.Value.End);
        var schedules = w.Monitor<ScheduleOptions>().CurrentValue;
        Assert.Equal("0 30 18 ? * SAT", schedules.WeeklyUpdatesCron!.CronExpressionString);
        Assert.Equal(ScheduleOptions.DefaultVisitReminders, schedules.VisitRemindersCron!.CronExpressionString);
    }

    [Fact]
    public void Visit_cadences_by_guardianship_are_bound_and_a_level_not_given_keeps_its_default()
    {
        using var w = new World(new() { ["CareBot:Care:VisitEveryDaysByGuardianship:Poor"] = "5", ["CareBot:Care:RemindEveryDays"] = "2" });
        CareSettings.ValidateAll(w.Provider);

        var care = w.Monitor<CareOptions>().CurrentValue.Care;
        Assert.Equal((30, 14, 5), (care.VisitEveryDaysByGuardianship.Good, care.VisitEveryDaysByGuardianship.Fair, care.VisitEveryDaysByGuardianship.Poor));
        Assert.Equal([30, 14, 5, 14], new Guardianship?[] { Guardianship.Good, Guardianship.Fair, Guardianship.Poor, null }.Select(care.VisitEveryDaysFor));
        Assert.Equal(2, care.RemindEveryDays);
    }

    [Theory]
    [InlineData("CareBot:TimeZone", "Mars/Olympus_Mons")]
    [InlineData("CareBot:QuietHours", "late")]
    [InlineData("CareBot:Schedules:VisitReminders", "every morning")]
    [InlineData("CareBot:Schedules:WeeklyUpdates", "0 0 25 ? * SUN")]
    [InlineData("CareBot:Care:VisitEveryDays", "0")]
    [InlineData("CareBot:Care:MaxChildrenPerMentor", "21")]
    [InlineData("CareBot:Care:VisitEveryDaysByGuardianship:Good", "0")]
    [InlineData("CareBot:Care:VisitEveryDaysByGuardianship:Poor", "366")]
    [InlineData("CareBot:Care:RemindEveryDays", "0")]
    [InlineData("CareBot:InviteValidDays", "366")]
    [InlineData("CareBot:OutboxKeepDays", "13")]
    [InlineData("CareBot:CatchUpDays", "7")]
    [InlineData("Storage:DatabasePath", "")]
    [InlineData("Telegram:PollTimeoutSeconds", "51")]
    [InlineData("Telegram:ApiBaseUrl", "ftp://example.org")]
    [InlineData("Delivery:GlobalPerSecond", "0")]
    [InlineData("Delivery:PerChatIntervalMs", "-1")]
    [InlineData("Delivery:MaxBackoffSeconds", "0")]
    [InlineData("Delivery:SendTimeoutSeconds", "-5")]
    [InlineData("Delivery:BackoffBaseMs", "0")]
    public void Each_bad_setting_is_refused_naming_its_full_key(string key, string value)
    {
        var ex = Invalid(new() { [key] = value });

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith(key + "：", failure, StringComparison.Ordinal);
        Assert.Equal([key], SettingErrors.Keys(ex));
    }

    [Fact]
    public void Nested_lists_are_checked_and_an_admin_phone_is_never_repeated()
    {
        var ex = Invalid(new() { ["CareBot:Admins:0:Name"] = "", ["CareBot:Admins:0:Phone"] = "13600000001", ["CareBot:Admins:1:Name"] = "刘校长", ["CareBot:Admins:1:Phone"] = "1234567" });

        Assert.Equal(["CareBot:Admins:0:Name", "CareBot:Admins:1:Phone"], SettingErrors.Keys(ex));
        Assert.DoesNotContain(ex.Failures, f => f.Contains("1234567", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_are_told_in_the_command_line_language()
    {
        var zh = Assert.Single(Invalid(new() { ["Delivery:SendTimeoutSeconds"] = "-5" }).Failures);
        var en = Assert.Single(Invalid(new() { ["Delivery:SendTimeoutSeconds"] = "-5" }, "en").Failures);

        Assert.Equal("Delivery:SendTimeoutSeconds：-5 超出范围（1–300）。", zh);
        Assert.Equal("Delivery:SendTimeoutSeconds: -5 is out of range (1–300).", en);
    }

    [Fact]
    public void A_value_that_cannot_be_converted_names_its_key()
    {
        using var w = new World(new() { ["CareBot:Care:TalkEveryDays"] = "abc" });
        var ex = Assert.ThrowsAny<InvalidOperationException>(() => CareSettings.ValidateAll(w.Provider));

        Assert.Equal(["CareBot:Care:TalkEveryDays"], SettingErrors.Keys(ex));
        Assert.Equal("CareBot:Care:TalkEveryDays: 'abc' cannot be read as a number.", SettingErrors.Describe(ex, "en"));
    }

    [Fact]
    public void An_invalid_edit_keeps_the_last_good_value_and_logs_the_key_but_not_the_value()
    {
        using var w = new World(new() { ["CareBot:TimeZone"] = "Asia/Shanghai", ["CareBot:Admins:0:Name"] = "刘校长", ["CareBot:Admins:0:Phone"] = "13600000001" });
        var monitor = w.Monitor<CareOptions>();
        var changes = new List<string>();
        using var _ = monitor.OnChange((o, _) => changes.Add(o.Zone!.Id));
        Assert.Equal("Asia/Shanghai", monitor.CurrentValue.Zone!.Id);

        w.Config["CareBot:TimeZone"] = "Mars/Olympus";
        w.Config["CareBot:Admins:0:Phone"] = "13600000009x";
        w.Config.Reload();

        Assert.Equal("Asia/Shanghai", monitor.CurrentValue.Zone!.Id);
        Assert.Empty(changes);
        var logged = Assert.Single(w.Log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("CareBot:TimeZone", logged.Text, StringComparison.Ordinal);
        Assert.Contains("CareBot:Admins:0:Phone", logged.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Mars/Olympus", logged.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("1360000000", string.Join("\n", w.Log.Lines), StringComparison.Ordinal);

        w.Config["CareBot:TimeZone"] = "Asia/Urumqi";
        w.Config["CareBot:Admins:0:Phone"] = "13600000009";
        w.Config.Reload();

        Assert.Equal("Asia/Urumqi", monitor.CurrentValue.Zone!.Id);
        Assert.Equal(["Asia/Urumqi"], changes);
    }

    [Fact]
    public void A_bad_value_at_start_stops_the_monitor_too()
    {
        using var w = new World(new() { ["Delivery:MaxBackoffSeconds"] = "0" });

        var ex = Assert.Throws<OptionsValidationException>(() => w.Monitor<DeliveryOptions>().CurrentValue);
        Assert.Equal(["Delivery:MaxBackoffSeconds"], SettingErrors.Keys(ex));
    }
}

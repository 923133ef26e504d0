using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Time;
using Microsoft.Extensions.Options;
using Quartz;

namespace CareBot.Worker.Hosting;

/// <summary>What data annotations cannot say: a cron parses, a time zone exists, quiet hours read as HH:mm-HH:mm.</summary>
public sealed class CareOptionsValidator : IValidateOptions<CareOptions>
{
    public ValidateOptionsResult Validate(string? name, CareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone ?? "", out _))
        {
            failures.Add($"CareBot:TimeZone: '{options.TimeZone}' is not a known IANA time zone (e.g. Asia/Shanghai).");
        }

        CheckCron(failures, "CareBot:Schedules:VisitReminders", options.Schedules.VisitReminders);
        CheckCron(failures, "CareBot:Schedules:WeeklyUpdates", options.Schedules.WeeklyUpdates);
        CheckRange(failures, "CareBot:Care:VisitEveryDays", options.Care.VisitEveryDays, 1, 365);
        CheckRange(failures, "CareBot:Care:TalkEveryDays", options.Care.TalkEveryDays, 1, 365);
        CheckRange(failures, "CareBot:Care:MaxChildrenPerMentor", options.Care.MaxChildrenPerMentor, 1, 20);
        CheckRange(failures, "CareBot:Care:EscalateAfterDays", options.Care.EscalateAfterDays, 1, 365);
        CheckRange(failures, "CareBot:InviteValidDays", options.InviteValidDays, 1, 365);
        CheckRange(failures, "CareBot:CatchUpDays", options.CatchUpDays, 0, 6);
        CheckRange(failures, "CareBot:OutboxKeepDays", options.OutboxKeepDays, 14, 3650);
        if (!QuietHours.TryParse(options.QuietHours, out _))
        {
            failures.Add($"CareBot:QuietHours: '{options.QuietHours}' is not a range like 22:00-07:00.");
        }

        for (var i = 0; i < options.Admins.Count; i++)
        {
            var admin = options.Admins[i];
            if (string.IsNullOrWhiteSpace(admin.Name))
            {
                failures.Add($"CareBot:Admins:{i}:Name: an admin needs a name.");
            }

            if (Phone.Normalize(admin.Phone) is null)
            {
                failures.Add($"CareBot:Admins:{i}:Phone: '{admin.Phone}' is not a Chinese mobile number.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckCron(List<string> failures, string key, string? cron)
    {
        if (!IsValidCron(cron))
        {
            failures.Add($"{key}: '{cron}' is not a valid Quartz cron expression (e.g. 0 0 8 * * ?).");
        }
    }

    public static bool IsValidCron(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return false;
        }

        try
        {
            _ = new CronExpression(cron);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void CheckRange(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key}: {value} is out of range ({min}–{max}).");
        }
    }
}

using CareBot.Core;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>The options of <c>carebot aid add</c>, as typed.</summary>
internal sealed record AidInput(string Child, string Kind, string Amount, string Date, string? Source, string? School);

/// <summary><c>carebot aid add</c>: aid given to a child (资助), audited, on disk before success is printed.</summary>
internal static class AidCommands
{
    public static int Add(AidInput input, string language, TextWriter stdout, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;

        // Every option is checked before the database is opened; each problem names its option.
        if (string.IsNullOrWhiteSpace(input.Child))
        {
            throw new ConfigurationErrorException("--child: " + Texts.Get(lang, "cli.aid.unknown", ""));
        }

        if (!AidRules.ValidKind(input.Kind))
        {
            throw new ConfigurationErrorException("--kind: " + Texts.Get(lang, "cli.aid.bad_kind", AidRules.MaxKindLength));
        }

        if (!AidRules.TryParseAmount(input.Amount, out var amount))
        {
            throw new ConfigurationErrorException("--amount: " + Texts.Get(lang, "cli.aid.bad_amount", input.Amount.Trim()));
        }

        if (!AidRules.TryParseDate(input.Date, out var date))
        {
            throw new ConfigurationErrorException("--date: " + Texts.Get(lang, "cli.aid.bad_date", input.Date.Trim()));
        }

        if (!AidRules.ValidSource(input.Source))
        {
            throw new ConfigurationErrorException("--source: " + Texts.Get(lang, "cli.aid.bad_source", AidRules.MaxSourceLength));
        }

        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var schools = services.GetRequiredService<IOptions<CareOptions>>().Value.Directory;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var key = SchoolOption.ResolveChild(db, schools, input.Child, input.School, lang);

        if (key is null)
        {
            throw new ConfigurationErrorException("--child: " + Texts.Get(lang, "cli.aid.unknown", input.Child.Trim()));
        }

        var saved = db.Write(tx =>
        {
            var source = input.Source?.Trim();
            return AidRules.Save(tx, new AidEntry
            {
                ChildId = key,
                Kind = input.Kind.Trim(),
                Amount = amount,
                Date = date,
                Source = string.IsNullOrEmpty(source) ? null : source,
                RecordedBy = "cli",
                AtUtc = now,
            });
        });

        stdout.WriteLine(Texts.Get(lang, "cli.aid.done", schools.Label(saved.ChildId), saved.Kind, AidRules.FormatAmount(saved.Amount), saved.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), saved.Id));
        return ExitCodes.Ok;
    }
}

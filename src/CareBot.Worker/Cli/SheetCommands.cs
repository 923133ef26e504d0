using System.Globalization;
using CareBot.Core;
using CareBot.Core.Planning;
using CareBot.Core.Storage;
using CareBot.Core.Summary;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>The verbs that write workbooks and pages: <c>summary</c> and <c>report --xlsx</c>.</summary>
internal static class SheetCommands
{
    /// <summary><c>carebot summary --from D --to D --out FILE.xlsx|FILE.html [--lang zh|en]</c>.</summary>
    public static int Summary(string from, string to, FileInfo output, string language, TextWriter stdout, Func<CareScope> open, string? school = null)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        var start = Date("--from", from, lang);
        var end = Date("--to", to, lang);
        if (end < start)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.bad_period", from, to));
        }

        if (end.DayNumber - start.DayNumber >= TermSummaryBuilder.MaxDays)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.long_period", from, to));
        }

        var html = CheckSummaryFile(output, lang);
        using var scope = open();
        var services = scope.Services;
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var summary = new TermSummaryBuilder(services.GetRequiredService<CareDb>(), services.GetRequiredService<CareClock>())
            .Build(start, end, lang, care.OutboxKeepDays, SchoolOption.Scope(school, care, lang));
        WriteExclusive(output, lang, stream =>
        {
            if (html)
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
                SummaryPage.Write(summary, writer);
            }
            else
            {
                SummaryWorkbook.Write(summary, stream);
            }
        });

        var children = summary.Sections.Single(s => s.Key == "overview").Figures[0].Value;
        stdout.WriteLine(Texts.Get(lang, "cli.summary_written", output.FullName, from, to, children));
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The summary's file: .html/.htm (true) or .xlsx (false), and not there yet; otherwise exit 2 naming it. Checked
    /// before any work, so <c>carebot demo --summary</c> refuses a bad name before its week runs.
    /// </summary>
    public static bool CheckSummaryFile(FileInfo output, string language)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        var extension = output.Extension.ToLowerInvariant();
        var html = extension is ".html" or ".htm";
        if (!html && extension != ".xlsx")
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.out_extension", output.FullName));
        }

        RefuseExisting(output, lang);
        return html;
    }

    /// <summary><c>carebot report --xlsx FILE</c>: the report's table as a workbook.</summary>
    public static int ReportWorkbook(FileInfo output, string language, TextWriter stdout, Func<CareScope> open, string? school = null)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        RefuseExisting(output, lang);
        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var report = new CareReport(db, services.GetRequiredService<CareClock>(), care);
        var schools = SchoolOption.Scope(school, care, lang);
        var data = report.Build(schools);
        var links = LinkReport.Build(db, care, schools, lang);
        WriteExclusive(output, lang, stream => SummaryWorkbook.WriteTables([CareReport.ToTable(data, lang), .. LinkReport.ToTables(links, lang)], stream));
        stdout.WriteLine(Texts.Get(lang, "cli.report_written", output.FullName));
        return ExitCodes.Ok;
    }

    private static DateOnly Date(string option, string value, string lang) =>
        DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ConfigurationErrorException(Texts.Get(lang, "cli.bad_date", option, value));

    /// <summary>Checked before the database is opened, so the admin hears it first; <see cref="WriteExclusive"/> checks again.</summary>
    private static void RefuseExisting(FileInfo output, string lang)
    {
        if (output.Exists || Directory.Exists(output.FullName))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.file_exists", output.FullName));
        }
    }

    /// <summary>
    /// Creates <paramref name="output"/> exclusively (an existing file is refused, never overwritten), readable by the
    /// owner only (children's names), and writes it; a write that fails leaves no partial file.
    /// </summary>
    internal static void WriteExclusive(FileInfo output, string lang, Action<Stream> write)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(output.FullName, options);
        }
        catch (IOException) when (File.Exists(output.FullName))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.file_exists", output.FullName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.cannot_write", output.FullName, ex.Message), ex);
        }

        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception ex)
        {
            File.Delete(output.FullName);
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationErrorException(Texts.Get(lang, "cli.cannot_write", output.FullName, ex.Message), ex);
            }

            throw;
        }
    }
}

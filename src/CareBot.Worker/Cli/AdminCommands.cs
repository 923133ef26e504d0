using System.Globalization;
using CareBot.Core;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Hosting;
using CareBot.Worker.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace CareBot.Worker.Cli;

/// <summary>The admin's verbs: import, invite, report.</summary>
internal static class AdminCommands
{
    /// <summary>What <c>--encoding</c> says (already checked to be utf-8, utf8 or gb18030): detect when not given.</summary>
    public static RosterEncoding ParseEncoding(string? encoding) => encoding?.ToLowerInvariant() switch
    {
        "gb18030" => RosterEncoding.Gb18030,
        "utf-8" or "utf8" => RosterEncoding.Utf8,
        _ => RosterEncoding.Auto,
    };

    public static int Import(FileInfo file, string? encoding, string? sheet, string language, TextWriter stdout, TextWriter stderr, Func<CareScope> open)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        if (!file.Exists)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.no_file", file.FullName));
        }

        // A workbook or CSV, by the file's extension; the rules are the same.
        var extension = file.Extension.ToLowerInvariant();
        var workbook = extension is ".xlsx" or ".xlsm";
        if (extension == ".xls")
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.xls_old", file.FullName));
        }

        if (workbook && encoding is not null)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.encoding_not_xlsx"));
        }

        if (!workbook && sheet is not null)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.sheet_not_csv", file.FullName));
        }

        using var scope = open();
        var services = scope.Services;
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var importer = new RosterImporter(services.GetRequiredService<CareDb>(), services.GetRequiredService<TimeProvider>(), care.Care, care.Directory);
        var rosterEncoding = ParseEncoding(encoding);
        ImportResult result;
        try
        {
            result = workbook
                ? importer.ImportWorkbook(file.FullName, sheet, lang, "cli")
                : importer.Import(file.FullName, rosterEncoding, lang, "cli");
        }
        catch (IOException ex)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.cannot_read", file.FullName, ex.Message), ex);
        }

        if (result.Unreadable)
        {
            // Not a workbook, or no such sheet: that one line says it all.
            stderr.WriteLine(result.FormatProblems().Single());
            return ExitCodes.BadInput;
        }

        if (result.Succeeded)
        {
            // Rows taken with a note (a parent named without a phone): one line each, as problems are written.
            foreach (var line in result.FormatWarnings())
            {
                stderr.WriteLine(line);
            }
        }

        return ImportOutcome(result.Succeeded, result.FormatProblems(), result.Summary(), stdout, stderr);
    }

    /// <summary>An import's answer: its problems (one per line) and summary on stderr, exit 2; or the summary, exit 0.</summary>
    internal static int ImportOutcome(bool succeeded, IEnumerable<string> problems, string summary, TextWriter stdout, TextWriter stderr)
    {
        if (!succeeded)
        {
            foreach (var line in problems)
            {
                stderr.WriteLine(line);
            }

            stderr.WriteLine(summary);
            return ExitCodes.BadInput;
        }

        stdout.WriteLine(summary);
        return ExitCodes.Ok;
    }

    public static int Report(bool csv, string language, TextWriter stdout, Func<CareScope> open, string? school = null)
    {
        using var scope = open();
        var services = scope.Services;
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var report = new CareReport(services.GetRequiredService<CareDb>(), services.GetRequiredService<CareBot.Core.Time.CareClock>(), care);
        var schools = SchoolOption.Scope(school, care, language);
        var data = report.Build(schools);
        var links = LinkReport.Build(services.GetRequiredService<CareDb>(), care, schools, language);
        if (csv)
        {
            CareReport.WriteCsv(data, stdout);
            LinkReport.WriteCsv(links, stdout);
        }
        else
        {
            stdout.Write(CareReport.RenderText(data, language));
            stdout.Write(LinkReport.RenderText(links, language));
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> InviteAsync(string? phone, FileInfo? output, string language, TextWriter stdout, TextWriter stderr, Func<CareScope> open, CancellationToken cancellationToken, string? school = null, bool relink = false, FileInfo? slips = null, IReadOnlyList<string>? classes = null, Roles roles = Roles.None)
    {
        var lang = Texts.ParseLanguage(language) ?? Texts.Chinese;
        if (relink && phone is null)
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.relink_phone"));
        }

        InviteSlipFile.Check(output, slips, lang);
        using var scope = open();
        var services = scope.Services;
        var db = services.GetRequiredService<CareDb>();
        var care = services.GetRequiredService<IOptions<CareOptions>>().Value;
        var filter = new InviteFilter(SchoolOption.Scope(school, care, lang), classes ?? [], roles);
        if (db.Read(tx => InviteAudience.UnknownClasses(tx, filter)) is [var unknownClass, ..])
        {
            throw new ConfigurationErrorException("--class: " + Texts.Get(lang, "meeting.unknown_class", unknownClass));
        }

        List<Person> people;
        if (phone is not null)
        {
            var normalized = Phone.Normalize(phone) ?? throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.bad_phone", phone));
            var person = db.Read(tx => tx.People.FindOne(p => p.Phone == normalized)) ?? throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.nobody", Phone.Mask(normalized)));
            if (person.Chat is not null && !relink)
            {
                await stderr.WriteLineAsync("carebot: " + Texts.Get(lang, "cli.invite.linked", person.Name)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            // The other filters still apply: a phone outside the chosen classes or roles gets no invite.
            people = filter.Classes.Count == 0 && filter.Schools is null
                ? [person]
                : db.Read(tx => InviteAudience.People(tx, filter, care.Admins, linkedToo: relink)).Where(p => p.Id == person.Id).ToList();
            people = people.Where(filter.Matches).ToList();
        }
        else
        {
            people = db.Read(tx => InviteAudience.People(tx, filter, care.Admins));
        }

        if (slips is not null && people.Count == 0)
        {
            await stdout.WriteLineAsync(Texts.Get(lang, "cli.invite.nobody_selected")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var username = await BotUsernameAsync(services, lang, cancellationToken).ConfigureAwait(false);

        // Open the slip file before issuing: issuing ends every earlier unused code of these people, and only the
        // hashes of the new ones are kept, so a file that cannot be written must fail before anything changes.
        StreamWriter? writer = null;
        if (output is not null)
        {
            try
            {
                // The slips hold live codes and phones: a new file, readable by the owner only. An existing file or a
                // link in its place is refused, never overwritten or written through.
                writer = new StreamWriter(PrivateFiles.CreateExclusive(output.FullName), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            }
            catch (PrivateFileException refused)
            {
                throw new ConfigurationErrorException($"--out: {refused.Render(lang)} {Texts.Get(lang, "files.no_invite_changed")}", refused);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationErrorException($"--out: {Texts.Get(lang, "files.cannot_write", output.FullName, ex.Message)} {Texts.Get(lang, "files.no_invite_changed")}", ex);
            }
        }

        await using var _ = writer;
        FileStream? slipFile;
        try
        {
            slipFile = slips is null ? null : InviteSlipFile.Open(slips, lang);
        }
        catch (ConfigurationErrorException) when (writer is not null)
        {
            // Nothing half-done: the CSV made a moment ago goes too.
            await writer.DisposeAsync().ConfigureAwait(false);
            File.Delete(output!.FullName);
            throw;
        }

        await using var __ = slipFile;
        var issued = services.GetRequiredService<InviteService>().Issue(people, care.InviteValidDays, "cli", relink);
        var rows = issued.Select(i => new InviteRow(i.Person.Id, i.Person.Name, RoleName(i.Person.Roles), i.Person.Phone, i.Code, InviteSlips.Link(username, i.Code))).ToList();
        if (slipFile is not null)
        {
            var written = InviteSlipFile.Write(slipFile, issued, filter.Schools, username, lang, services);
            await stdout.WriteLineAsync(Texts.Get(lang, "cli.invite.slips_written", written, slips!.FullName, (written + InviteSlips.PerSheet - 1) / InviteSlips.PerSheet, care.InviteValidDays)).ConfigureAwait(false);
            if (writer is null)
            {
                return ExitCodes.Ok;
            }
        }

        if (writer is not null)
        {
            using (var csv = CareBot.Core.Export.ExportSafety.Csv(writer))
            {
                foreach (var field in new[] { "person_id", "name", "role", "phone", "code", "link" })
                {
                    csv.WriteField(field);
                }

                csv.EndRecord();
                foreach (var r in rows)
                {
                    csv.WriteField(r.PersonId.ToString(CultureInfo.InvariantCulture));
                    csv.WriteField(r.Name);
                    csv.WriteField(r.Role);
                    csv.WriteField(r.Phone);
                    csv.WriteField(r.Code);
                    csv.WriteField(r.Link);
                    csv.EndRecord();
                }

                csv.Flush();
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            await stdout.WriteLineAsync(Texts.Get(lang, "cli.invite.written", rows.Count, output!.FullName, care.InviteValidDays)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync(Texts.Get(lang, "cli.invite.header")).ConfigureAwait(false);
            foreach (var (r, i) in rows.Zip(issued))
            {
                await stdout.WriteLineAsync($"{r.PersonId,-10} {r.Name,-10} {RoleText(i.Person.Roles, lang),-17} {r.Phone,-13} {r.Link}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(Texts.Get(lang, "cli.invite.done", rows.Count, care.InviteValidDays)).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static async Task<string> BotUsernameAsync(IServiceProvider services, string lang, CancellationToken cancellationToken)
    {
        var telegram = services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(telegram.BotUsername))
        {
            return telegram.BotUsername.TrimStart('@');
        }

        if (string.IsNullOrWhiteSpace(telegram.BotToken))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.no_username"));
        }

        var client = new TelegramBotClient(new TelegramBotClientOptions(telegram.BotToken, string.IsNullOrWhiteSpace(telegram.ApiBaseUrl) ? null : telegram.ApiBaseUrl));
        var me = await client.GetMe(cancellationToken).ConfigureAwait(false);
        return me.Username ?? throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.bot_no_username"));
    }

    internal static string RoleName(Roles roles) =>
        string.Join('+', new[] { Roles.Admin, Roles.Mentor, Roles.Volunteer, Roles.Parent }.Where(r => roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant()));

    /// <summary>The roles as the table shows them, in the admin's language (the CSV keeps <see cref="RoleName"/>).</summary>
    private static string RoleText(Roles roles, string lang) => InviteSlips.RoleText(roles, lang);

    private sealed record InviteRow(int PersonId, string Name, string Role, string Phone, string Code, string Link);
}

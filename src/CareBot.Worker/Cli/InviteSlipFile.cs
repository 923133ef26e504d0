using CareBot.Core;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot invite --slips FILE.html</c>: the printable slips, under the rules of <c>--out</c> (a new file, readable by
/// the owner only; an existing file or a link is refused before any invite changes).
/// </summary>
internal static class InviteSlipFile
{
    /// <summary>What can be said before the database is opened: the extension, one file for both, a file already there.</summary>
    public static void Check(FileInfo? output, FileInfo? slips, string lang)
    {
        if (slips is null)
        {
            return;
        }

        if (slips.Extension.ToLowerInvariant() is not (".html" or ".htm"))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.slips_extension", slips.FullName));
        }

        if (output is not null && string.Equals(output.FullName, slips.FullName, StringComparison.Ordinal))
        {
            throw new ConfigurationErrorException(Texts.Get(lang, "cli.invite.same_file", slips.FullName));
        }

        if (slips.Exists || Directory.Exists(slips.FullName) || slips.LinkTarget is not null)
        {
            throw Refused(new PrivateFileException("files.exists", slips.FullName), lang);
        }
    }

    /// <summary>Creates the slip file (owner-only, new); call before the invites are issued.</summary>
    public static FileStream Open(FileInfo slips, string lang)
    {
        try
        {
            return PrivateFiles.CreateExclusive(slips.FullName);
        }
        catch (PrivateFileException refused)
        {
            throw Refused(refused, lang);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationErrorException($"--slips: {Texts.Get(lang, "files.cannot_write", slips.FullName, ex.Message)} {Texts.Get(lang, "files.no_invite_changed")}", ex);
        }
    }

    /// <summary>Writes a slip for each issued invite, syncs the file, and returns how many.</summary>
    public static int Write(FileStream file, IReadOnlyList<IssuedInvite> issued, IReadOnlyCollection<string>? schools, string botUsername, string lang, IServiceProvider services)
    {
        var db = services.GetRequiredService<CareDb>();
        var clock = services.GetRequiredService<CareClock>();
        var admins = services.GetRequiredService<IOptions<CareOptions>>().Value.Admins;
        var targets = db.Read(tx => InviteAudience.WithChildren(tx, [.. issued.Select(i => i.Person)], schools));
        var slips = issued.Zip(targets, (invite, target) => new InviteSlip(
            target, invite.Code, InviteSlips.Link(botUsername, invite.Code), clock.ToLocalDate(invite.ExpiresUtc), SlipLanguage(invite.Person, admins, lang))).ToList();
        using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
        {
            InviteSlips.Write(slips, botUsername, lang, writer);
        }

        file.Flush(flushToDisk: true);
        return slips.Count;
    }

    /// <summary>
    /// The person's own language when it is known (they chose it in the chat, or the admins' settings give it, or it
    /// is not the default), else the run's <c>--lang</c>.
    /// </summary>
    internal static string SlipLanguage(Person person, IEnumerable<AdminEntry> admins, string fallback)
    {
        var configured = person.Has(Roles.Admin) ? admins.FirstOrDefault(a => Phone.Normalize(a.Phone) == person.Phone)?.Language : null;
        var known = person.Chat is not null || Texts.ParseLanguage(configured) is not null || person.Language != Texts.Chinese;
        return known ? Texts.ParseLanguage(person.Language) ?? fallback : fallback;
    }

    private static ConfigurationErrorException Refused(PrivateFileException refused, string lang) =>
        new($"--slips: {refused.Render(lang)} {Texts.Get(lang, "files.no_invite_changed")}", refused);
}

/// <summary><c>--role admin|mentor|volunteer|parent</c> of <c>carebot invite</c>, repeatable.</summary>
internal static class InviteRoles
{
    public static Roles? Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "admin" => Roles.Admin,
        "mentor" => Roles.Mentor,
        "volunteer" => Roles.Volunteer,
        "parent" => Roles.Parent,
        _ => null,
    };

    /// <summary>The roles named (<see cref="Roles.None"/>: every role).</summary>
    public static Roles Of(IEnumerable<string>? values) => (values ?? []).Aggregate(Roles.None, (all, v) => all | (Parse(v) ?? Roles.None));
}

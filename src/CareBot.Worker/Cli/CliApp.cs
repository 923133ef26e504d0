using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Worker.Cluster;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;

namespace CareBot.Worker.Cli;

/// <summary>The services an admin verb works with; disposes the host only when the verb built it.</summary>
internal sealed class CareScope(IServiceProvider services, IHost? owned) : IDisposable
{
    public IServiceProvider Services { get; } = services;

    public void Dispose() => owned?.Dispose();
}

/// <summary>Runs an admin verb here, or hands it to the running worker that holds the database (see <see cref="CliApp"/>).</summary>
internal delegate Task<int> AdminVerb(string[] forward, Func<Task<int>> verb, CancellationToken cancellationToken, string language);

/// <summary>
/// The <c>carebot</c> command line: run, import, invite, report, summary, demo, forget, backup, migrate, aid add, duty import, status. Exit codes:
/// 0 ok, 1 unexpected (and, for status, not healthy), 2 bad input.
/// </summary>
public static partial class CliApp
{
    /// <param name="shared">
    /// The running worker's services, when it runs an admin verb handed to it (<see cref="AdminRequestService"/>);
    /// null on the command line, where each verb opens the database itself.
    /// </param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?>? overrides = null, IServiceProvider? shared = null)
    {
        // Help, parse errors and every line of a verb are in --lang, else CareBot:Language, else Chinese.
        var (language, languageProblem) = CommandLineLanguage.Resolve(args, overrides, shared);
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CommandLineLanguage.Culture(language);
        try
        {
            if (languageProblem is not null)
            {
                await stderr.WriteLineAsync($"carebot: {languageProblem}").ConfigureAwait(false);
                return args.FirstOrDefault() == "status" ? StatusCommand.Unhealthy : ExitCodes.BadInput; // status never exits 2
            }

            return await RunAsync(args, language, stdout, stderr, overrides, shared).ConfigureAwait(false);
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    private static async Task<int> RunAsync(string[] args, string language, TextWriter stdout, TextWriter stderr, IDictionary<string, string?>? overrides, IServiceProvider? shared)
    {
        string T(string key) => Texts.Get(language, key);

        // An admin verb opens the database; while a worker holds it, the verb is handed to that worker.
        Task<int> Admin(string[] forward, Func<Task<int>> verb, CancellationToken ct, string verbLanguage) => Guard(stderr, verbLanguage, async () =>
        {
            try
            {
                return await verb().ConfigureAwait(false);
            }
            catch (DatabaseInUseException) when (shared is null)
            {
                return await WorkerRequest.SendAsync(overrides, forward, stdout, stderr, verbLanguage, ct).ConfigureAwait(false);
            }
        });

        var lang = new Option<string>("--lang") { Description = T("cli.help.lang"), DefaultValueFactory = _ => language };
        OnlyFromAmong(lang, language, "cli.bad_lang", Texts.Chinese, Texts.English);
        var root = new RootCommand(T("cli.help.root")) { lang };
        var run = new Command("run", T("cli.help.run")) { lang };
        run.SetAction((pr, ct) => Guard(stderr, pr.GetValue(lang)!, () => RunWorkerAsync(overrides, pr.GetValue(lang)!, ct)));
        root.Add(run);
        root.SetAction((pr, ct) => Guard(stderr, pr.GetValue(lang)!, () => RunWorkerAsync(overrides, pr.GetValue(lang)!, ct)));

        var importFile = new Argument<FileInfo>("FILE") { Description = T("cli.help.import_file") };
        var encoding = new Option<string>("--encoding") { Description = T("cli.help.encoding") };
        OnlyFromAmong(encoding, language, "cli.bad_encoding", "utf-8", "utf8", "gb18030");
        var sheet = new Option<string>("--sheet") { Description = T("cli.help.sheet") };
        var import = new Command("import", T("cli.help.import")) { importFile, encoding, sheet, lang };
        import.SetAction((pr, ct) => Admin(
            ["import", pr.GetValue(importFile)!.FullName, "--lang", pr.GetValue(lang)!, .. Optional("--encoding", pr.GetValue(encoding)), .. Optional("--sheet", pr.GetValue(sheet))],
            () => Task.FromResult(AdminCommands.Import(pr.GetValue(importFile)!, pr.GetValue(encoding), pr.GetValue(sheet), pr.GetValue(lang)!, stdout, stderr, () => OpenDatabase(overrides, shared, mustExist: false, pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(import);

        var phone = new Option<string>("--phone") { Description = T("cli.help.phone") };
        var output = new Option<FileInfo>("--out") { Description = T("cli.help.invite_out") };
        var school = new Option<string>("--school") { Description = T("cli.help.school") };
        var relink = new Option<bool>("--relink") { Description = T("cli.help.relink") };
        var unlinkedOnly = new Option<bool>("--unlinked-only") { Description = T("cli.help.unlinked_only") };
        var slips = new Option<FileInfo>("--slips") { Description = T("cli.help.slips") };
        var inviteClass = new Option<string[]>("--class") { Description = T("cli.help.class"), AllowMultipleArgumentsPerToken = false };
        var role = new Option<string[]>("--role") { Description = T("cli.help.role"), AllowMultipleArgumentsPerToken = false };
        role.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => InviteRoles.Parse(t.Value) is null) is { } bad)
            {
                result.AddError(Texts.Get(language, "cli.bad_role", bad.Value));
            }
        });
        var invite = new Command("invite", T("cli.help.invite")) { phone, output, slips, school, inviteClass, role, relink, unlinkedOnly, lang };
        invite.SetAction((pr, ct) => Admin(
            [
                "invite", "--lang", pr.GetValue(lang)!, .. Optional("--phone", pr.GetValue(phone)), .. Optional("--out", pr.GetValue(output)?.FullName),
                .. Optional("--slips", pr.GetValue(slips)?.FullName), .. Optional("--school", pr.GetValue(school)),
                .. (pr.GetValue(inviteClass) ?? []).SelectMany(c => new[] { "--class", c }), .. (pr.GetValue(role) ?? []).SelectMany(r => new[] { "--role", r }),
                .. pr.GetValue(relink) ? new[] { "--relink" } : [],
            ],
            () => AdminCommands.InviteAsync(
                pr.GetValue(phone), pr.GetValue(output), pr.GetValue(lang)!, stdout, stderr, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)), ct, pr.GetValue(school), pr.GetValue(relink),
                pr.GetValue(slips), [.. (pr.GetValue(inviteClass) ?? []).Select(c => c.Trim()).Where(c => c.Length > 0)], InviteRoles.Of(pr.GetValue(role))),
            ct,
            pr.GetValue(lang)!));
        root.Add(invite);

        var csv = new Option<bool>("--csv") { Description = T("cli.help.csv") };
        var xlsx = new Option<FileInfo>("--xlsx") { Description = T("cli.help.xlsx") };
        var report = new Command("report", T("cli.help.report")) { csv, xlsx, school, lang };
        report.SetAction((pr, ct) => Admin(
            ["report", "--lang", pr.GetValue(lang)!, .. pr.GetValue(csv) ? new[] { "--csv" } : [], .. Optional("--xlsx", pr.GetValue(xlsx)?.FullName), .. Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(pr.GetValue(xlsx) is { } book
                ? pr.GetValue(csv)
                    ? throw new ConfigurationErrorException(CareBot.Core.Text.Texts.Get(pr.GetValue(lang)!, "cli.csv_and_xlsx"))
                    : SheetCommands.ReportWorkbook(book, pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)), pr.GetValue(school))
                : AdminCommands.Report(pr.GetValue(csv), pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)), pr.GetValue(school))),
            ct,
            pr.GetValue(lang)!));
        root.Add(report);

        var from = new Option<string>("--from") { Description = T("cli.help.from"), Required = true };
        var to = new Option<string>("--to") { Description = T("cli.help.to"), Required = true };
        var summaryFile = new Option<FileInfo>("--out") { Description = T("cli.help.summary_out"), Required = true };
        var summary = new Command("summary", T("cli.help.summary")) { from, to, summaryFile, school, lang };
        summary.SetAction((pr, ct) => Admin(
            ["summary", "--from", pr.GetValue(from)!, "--to", pr.GetValue(to)!, "--out", pr.GetValue(summaryFile)!.FullName, "--lang", pr.GetValue(lang)!, .. Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(SheetCommands.Summary(pr.GetValue(from)!, pr.GetValue(to)!, pr.GetValue(summaryFile)!, pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)), pr.GetValue(school))),
            ct,
            pr.GetValue(lang)!));
        root.Add(summary);

        var demoSummary = new Option<FileInfo>("--summary") { Description = T("cli.help.demo_summary") };
        var demo = new Command("demo", T("cli.help.demo")) { demoSummary, lang };
        demo.SetAction((pr, ct) => Guard(stderr, pr.GetValue(lang)!, () =>
        {
            if (pr.GetValue(demoSummary) is { } file)
            {
                SheetCommands.CheckSummaryFile(file, pr.GetValue(lang)!);
            }

            return new CareBot.Worker.Demo.DemoRunner(pr.GetValue(lang)!, stdout, pr.GetValue(demoSummary)).RunAsync(ct);
        }));
        root.Add(demo);

        var childId = new Option<string>("--child") { Description = T("cli.help.child"), Required = true };
        var forget = new Command("forget", T("cli.help.forget")) { childId, school, lang };
        forget.SetAction((pr, ct) => Admin(
            ["forget", "--child", pr.GetValue(childId)!, "--lang", pr.GetValue(lang)!, .. Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(ProtectCommands.Forget(pr.GetValue(childId)!, pr.GetValue(school), pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(forget);

        var backupFile = new Argument<FileInfo>("FILE") { Description = T("cli.help.backup_file") };
        var backup = new Command("backup", T("cli.help.backup")) { backupFile, lang };
        backup.SetAction((pr, ct) => Admin(
            ["backup", pr.GetValue(backupFile)!.FullName, "--lang", pr.GetValue(lang)!],
            () => Task.FromResult(ProtectCommands.Backup(pr.GetValue(backupFile)!, pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(backup);

        var migrateFrom = new Option<FileInfo>("--from") { Description = T("cli.help.migrate_from"), Required = true };
        var migratePassword = new Option<string>("--password") { Description = T("cli.help.migrate_password") };
        var migrate = new Command("migrate", T("cli.help.migrate")) { migrateFrom, migratePassword, lang };
        migrate.SetAction((pr, ct) => Guard(stderr, pr.GetValue(lang)!, () => Task.FromResult(
            MigrateCommand.Run(pr.GetValue(migrateFrom)!, pr.GetValue(migratePassword), overrides, pr.GetValue(lang)!, stdout))));
        root.Add(migrate);

        var aidKind = new Option<string>("--kind") { Description = T("cli.help.aid_kind"), Required = true };
        var aidAmount = new Option<string>("--amount") { Description = T("cli.help.aid_amount"), Required = true };
        var aidDate = new Option<string>("--date") { Description = T("cli.help.aid_date"), Required = true };
        var aidSource = new Option<string>("--source") { Description = T("cli.help.aid_source") };
        var aidAdd = new Command("add", T("cli.help.aid_add")) { childId, aidKind, aidAmount, aidDate, aidSource, school, lang };
        aidAdd.SetAction((pr, ct) => Admin(
            ["aid", "add", "--child", pr.GetValue(childId)!, "--kind", pr.GetValue(aidKind)!, "--amount", pr.GetValue(aidAmount)!, "--date", pr.GetValue(aidDate)!, "--lang", pr.GetValue(lang)!, .. Optional("--source", pr.GetValue(aidSource)), .. Optional("--school", pr.GetValue(school))],
            () => Task.FromResult(AidCommands.Add(new AidInput(pr.GetValue(childId)!, pr.GetValue(aidKind)!, pr.GetValue(aidAmount)!, pr.GetValue(aidDate)!, pr.GetValue(aidSource), pr.GetValue(school)), pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(new Command("aid", T("cli.help.aid")) { aidAdd });
        root.Add(MeetingVerbs.Build(T, lang, school, Admin, verbLanguage => OpenDatabase(overrides, shared, language: verbLanguage), stdout));
        root.Add(DutyCommands.Build(T, lang, encoding, school, Admin, verbLanguage => OpenDatabase(overrides, shared, language: verbLanguage), stdout, stderr));
        root.Add(ConcernVerbs.Build(T, lang, school, Admin, verbLanguage => OpenDatabase(overrides, shared, language: verbLanguage), stdout));

        var status = new Command("status", T("cli.help.status")) { lang };
        status.SetAction(pr => StatusCommand.Run(overrides, pr.GetValue(lang)!, TimeProvider.System, stdout, stderr));
        root.Add(status);

        foreach (var help in root.Options.OfType<System.CommandLine.Help.HelpOption>())
        {
            help.Description = T("cli.help.help");
        }

        var parse = root.Parse(args);
        if (parse.Action is System.CommandLine.Help.HelpAction)
        {
            // System.CommandLine's own headings are not all translated: the rest are ours, in cli.*.json.
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            var shown = await parse.InvokeAsync(new InvocationConfiguration { Output = text, Error = stderr }).ConfigureAwait(false);
            await stdout.WriteAsync(text.ToString()
                .Replace("Description:", T("cli.help.heading_description"), StringComparison.Ordinal)
                .Replace("[default: ", T("cli.help.heading_default"), StringComparison.Ordinal)
                .Replace("(REQUIRED)", T("cli.help.heading_required"), StringComparison.Ordinal)).ConfigureAwait(false);
            return shown;
        }

        if (parse.Errors.Count > 0)
        {
            // --lang belongs to the root and to each verb, so its validator may report the same problem twice.
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
            {
                await stderr.WriteLineAsync($"carebot: {message}").ConfigureAwait(false);
            }

            // Docker reserves exit code 2 for health checks: a health check that cannot even be read is unhealthy.
            return parse.CommandResult.Command.Name == "status" ? StatusCommand.Unhealthy : ExitCodes.BadInput;
        }

        // On SIGTERM / Ctrl-C the verb's token is cancelled; System.CommandLine would end the process after 2 s by
        // default, cutting off the host's graceful stop (let an in-flight send finish, wait for a running job,
        // checkpoint and close the database), which has 30 s.
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = shared is null ? TimeSpan.FromSeconds(35) : null, // inside the worker, its host handles signals
        };
        return await parse.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>Turns bad settings and bad input into one line on stderr and exit code 2; anything else is exit code 1.</summary>
    internal static async Task<int> Guard(TextWriter stderr, string language, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (BadInputMessage(ex, language) is { } message)
        {
            await stderr.WriteLineAsync($"carebot: {message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Exception ex)
        {
            Log.Fatal(ex, "The carebot command failed unexpectedly");
            await stderr.WriteLineAsync("carebot: " + Texts.Get(language, "cli.unexpected", ex.GetType().Name)).ConfigureAwait(false);
            return ExitCodes.Unexpected;
        }
    }

    /// <summary>The one line for bad input or a bad setting (which names its key), or null for anything else.</summary>
    internal static string? BadInputMessage(Exception ex, string language) => ex switch
    {
        ConfigurationErrorException c => c.Message,
        StorageException s => StorageMessage(s, language),
        _ when SettingErrors.Describe(ex, language) is { } setting => setting,
        AggregateException a when a.InnerExceptions.Count > 0 => BadInputMessage(a.InnerExceptions[0], language),
        _ when ex.InnerException is not null => BadInputMessage(ex.InnerException, language),
        _ => null,
    };

    /// <summary>A storage problem in the admin's language (Text/cli.*.json, <c>storage.*</c>); one of no known kind as it came.</summary>
    internal static string StorageMessage(StorageException s, string language) => s.Error == StorageError.Other
        ? s.Message
        : Texts.Get(language, "storage." + SnakeCase().Replace(s.Error.ToString(), "_$1").ToLowerInvariant(), [.. s.Args]);

    [GeneratedRegex("(?<=.)([A-Z])")]
    private static partial Regex SnakeCase();

    /// <summary>Like System.CommandLine's AcceptOnlyFromAmong, with our own message (<paramref name="textId"/>, {0} the value).</summary>
    private static void OnlyFromAmong(Option<string> option, string language, string textId, params string[] values) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => !values.Contains(t.Value, StringComparer.Ordinal)) is { } bad)
            {
                result.AddError(Texts.Get(language, textId, bad.Value));
            }
        });

    internal static string[] Optional(string option, string? value) => value is null ? [] : [option, value];

    /// <summary>
    /// The services of an admin verb: the worker's own when it runs the verb, else a host built for it (which opens
    /// the database; <see cref="DatabaseInUseException"/> when a running worker holds it).
    /// </summary>
    internal static CareScope OpenDatabase(IDictionary<string, string?>? overrides, IServiceProvider? shared, bool mustExist = true, string? language = null)
    {
        if (shared is not null)
        {
            return new CareScope(shared, null);
        }

        try
        {
            var host = BuildHost(overrides, mustExist: mustExist, language: language);
            return new CareScope(host.Services, host);
        }
        catch (Exception ex) when (InUse(ex))
        {
            throw new DatabaseInUseException(ex);
        }
    }

    private static bool InUse(Exception? ex) => ex switch
    {
        null => false,
        StorageException s when s.InUse => true,
        AggregateException a => a.InnerExceptions.Any(InUse),
        _ => InUse(ex.InnerException),
    };

    /// <summary>Builds the host for a verb, validates every setting, opens the database and syncs the admins.</summary>
    internal static IHost BuildHost(IDictionary<string, string?>? overrides, Action<HostApplicationBuilder>? configure = null, bool quiet = true, bool mustExist = false, string? language = null)
    {
        var settings = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>());
        if (quiet)
        {
            settings.TryAdd("Serilog:MinimumLevel:Default", "Warning");
        }

        var builder = CareHost.CreateBuilder([], settings, language);
        configure?.Invoke(builder);
        var host = builder.Build();
        CareSettings.ValidateAll(host.Services);

        // Only an import (or the worker) may start a database; another verb finding none has the wrong folder or setting.
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var path = storage.DatabasePath;
        if (mustExist && !storage.IsPostgreSQL && !File.Exists(path))
        {
            host.Dispose();
            throw new ConfigurationErrorException(Texts.Get(language ?? Texts.Chinese, "settings.no_database", path));
        }

        var db = host.Services.GetRequiredService<CareDb>();
        var care = host.Services.GetRequiredService<IOptions<CareOptions>>().Value;
        AdminSync.Apply(db, care.Admins, host.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        return host;
    }

    private static async Task<int> RunWorkerAsync(IDictionary<string, string?>? overrides, string language, CancellationToken cancellationToken)
    {
        using var host = BuildHost(overrides, b =>
        {
            b.AddCareWorker();
        }, quiet: false, language: language);
        // Resolve the client now so a missing token is a clear message, not a stack trace from a background service.
        _ = host.Services.GetRequiredService<global::Telegram.Bot.ITelegramBotClient>();
        // Resolved before the run: RunAsync disposes the host (and its service provider) when it returns.
        var background = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        var storage = host.Services.GetRequiredService<StorageFailureWatch>();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);

        // On .NET a crashed BackgroundService stops the host but the process would still exit 0: make it fail,
        // so a container restarts it. So does a database that stopped on a disk error.
        var crashed = storage.Tripped || background.Any(s => s.ExecuteTask?.IsFaulted == true);
        return crashed ? ExitCodes.Unexpected : ExitCodes.Ok;
    }
}

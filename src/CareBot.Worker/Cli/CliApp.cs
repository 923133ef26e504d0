using System.CommandLine;
using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Core.Text;
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

/// <summary>
/// The <c>carebot</c> command line: run, import, invite, report, summary, demo, forget, backup, status. Exit codes:
/// 0 ok, 1 unexpected (and, for status, not healthy), 2 bad input.
/// </summary>
public static class CliApp
{
    /// <param name="shared">
    /// The running worker's services, when it runs an admin verb handed to it (<see cref="AdminRequestService"/>);
    /// null on the command line, where each verb opens the database itself.
    /// </param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?>? overrides = null, IServiceProvider? shared = null)
    {
        // An admin verb opens the database; while a worker holds it, the verb is handed to that worker.
        Task<int> Admin(string[] forward, Func<Task<int>> verb, CancellationToken ct, string language = Texts.Chinese) => Guard(stderr, language, async () =>
        {
            try
            {
                return await verb().ConfigureAwait(false);
            }
            catch (DatabaseInUseException) when (shared is null)
            {
                return await WorkerRequest.SendAsync(overrides, forward, stdout, stderr, language, ct).ConfigureAwait(false);
            }
        });

        var root = new RootCommand("CareBot: care programme for left-behind children (留守儿童) — Telegram bot worker and admin tools.");
        var run = new Command("run", "Run the worker: bot polling, jobs and the outbox dispatcher, until SIGTERM / Ctrl-C.");
        run.SetAction((_, ct) => Guard(stderr, Texts.Chinese, () => RunWorkerAsync(overrides, ct)));
        root.Add(run);
        root.SetAction((_, ct) => Guard(stderr, Texts.Chinese, () => RunWorkerAsync(overrides, ct)));

        var lang = new Option<string>("--lang") { Description = "Language of messages: zh (default) or en.", DefaultValueFactory = _ => "zh" };
        lang.AcceptOnlyFromAmong("zh", "en");
        var importFile = new Argument<FileInfo>("FILE") { Description = "The roster: CSV (UTF-8 or GB18030) or an .xlsx workbook; Chinese or English headers." };
        var encoding = new Option<string>("--encoding") { Description = "CSV only: utf-8 or gb18030 (default: detected)." };
        encoding.AcceptOnlyFromAmong("utf-8", "utf8", "gb18030");
        var sheet = new Option<string>("--sheet") { Description = "Workbook only: the sheet to read (default: the first)." };
        var import = new Command("import", "Import or update the roster; all or nothing.") { importFile, encoding, sheet, lang };
        import.SetAction((pr, ct) => Admin(
            ["import", pr.GetValue(importFile)!.FullName, "--lang", pr.GetValue(lang)!, .. Optional("--encoding", pr.GetValue(encoding)), .. Optional("--sheet", pr.GetValue(sheet))],
            () => Task.FromResult(AdminCommands.Import(pr.GetValue(importFile)!, pr.GetValue(encoding), pr.GetValue(sheet), pr.GetValue(lang)!, stdout, stderr, () => OpenDatabase(overrides, shared, mustExist: false, pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(import);

        var phone = new Option<string>("--phone") { Description = "Only the person with this phone." };
        var output = new Option<FileInfo>("--out") { Description = "Write person_id,name,role,phone,code,link to this CSV file." };
        var relink = new Option<bool>("--relink") { Description = "With --phone: a new invite for someone already linked who lost their account; using it unlinks the old chat." };
        var invite = new Command("invite", "Make invite links for people not yet linked to a chat.") { phone, output, relink };
        invite.SetAction((pr, ct) => Admin(
            ["invite", .. Optional("--phone", pr.GetValue(phone)), .. Optional("--out", pr.GetValue(output)?.FullName), .. pr.GetValue(relink) ? new[] { "--relink" } : []],
            () => AdminCommands.InviteAsync(pr.GetValue(phone), pr.GetValue(output), stdout, stderr, () => OpenDatabase(overrides, shared), ct, pr.GetValue(relink)),
            ct));
        root.Add(invite);

        var csv = new Option<bool>("--csv") { Description = "CSV instead of a table." };
        var xlsx = new Option<FileInfo>("--xlsx") { Description = "Write the report to this new .xlsx workbook." };
        var report = new Command("report", "Due and overdue visits per mentor, last week's update delivery.") { csv, xlsx, lang };
        report.SetAction((pr, ct) => Admin(
            ["report", "--lang", pr.GetValue(lang)!, .. pr.GetValue(csv) ? new[] { "--csv" } : [], .. Optional("--xlsx", pr.GetValue(xlsx)?.FullName)],
            () => Task.FromResult(pr.GetValue(xlsx) is { } book
                ? pr.GetValue(csv)
                    ? throw new ConfigurationErrorException(CareBot.Core.Text.Texts.Get(pr.GetValue(lang)!, "cli.csv_and_xlsx"))
                    : SheetCommands.ReportWorkbook(book, pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))
                : AdminCommands.Report(pr.GetValue(csv), pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(report);

        var from = new Option<string>("--from") { Description = "First day of the term, e.g. 2026-03-02.", Required = true };
        var to = new Option<string>("--to") { Description = "Last day of the term, e.g. 2026-07-10.", Required = true };
        var summaryFile = new Option<FileInfo>("--out") { Description = "The new file: .xlsx (a sheet per table) or .html (a printable A4 page).", Required = true };
        var summary = new Command("summary", "The term's work summary (工作总结): a workbook or a printable page with charts.") { from, to, summaryFile, lang };
        summary.SetAction((pr, ct) => Admin(
            ["summary", "--from", pr.GetValue(from)!, "--to", pr.GetValue(to)!, "--out", pr.GetValue(summaryFile)!.FullName, "--lang", pr.GetValue(lang)!],
            () => Task.FromResult(SheetCommands.Summary(pr.GetValue(from)!, pr.GetValue(to)!, pr.GetValue(summaryFile)!, pr.GetValue(lang)!, stdout, () => OpenDatabase(overrides, shared, language: pr.GetValue(lang)))),
            ct,
            pr.GetValue(lang)!));
        root.Add(summary);

        var demo = new Command("demo", "A simulated school week against the built-in local Bot API server; no token, no network.") { lang };
        demo.SetAction((pr, ct) => Guard(stderr, pr.GetValue(lang)!, () => new CareBot.Worker.Demo.DemoRunner(pr.GetValue(lang)!, stdout).RunAsync(ct)));
        root.Add(demo);

        var childId = new Option<string>("--child") { Description = "The child's id (学号).", Required = true };
        var forget = new Command("forget", "Erase a child: records, pairings, contact card, messages, and parents with no other child. One audit entry stays.") { childId };
        forget.SetAction((pr, ct) => Admin(
            ["forget", "--child", pr.GetValue(childId)!],
            () => Task.FromResult(ProtectCommands.Forget(pr.GetValue(childId)!, stdout, () => OpenDatabase(overrides, shared))),
            ct));
        root.Add(forget);

        var backupFile = new Argument<FileInfo>("FILE") { Description = "The new backup file (must not exist); encrypted with Storage:Password when set." };
        var backup = new Command("backup", "Write a consistent copy of the database to FILE.") { backupFile };
        backup.SetAction((pr, ct) => Admin(
            ["backup", pr.GetValue(backupFile)!.FullName],
            () => Task.FromResult(ProtectCommands.Backup(pr.GetValue(backupFile)!, stdout, () => OpenDatabase(overrides, shared))),
            ct));
        root.Add(backup);

        var status = new Command("status", "Exit 0 and the worker's last poll, outbox and job runs when a worker on this database beat less than a minute ago; else exit 1 and why (the Docker HEALTHCHECK).") { lang };
        status.SetAction(pr => StatusCommand.Run(overrides, pr.GetValue(lang)!, TimeProvider.System, stdout, stderr));
        root.Add(status);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"carebot: {error.Message}").ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
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
        StorageException s => s.Message,
        _ when SettingErrors.Describe(ex, language) is { } setting => setting,
        AggregateException a when a.InnerExceptions.Count > 0 => BadInputMessage(a.InnerExceptions[0], language),
        _ when ex.InnerException is not null => BadInputMessage(ex.InnerException, language),
        _ => null,
    };

    private static string[] Optional(string option, string? value) => value is null ? [] : [option, value];

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
        var path = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DatabasePath;
        if (mustExist && !File.Exists(path))
        {
            host.Dispose();
            throw new ConfigurationErrorException(Texts.Get(language ?? Texts.Chinese, "settings.no_database", path));
        }

        var db = host.Services.GetRequiredService<CareDb>();
        var care = host.Services.GetRequiredService<IOptions<CareOptions>>().Value;
        AdminSync.Apply(db, care.Admins, host.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        return host;
    }

    private static async Task<int> RunWorkerAsync(IDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        using var host = BuildHost(overrides, b => b.Services.AddCareStorage().AddTelegramChannel().AddCareJobs(), quiet: false);
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

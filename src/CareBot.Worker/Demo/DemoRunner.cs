using System.Diagnostics;
using System.Globalization;
using System.Text;
using CareBot.Core;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Core.Time;
using CareBot.LocalBotApi;
using CareBot.Worker.Cli;
using CareBot.Worker.Cluster;
using CareBot.Worker.Delivery;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Demo;

/// <summary>
/// A clock that runs at real speed but can jump forward: the demo moves it one school day at a time, while timers and
/// delays (the dispatcher's per-chat spacing) stay real-time.
/// </summary>
internal sealed class DemoClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void JumpTo(DateTimeOffset utc) => Interlocked.Exchange(ref _offsetTicks, (utc - base.GetUtcNow()).Ticks);
}

/// <summary>
/// <c>carebot demo</c>: a simulated school week against the built-in local Bot API server, running the real worker
/// host (poller, dispatcher, jobs) on a temporary database. No token, no network beyond 127.0.0.1.
/// </summary>
public sealed class DemoRunner
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(8);

    private readonly string _lang;
    private readonly TextWriter _out;
    private readonly Lock _printGate = new();
    private readonly Dictionary<long, string> _labels = [];
    private readonly DemoClock _clock = new();
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private bool _printing;
    private LocalBotApiServer _server = null!;
    private CareDb _db = null!;

    private readonly FileInfo? _summary;

    /// <param name="summary">Where to write the summary of the demo's week (.xlsx or .html), or null.</param>
    public DemoRunner(string language, TextWriter stdout, FileInfo? summary = null)
        : this(language, stdout, summary, null)
    {
    }

    /// <param name="keepDatabase">A LiteDB file to run the demo in and keep afterwards (tests build on the demo's week), or null.</param>
    internal DemoRunner(string language, TextWriter stdout, FileInfo? summary, string? keepDatabase)
    {
        _lang = language == Texts.English ? Texts.English : Texts.Chinese;
        _out = stdout;
        _summary = summary;
        _keepDatabase = keepDatabase;
    }

    private readonly string? _keepDatabase;

    private string T(string key, params object?[] args) => Texts.Get(_lang, key, args);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("carebot-demo-");
        try
        {
            await using var server = await LocalBotApiServer.StartAsync(new LocalBotApiOptions { MinimumLogLevel = LogLevel.None }, cancellationToken).ConfigureAwait(false);
            _server = server;
            // An edit (a reminder redrawn, an alert's button gone after a press) is shown as one, not as a new message.
            server.OnBotMessage += (_, m) => Print(m.ChatId, bot: true, (m.EditedAt is null ? "" : T("demo.edited"))
                + m.Kind switch { BotMessageKind.Photo => "📷 ", BotMessageKind.Voice => "🎤 ", _ => "" } + m.Text, m.Buttons);

            const string adminName = "赵校长";
            var overrides = new Dictionary<string, string?>(server.WorkerSettings())
            {
                ["Storage:DatabasePath"] = _keepDatabase ?? Path.Combine(folder.FullName, "demo.db"),
                ["Storage:Password"] = null,
                ["Delivery:GlobalPerSecond"] = "25",
                ["CareBot:TimeZone"] = "Asia/Shanghai",
                ["CareBot:CatchUpDays"] = "0",
                ["CareBot:QuietHours"] = "22:00-07:00",
                ["CareBot:Admins:0:Name"] = adminName,
                ["CareBot:Admins:0:Phone"] = "13600000001",
                ["CareBot:Admins:0:Language"] = _lang,
                ["Serilog:MinimumLevel:Default"] = "Fatal",
            };

            _zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
            var monday = NextMonday();
            _clock.JumpTo(Local(monday, new TimeOnly(7, 59)));

            using var host = CliApp.BuildHost(overrides, b =>
            {
                b.Services.RemoveAll<TimeProvider>();
                b.Services.AddSingleton<TimeProvider>(_clock);
                b.AddCareWorker();
            });
            var services = host.Services;
            var db = services.GetRequiredService<CareDb>();
            _db = db;
            var care = services.GetRequiredService<IOptions<CareOptions>>().Value;

            // The sample school: 8 children; the first two each get a mentor of their own, so a plain reply to
            // their reminder needs no child.
            var rows = RosterSample.Rows(8, perCarer: 2).Select(r => (string[])r.Clone()).ToList();
            rows[1][(int)RosterColumn.MentorName] = "周敏";
            rows[1][(int)RosterColumn.MentorPhone] = "13800000099";
            using (var csv = new MemoryStream())
            {
                var text = new StringBuilder();
                text.Append(string.Join(',', RosterSample.ChineseHeaders)).Append("\r\n");
                foreach (var row in rows)
                {
                    text.Append(string.Join(',', row.Select(Quote))).Append("\r\n");
                }

                csv.Write(Encoding.UTF8.GetBytes(text.ToString()));
                csv.Position = 0;
                var imported = new RosterImporter(db, _clock, care.Care, care.Directory).Import(csv, "demo-school.csv", RosterEncoding.Utf8, _lang, "demo");
                if (!imported.Succeeded)
                {
                    throw new InvalidOperationException("The demo roster did not import: " + imported.Summary());
                }
            }

            var people = db.Write(tx =>
            {
                var all = tx.People.FindAll().Where(p => p.Roles != Roles.None).OrderBy(p => p.Id).ToList();
                foreach (var p in all)
                {
                    p.Language = _lang;
                    tx.People.Update(p);
                }

                return all;
            });

            var invites = services.GetRequiredService<InviteService>().Issue(people, care.InviteValidDays, "demo");
            var simIds = new Dictionary<int, long>();
            var n = 0;
            foreach (var p in people)
            {
                var id = 5_000_001L + n++;
                simIds[p.Id] = id;
                _labels[id] = Label(p);
                server.AddUser(id, p.Name, _lang);
            }

            var carers = people.Where(p => (p.Roles & (Roles.Mentor | Roles.Volunteer)) != 0).ToList();
            var parents = people.Where(p => (p.Roles & Roles.Parent) != 0).ToList();
            WriteLine(T("demo.title"));
            WriteLine(T("demo.school", db.Read(tx => tx.Children.Count()), carers.Count, parents.Count, adminName));

            await host.StartAsync(cancellationToken).ConfigureAwait(false);

            // Everyone opens their invite link: /start CODE.
            foreach (var invite in invites)
            {
                server.UserSends(simIds[invite.Person.Id], "/start " + invite.Code);
            }

            foreach (var invite in invites)
            {
                await NextAsync(simIds[invite.Person.Id], 0).ConfigureAwait(false);
            }

            WriteLine(T("demo.linked", db.Read(tx => tx.People.Count(p => p.Chat != null))));
            _printing = true;

            var runner = services.GetRequiredService<CarePlanRunner>();
            var signal = services.GetRequiredService<OutboxSignal>();
            var pairings = db.Read(tx => tx.Pairings.FindAll().ToList());
            var children = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).ToList());
            long Sim(Person p) => simIds[p.Id];
            Person Mentor(Child c) => db.Read(tx => tx.People.FindById(pairings.First(x => x.ChildId == c.Id && x.Role == PairingRole.Mentor).CarerId));
            var mentorA = Mentor(children[0]);        // one child: replies to the reminder
            var mentorB = Mentor(children[1]);        // one child: replies to the reminder on Tuesday
            var mentorC = Mentor(children[2]);        // two children: presses the button
            var mentorD = Mentor(children[4]);        // two children: /talk
            var mentorE = Mentor(children[6]);        // two children: /check
            var parent = db.Read(tx => tx.People.FindById(children[0].Parents[0].PersonId));
            Person Father(Child c) => db.Read(tx => tx.People.FindById(c.Parents[0].PersonId));

            async Task<Dictionary<long, BotMessage>> MorningAsync(int day)
            {
                Day(monday.AddDays(day - 1), new TimeOnly(8, 0));
                var marks = carers.ToDictionary(Sim, c => LastId(Sim(c)));
                runner.RunReminders();
                signal.Notify();
                var date = monday.AddDays(day - 1);
                var reminders = new Dictionary<long, BotMessage>();
                foreach (var c in carers)
                {
                    var key = CareBot.Core.Planning.ReminderPlanner.ReminderKey(c.Id, date);
                    if (!db.Read(tx => tx.Outbox.Exists(o => o.Key == key)))
                    {
                        continue;   // nothing due for this carer today
                    }

                    if (await NextAsync(Sim(c), marks[Sim(c)], m => m.Buttons.Count > 0).ConfigureAwait(false) is { } m)
                    {
                        reminders[Sim(c)] = m;
                    }
                }

                return reminders;
            }

            // Monday.
            var r = await MorningAsync(1).ConfigureAwait(false);
            await ReplyAsync(Sim(mentorA), T("demo.say.visit"), r.GetValueOrDefault(Sim(mentorA))?.MessageId).ConfigureAwait(false);
            if (r.GetValueOrDefault(Sim(mentorC)) is { } rc && rc.Buttons.FirstOrDefault(b => b.CallbackData?.StartsWith("visited:", StringComparison.Ordinal) == true) is { } button)
            {
                await PressAsync(Sim(mentorC), rc.MessageId, button).ConfigureAwait(false);
            }

            await ReplyAsync(Sim(mentorD), "/talk 1 " + T("demo.say.talk")).ConfigureAwait(false);

            // The head announces the winter holiday parents' meeting for Saturday; three families answer.
            var admin = people.First(p => (p.Roles & Roles.Admin) != 0);
            var saturday = monday.AddDays(5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var invitationMarks = parents.ToDictionary(Sim, p => LastId(Sim(p)));
            await ReplyAsync(Sim(admin), T("demo.say.meeting", saturday)).ConfigureAwait(false);
            var answering = new[] { (parent, "rsvp:1:a"), (Father(children[2]), "rsvp:1:c"), (Father(children[4]), "rsvp:1:n") };
            foreach (var (who, answer) in answering)
            {
                if (await NextAsync(Sim(who), invitationMarks[Sim(who)], m => m.Buttons.Count > 0).ConfigureAwait(false) is { } invitation)
                {
                    await PressAsync(Sim(who), invitation.MessageId, invitation.Buttons.First(b => b.CallbackData == answer)).ConfigureAwait(false);
                }
            }

            // Tuesday. Reminders carry only what is new or due again (every CareBot:Care:RemindEveryDays), so a mentor
            // reminded on Monday may get none today and answers Monday's.
            var mondays = r;
            r = await MorningAsync(2).ConfigureAwait(false);
            await ReplyAsync(Sim(mentorB), T("demo.say.visit2"), (r.GetValueOrDefault(Sim(mentorB)) ?? mondays.GetValueOrDefault(Sim(mentorB)))?.MessageId).ConfigureAwait(false);
            // A check-in of 心理=2 raises a flag: the mentor and the head are told at once.
            await ReplyAsync(Sim(mentorE), "/check 1 学习=4 生活=3 心理=2 安全=5 健康=4 " + T("demo.say.check_low"), wait: [Sim(mentorE), Sim(admin)]).ConfigureAwait(false);
            await ReplyAsync(Sim(mentorC), $"/call {children[2].Name} {T("demo.say.call")}").ConfigureAwait(false); // the father who asked to be called

            // Wednesday: the flagged child's mentor visits (the flag clears); a parent asks; the mentor answers the relayed message.
            r = await MorningAsync(3).ConfigureAwait(false);
            await ReplyAsync(Sim(mentorE), "/visit 1 " + T("demo.say.visit_flag")).ConfigureAwait(false);
            _clock.JumpTo(_clock.GetUtcNow().AddHours(4));
            var mark = LastId(Sim(mentorA));
            await ReplyAsync(Sim(parent), T("demo.say.parent")).ConfigureAwait(false);
            if (await NextAsync(Sim(mentorA), mark).ConfigureAwait(false) is { } relayed)
            {
                await ReplyAsync(Sim(mentorA), T("demo.say.mentor_answer"), relayed.MessageId, wait: [Sim(mentorA), Sim(parent)]).ConfigureAwait(false);
            }

            // A concern: the mentor records it, the head is alerted at once, acknowledges and records the report.
            var beforeAlert = LastId(Sim(admin));
            await ReplyAsync(Sim(mentorA), T("demo.say.concern"), wait: [Sim(mentorA), Sim(admin)]).ConfigureAwait(false);
            if (await NextAsync(Sim(admin), beforeAlert, m => m.Buttons.Count > 0).ConfigureAwait(false) is { } alert)
            {
                await PressAsync(Sim(admin), alert.MessageId, alert.Buttons[0]).ConfigureAwait(false);
            }

            await ReplyAsync(Sim(admin), T("demo.say.reported")).ConfigureAwait(false);

            // Thursday and Friday.
            await MorningAsync(4).ConfigureAwait(false);
            await ReplyAsync(Sim(mentorA), "/talk 1 " + T("demo.say.talk")).ConfigureAwait(false);
            var beforeFriday = LastId(Sim(parent));
            await MorningAsync(5).ConfigureAwait(false);
            await NextAsync(Sim(parent), beforeFriday).ConfigureAwait(false); // the meeting is tomorrow: the father is reminded
            await ReplyAsync(Sim(mentorC), "/visit 2 " + T("demo.say.visit2")).ConfigureAwait(false);

            // Saturday: a home-visit photo, its caption the command; it goes to the parents with the weekly update.
            await MorningAsync(6).ConfigureAwait(false);
            await PhotoAsync(Sim(mentorA), "/visit 1 " + T("demo.say.photo")).ConfigureAwait(false);

            // After the meeting the mentor marks that the family came.
            _clock.JumpTo(Local(monday.AddDays(5), new TimeOnly(11, 30)));
            var beforeList = LastId(Sim(mentorA));
            await ReplyAsync(Sim(mentorA), "/meeting 1").ConfigureAwait(false);
            if (await NextAsync(Sim(mentorA), beforeList, m => m.Buttons.Count > 0).ConfigureAwait(false) is { } list)
            {
                await PressAsync(Sim(mentorA), list.MessageId, list.Buttons[0]).ConfigureAwait(false);
            }

            // Sunday 19:00: the weekly updates to the parents.
            var sunday = monday.AddDays(6);
            Day(sunday, new TimeOnly(19, 0));
            var parentMarks = parents.ToDictionary(Sim, p => LastId(Sim(p)));
            runner.RunWeeklyUpdates(sunday);
            signal.Notify();
            BotMessage? update = null;
            foreach (var p in parents)
            {
                var got = await NextAsync(Sim(p), parentMarks[Sim(p)]).ConfigureAwait(false);
                if (p.Id == parent.Id)
                {
                    update = got;
                }
            }

            // The week's photo follows the parent's update.
            if (update is not null)
            {
                await NextAsync(Sim(parent), update.MessageId, m => m.Kind == BotMessageKind.Photo).ConfigureAwait(false);
            }

            if (update is not null)
            {
                await ReplyAsync(Sim(parent), T("demo.say.thanks"), update.MessageId, wait: [Sim(parent), Sim(mentorA)]).ConfigureAwait(false);
            }

            await Task.Delay(TimeSpan.FromSeconds(1.2), cancellationToken).ConfigureAwait(false);
            _printing = false;

            var records = db.Read(tx => tx.Records.FindAll().ToList());
            var weekly = db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.WeeklyUpdate && o.Status == OutboxStatus.Sent));
            WriteLine("");
            WriteLine(T("demo.summary"));
            WriteLine(T("demo.summary.visits", records.Count(x => x.Kind == CareKind.Visit)));
            WriteLine(T("demo.summary.talks", records.Count(x => x.Kind == CareKind.Talk)));
            WriteLine(T("demo.summary.checks", records.Count(x => x.Kind == CareKind.Check)));
            WriteLine(T("demo.summary.parents", records.Count(x => x.Kind == CareKind.ParentMessage)));
            WriteLine(T("demo.summary.weekly", weekly));
            WriteLine(T("demo.summary.photos", db.Read(tx => tx.Outbox.Count(o => o.Kind == OutboxKind.WeeklyMedia && o.Status == OutboxStatus.Sent))));
            var tally = db.Read(tx => CareBot.Core.Meetings.MeetingView.Tally(tx, tx.Meetings.FindById(1)));
            WriteLine(T("demo.summary.meeting", tally.Invited, tally.Attend, tally.CallMe, tally.NotHome, tally.Came));
            var (concerns, flags) = db.Read(tx => (tx.Concerns.FindAll().ToList(), tx.Flags.FindAll().ToList()));
            WriteLine(T("demo.summary.safeguarding", concerns.Count, concerns.Count(c => c.AcknowledgedUtc is not null), concerns.Count(c => c.ReportedUtc is not null), flags.Count, flags.Count(f => !f.IsOpen)));

            if (_summary is not null)
            {
                // The week's work summary (工作总结), as carebot summary writes it.
                SheetCommands.Summary(monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), sunday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), _summary, _lang, _out, () => new CareScope(services, null));
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            WriteLine(T("demo.summary.time", started.Elapsed.TotalSeconds));
            return ExitCodes.Ok;
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private DateOnly NextMonday()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), _zone).DateTime);
        var days = ((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7;
        return today.AddDays(days == 0 ? 7 : days);
    }

    private DateTimeOffset Local(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }

    private void Day(DateOnly date, TimeOnly time)
    {
        _clock.JumpTo(Local(date, time));
        WriteLine("");
        WriteLine(T("demo.day", DayName(date), date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    private string DayName(DateOnly date) => T("demo.day." + (date.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek).ToString(CultureInfo.InvariantCulture));

    private string Label(Person p)
    {
        var role = (p.Roles & Roles.Admin) != 0 ? (_lang == Texts.English ? "admin" : "管理员")
            : (p.Roles & Roles.Mentor) != 0 ? (_lang == Texts.English ? "mentor" : "结对教师")
            : (p.Roles & Roles.Volunteer) != 0 ? (_lang == Texts.English ? "volunteer" : "代理家长")
            : (_lang == Texts.English ? "parent" : "家长");
        return $"{p.Name}({role})";
    }

    private int LastId(long chat) => _server.MessagesTo(chat).Select(m => m.MessageId).DefaultIfEmpty(0).Max();

    private async Task<BotMessage?> NextAsync(long chat, int afterId, Func<BotMessage, bool>? also = null)
    {
        try
        {
            return await _server.WaitForMessageAsync(chat, m => m.MessageId > afterId && (also?.Invoke(m) ?? true), Wait).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            if (_printing)
            {
                WriteLine(T("demo.timeout", _labels.GetValueOrDefault(chat, chat.ToString(CultureInfo.InvariantCulture)), Wait.TotalSeconds));
            }

            return null;
        }
    }

    /// <summary>A simulated user sends <paramref name="text"/> (a reply when <paramref name="replyTo"/> is set) and the demo waits for the bot's answer.</summary>
    private async Task ReplyAsync(long user, string text, int? replyTo = null, long[]? wait = null)
    {
        _clock.JumpTo(_clock.GetUtcNow().AddMinutes(5));
        var chats = wait ?? [user];
        var marks = chats.ToDictionary(c => c, LastId);
        if (replyTo is { } id)
        {
            await RecordedAsync(user, id).ConfigureAwait(false);
        }

        Print(user, bot: false, replyTo is null ? text : "↩ " + text, []);
        _server.UserSends(user, text, replyTo);
        foreach (var chat in chats)
        {
            await NextAsync(chat, marks[chat]).ConfigureAwait(false);
        }
    }

    /// <summary>A simulated mentor sends a photo with <paramref name="caption"/>; the demo waits for the bot's answer.</summary>
    private async Task PhotoAsync(long user, string caption)
    {
        _clock.JumpTo(_clock.GetUtcNow().AddMinutes(5));
        var mark = LastId(user);
        Print(user, bot: false, "📷 " + caption, []);
        _server.UserSendsPhoto(user, caption);
        await NextAsync(user, mark).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the dispatcher has stored the channel's message id of a bot message, as a person takes a moment
    /// to read before replying; a reply to a message the bot has not yet recorded could not be matched to it.
    /// </summary>
    private async Task RecordedAsync(long chat, int messageId)
    {
        var address = Telegram.TelegramChat.Address(chat);
        for (var i = 0; i < 40 && !_db.Read(tx => tx.Outbox.Exists(o => o.Chat == address && o.ChannelMessageId == messageId)); i++)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private async Task PressAsync(long user, int messageId, BotButton button)
    {
        _clock.JumpTo(_clock.GetUtcNow().AddMinutes(5));
        var mark = LastId(user);
        await RecordedAsync(user, messageId).ConfigureAwait(false);
        Print(user, bot: false, $"[{button.Text}]", []);
        _server.UserPressesButton(user, messageId, button.CallbackData!);
        await NextAsync(user, mark).ConfigureAwait(false);
    }

    private void Print(long chat, bool bot, string text, IReadOnlyList<BotButton> buttons)
    {
        if (!_printing)
        {
            return;
        }

        var local = TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone);
        var when = $"[{DayName(DateOnly.FromDateTime(local.DateTime))} {local:HH:mm}]";
        var who = _labels.GetValueOrDefault(chat, chat.ToString(CultureInfo.InvariantCulture));
        var head = bot ? $"{when} 🤖 → {who}: " : $"{when} {who} → 🤖: ";
        var body = text.Replace("\n", "\n" + new string(' ', 8), StringComparison.Ordinal);
        if (buttons.Count > 0)
        {
            body += "\n" + new string(' ', 8) + string.Join("  ", buttons.Select(b => $"[{b.Text}]"));
        }

        WriteLine(head + body);
    }

    private void WriteLine(string line)
    {
        lock (_printGate)
        {
            _out.WriteLine(line);
            _out.Flush();
        }
    }
}

using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;
using CareBot.Worker.Jobs;
using CareBot.Worker.Tests.EndToEnd;
using CareBot.Worker.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CareBot.Worker.Tests.Delivery;

/// <summary>
/// The other paths that log, at every level, with names, phones and notes in play: the scheduled job bodies (and the
/// planners they run), and admin verbs handed to a running worker through request files. Each path logs (so the check
/// can fail), and no name, phone or note appears in any message or property.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class JobsAndRequestsLogPrivacyTests
{
    private const string ChildNote = "夜里常哭醒的秘密";
    private const string ConcernNote = "疑似被继父打伤的秘密";

    [Fact]
    public async Task Reminder_weekly_safeguarding_and_catch_up_jobs_log_ids_only()
    {
        using var capture = new LogCapture();
        // Sunday 19:00: the weekly update is due, a mentor has not visited, a concern waits unacknowledged since noon.
        await using var w = new JobsWorld(JobsWorld.Local(2026, 11, 29, 19), logging: b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var recorded = JobsWorld.Local(2026, 11, 29, 12).UtcDateTime;
        w.Db.Write(tx =>
        {
            tx.People.Insert(new Person { Id = 1, Name = "欧阳慧老师", Phone = "13811112222", Roles = Roles.Mentor, Chat = TelegramChats.At(101), Status = Reachability.Reachable });
            tx.People.Insert(new Person { Id = 2, Name = "司马大勇", Phone = "13933334444", Roles = Roles.Parent, Chat = TelegramChats.At(102), Status = Reachability.Reachable });
            tx.People.Insert(new Person { Id = 3, Name = "诸葛校长", Phone = "13655556666", Roles = Roles.Admin, Chat = TelegramChats.At(103), Status = Reachability.Reachable });
            tx.Children.Insert(new Child { Id = "S1", Name = "司马小雨", Notes = ChildNote, Parents = [new ParentLink { PersonId = 2, Relation = ParentRelation.Father }] });
            tx.Pairings.Insert(new Pairing { CarerId = 1, ChildId = "S1", Role = PairingRole.Mentor, CreatedUtc = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc) });
            tx.Concerns.Insert(new Concern { ChildId = "S1", Type = ConcernType.Abuse, Note = ConcernNote, RecordedBy = 1, RecordedUtc = recorded, LocalDate = new DateOnly(2026, 11, 29) });
        });
        using var scope = w.Provider.CreateScope();
        var jobs = scope.ServiceProvider;

        jobs.GetRequiredService<VisitReminderJob>().Run();
        jobs.GetRequiredService<WeeklyUpdateJob>().Run(w.Time.GetUtcNow());
        jobs.GetRequiredService<SafeguardingJob>().Run();
        jobs.GetRequiredService<CatchUpJob>().Run();

        // The private data was in play: the jobs planned messages about this child and alerted the concern again.
        Assert.NotEmpty(w.Rows(OutboxKind.Reminder));
        Assert.NotEmpty(w.Rows(OutboxKind.WeeklyUpdate));
        Assert.True(w.Db.Read(tx => tx.Concerns.FindAll().Single().AlertRound) > 0, "the concern was not alerted again");
        foreach (var job in new[] { nameof(VisitReminderJob), nameof(WeeklyUpdateJob), nameof(SafeguardingJob), nameof(CatchUpJob) })
        {
            Assert.True(capture.CountFrom(job) > 0, job + " logged nothing");
        }

        capture.AssertHoldsNone([ChildNote, ConcernNote, "欧阳慧", "司马大勇", "诸葛校长", "司马小雨", "13811112222", "13933334444", "13655556666"]);
    }

    [Fact]
    public async Task Import_aid_and_forget_handed_to_the_running_worker_log_ids_only()
    {
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        await using var kit = await E2eKit.StartAsync(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(8)));
        kit.Seed(2);
        // Every logger of the worker (Serilog's factory replaced) writes to the capture, at every level.
        await kit.StartWorkerAsync(configure: b =>
        {
            b.Services.RemoveAll<ILoggerFactory>();
            b.Services.AddSingleton(factory);
        });

        const int children = 6; // enough rows for notes and mothers
        var roster = Path.Combine(kit.Folder, "roster.csv");
        await File.WriteAllBytesAsync(roster, RosterSample.Create(children, perCarer: 1));
        var import = await Ask(kit, "import", ["import", roster]);
        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);

        var child = "";
        kit.WithDb(db => child = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id).Last().No));
        var aid = await Ask(kit, "aid", ["aid", "add", "--child", child, "--kind", "学习用品", "--amount", "200", "--date", "2026-11-20", "--source", "欧阳基金会"]);
        Assert.True(aid.ExitCode == ExitCodes.Ok, aid.Stderr);
        var forget = await Ask(kit, "forget", ["forget", "--child", child]);
        Assert.True(forget.ExitCode == ExitCodes.Ok, forget.Stderr);
        await kit.StopWorkerAsync();

        // Each request logged its start and its end, so a name it logged would be caught.
        Assert.True(capture.CountFrom(nameof(AdminRequestService)) >= 6, string.Join("\n", capture.Lines));
        capture.AssertHoldsNone(Privates(RosterSample.Rows(children, perCarer: 1)).Append("欧阳基金会"));
    }

    /// <summary>Leaves a request file beside the worker's database (a fixed id: no random digits in the log) and waits for its answer.</summary>
    private static async Task<AdminResult> Ask(E2eKit kit, string id, string[] args)
    {
        WorkerRequest.Write(kit.DatabasePath, id, args, "en");
        var result = AdminRequestService.ResultPath(kit.DatabasePath, id);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(result)), TimeSpan.FromSeconds(30), "the worker's answer to " + id);
        var answer = WorkerRequest.Read(result, PrivateFiles.OwnerOf(kit.DatabasePath), "en");
        File.Delete(result);
        return answer;
    }

    /// <summary>Every name, phone (as spelled and as digits) and note of the roster rows.</summary>
    private static IEnumerable<string> Privates(IReadOnlyList<string[]> rows)
    {
        RosterColumn[] columns =
        [
            RosterColumn.ChildName, RosterColumn.GuardianName, RosterColumn.GuardianPhone, RosterColumn.FatherName, RosterColumn.FatherPhone,
            RosterColumn.MotherName, RosterColumn.MotherPhone, RosterColumn.MentorName, RosterColumn.MentorPhone,
            RosterColumn.VolunteerName, RosterColumn.VolunteerPhone, RosterColumn.Notes,
        ];
        foreach (var row in rows)
        {
            foreach (var column in columns)
            {
                var value = row[(int)column].Trim();
                yield return value;
                yield return new string(value.Where(char.IsAsciiDigit).ToArray());
            }
        }
    }
}

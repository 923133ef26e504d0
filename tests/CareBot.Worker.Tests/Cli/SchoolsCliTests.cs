using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Cli;
using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Cli;

/// <summary>The admin verbs in a county of two schools: --school, and a 学号 two schools share.</summary>
public sealed class SchoolsCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-schools-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private Dictionary<string, string?> Settings() => new()
    {
        ["Storage:DatabasePath"] = DbPath,
        ["Telegram:BotToken"] = null,
        ["CareBot:Schools:0:Id"] = "dq",
        ["CareBot:Schools:0:Name"] = "大桥小学",
        ["CareBot:Schools:1:Id"] = "hs",
        ["CareBot:Schools:1:Name"] = "河山小学",
    };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => CliRun.RunAsync(Settings(), args);

    private void Seed()
    {
        using var db = new LiteCareDb(DbPath, null, "dq");
        db.Write(tx =>
        {
            foreach (var (school, mentorName, phone) in new[] { ("dq", "李丽", "13800000001"), ("hs", "赵芳", "13800000002") })
            {
                var mentor = new Person { Name = mentorName, Phone = phone, Roles = Roles.Mentor, SchoolId = school };
                tx.People.Insert(mentor);
                var key = $"{school}/S001";
                tx.Children.Insert(new Child { Id = key, SchoolId = school, StudentNo = "S001", Name = school + "的孩子" });
                tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = key, Role = PairingRole.Mentor });
            }

            return true;
        });
    }

    [Fact]
    public async Task A_student_number_two_schools_share_needs_the_school_and_then_only_that_child_goes()
    {
        Seed();

        var (code, _, err) = await Run("forget", "--child", "S001", "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--school", err, StringComparison.Ordinal);
        Assert.Contains("河山小学", err, StringComparison.Ordinal);

        (code, _, err) = await Run("forget", "--child", "S001", "--school", "河山小学");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", err);
        using var db = new LiteCareDb(DbPath);
        Assert.Equal(["dq/S001"], db.Read(tx => tx.Children.FindAll().Select(c => c.Id).ToList()));
    }

    [Fact]
    public async Task Report_for_one_school_shows_only_its_mentors_and_an_unknown_school_is_exit_2()
    {
        Seed();

        var (code, output, _) = await Run("report", "--csv", "--school", "dq");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("李丽", output, StringComparison.Ordinal);
        Assert.DoesNotContain("赵芳", output, StringComparison.Ordinal);

        (code, output, _) = await Run("report", "--csv");
        Assert.Contains("赵芳", output, StringComparison.Ordinal);

        var (bad, _, err) = await Run("report", "--school", "nowhere", "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, bad);
        Assert.Contains("--school: there is no school 'nowhere'", err, StringComparison.Ordinal);
    }
}

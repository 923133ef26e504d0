using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using CareBot.Core.Tests.Planning;
using Microsoft.Extensions.Time.Testing;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Schools;

public sealed class SchoolsTests : IDisposable
{
    private const string SchoolHeader = ZhHeader + ",学校";
    private static readonly SchoolEntry[] TwoSchools = [new() { Id = "dq", Name = "大桥小学" }, new() { Id = "hs", Name = "河山小学" }];
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-schools-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RosterImporter SchoolImporter(CareDb db, IEnumerable<SchoolEntry> schools) =>
        new(db, new FakeTimeProvider(Start), new CadenceOptions(), new SchoolDirectory(schools));

    [Fact]
    public void Two_schools_with_the_same_student_number_keep_two_children()
    {
        using var db = LiteCareDb.InMemory();
        var csv = Csv(
            SchoolHeader,
            Row("S001", "王小明", fatherPhone: "13900000001", mentor: "李丽", mentorPhone: "13800000001") + ",dq",
            Row("S001", "张小红", father: "张父", fatherPhone: "13900000002", mentor: "赵芳", mentorPhone: "13800000002") + ",河山小学");

        var result = SchoolImporter(db, TwoSchools).Import(csv);

        Assert.True(result.Succeeded, string.Join("\n", result.FormatProblems()));
        var children = db.Read(tx => tx.Children.FindAll().OrderBy(c => c.Id, StringComparer.Ordinal).ToList());
        Assert.Equal(["dq/S001", "hs/S001"], children.Select(c => c.Id));
        Assert.Equal(["王小明", "张小红"], children.Select(c => c.Name));
        Assert.All(children, c => Assert.Equal("S001", c.StudentNo));
        Assert.Equal("hs", db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000002")).SchoolId);

        // The same file again changes nothing.
        var again = SchoolImporter(db, TwoSchools).Import(csv);
        Assert.Equal(0, again.ChildrenCreated);
        Assert.Equal("王小明", db.Read(tx => tx.Children.FindById("dq/S001")).Name);
    }

    [Fact]
    public void Rows_must_name_a_known_school_when_several_are_configured_and_nothing_is_written()
    {
        using var db = LiteCareDb.InMemory();
        var csv = Csv(
            SchoolHeader,
            Row("S001", "王小明") + ",",
            Row("S002", "李小花", father: "李父", fatherPhone: "13900000002") + ",山顶小学",
            Row("S003", "赵小龙", father: "赵父", fatherPhone: "13900000003") + ",dq",
            Row("S004", "钱小虎", father: "钱父", fatherPhone: "13900000004") + ",hs");

        var result = SchoolImporter(db, TwoSchools).Import(csv, language: "zh");

        Assert.False(result.Succeeded);
        var problems = string.Join("\n", result.FormatProblems());
        Assert.Contains("roster.csv:2: 学校: 配置了多所学校", problems, StringComparison.Ordinal);
        Assert.Contains("roster.csv:3: 学校: 没有“山顶小学”这所学校", problems, StringComparison.Ordinal);
        Assert.Contains("roster.csv:5: 结对教师: 结对教师李丽已在第4行属于大桥小学", problems, StringComparison.Ordinal);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void A_roster_without_a_school_column_belongs_to_the_one_configured_school()
    {
        using var db = LiteCareDb.InMemory();
        var result = SchoolImporter(db, [TwoSchools[0]]).Import(Csv(ZhHeader, Row("S001", "王小明")));

        Assert.True(result.Succeeded, string.Join("\n", result.FormatProblems()));
        Assert.Equal("dq", db.Read(tx => tx.Children.FindById("dq/S001")).SchoolId);
    }

    [Fact]
    public void A_database_of_the_previous_release_is_upgraded_in_place_to_the_configured_school()
    {
        var path = Path.Combine(_dir, "old.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "schema-v1.db"), path);
        int records;
        List<string> oldIds;
        using (var raw = new LiteDB.LiteDatabase($"Filename={path};Connection=direct"))
        {
            Assert.Equal(1, raw.UserVersion);
            oldIds = raw.GetCollection("children").FindAll().Select(d => d["_id"].AsString).Order(StringComparer.Ordinal).ToList();
            records = raw.GetCollection("records").Count();
        }

        Assert.NotEmpty(oldIds);
        Assert.True(records > 0);
        using (var db = new LiteCareDb(path, null, "dq"))
        {
            db.Read(tx =>
            {
                Assert.Equal(CareDb.SchemaVersion, tx.Raw().UserVersion);
                var children = tx.Children.FindAll().OrderBy(c => c.StudentNo, StringComparer.Ordinal).ToList();
                Assert.Equal(oldIds, children.Select(c => c.StudentNo));
                Assert.All(children, c => Assert.Equal($"dq/{c.StudentNo}", c.Id));
                Assert.All(children, c => Assert.Equal("dq", c.SchoolId));
                Assert.All(tx.Pairings.FindAll(), p => Assert.StartsWith("dq/", p.ChildId, StringComparison.Ordinal));
                Assert.Equal(records, tx.Records.FindAll().Count(r => r.ChildId.StartsWith("dq/", StringComparison.Ordinal)));
                Assert.All(tx.People.FindAll().Where(p => p.Has(Roles.Mentor)), p => Assert.Equal("dq", p.SchoolId));
                return true;
            });
        }

        // Opening again changes nothing more.
        using var reopened = new LiteCareDb(path, null, "other");
        Assert.Equal(0, reopened.Read(tx => tx.Children.Count(c => c.SchoolId == "other")));
        Assert.Equal(oldIds.Count, reopened.Read(tx => tx.Children.Count(c => c.SchoolId == "dq")));
    }

    [Fact]
    public void A_school_admin_sees_and_reaches_only_their_school_and_a_county_admin_sees_all_by_school()
    {
        using var kit = new ChatTestKit();
        kit.Options.Schools.AddRange(TwoSchools);
        var schoolAdmin = kit.AddPerson("大桥校长", "13600000001", Roles.Admin, 901);
        var countyAdmin = kit.AddPerson("教育局", "13600000002", Roles.Admin, 902);
        kit.Options.Admins.Add(new AdminEntry { Name = schoolAdmin.Name, Phone = schoolAdmin.Phone, Schools = ["dq"] });
        kit.Options.Admins.Add(new AdminEntry { Name = countyAdmin.Name, Phone = countyAdmin.Phone });
        var m1 = kit.AddPerson("李丽", "13800000001", Roles.Mentor, 101);
        var m2 = kit.AddPerson("赵芳", "13800000002", Roles.Mentor, 102);
        var p1 = kit.AddPerson("王父", "13900000001", Roles.Parent, 201);
        var p2 = kit.AddPerson("张父", "13900000002", Roles.Parent, 202);
        kit.AddSchoolChild("dq", "S001", "王小明", m1, p1);
        kit.AddSchoolChild("hs", "S001", "张小红", m2, p2);

        var own = string.Join("\n", kit.Send(kit.Text(901, "/stats")));
        Assert.Contains("孩子：1 人", own, StringComparison.Ordinal);
        Assert.DoesNotContain("河山小学", own, StringComparison.Ordinal);

        var county = string.Join("\n", kit.Send(kit.Text(902, "/stats")));
        Assert.Contains("孩子：2 人", county, StringComparison.Ordinal);
        Assert.Contains("大桥小学：学生 1 人", county, StringComparison.Ordinal);
        Assert.Contains("河山小学：学生 1 人", county, StringComparison.Ordinal);

        kit.Send(kit.Text(901, "/notice 明天放假"));
        Assert.Equal([201L], Notices(kit));

        kit.Send(kit.Text(902, "/notice 全县通知"));
        Assert.Equal([201L, 201L, 202L], Notices(kit));
    }

    [Fact]
    public void Admins_hear_only_of_messages_held_for_teachers_of_their_own_schools()
    {
        using var kit = new ChatTestKit();
        kit.Options.Schools.AddRange(TwoSchools);
        var dqAdmin = kit.AddPerson("大桥校长", "13600000001", Roles.Admin, 901);
        var hsAdmin = kit.AddPerson("河山校长", "13600000002", Roles.Admin, 902);
        kit.Options.Admins.Add(new AdminEntry { Name = dqAdmin.Name, Phone = dqAdmin.Phone, Schools = ["dq"] });
        kit.Options.Admins.Add(new AdminEntry { Name = hsAdmin.Name, Phone = hsAdmin.Phone, Schools = ["hs"] });
        var mentor = kit.AddPerson("李丽", "13800000001", Roles.Mentor, chatId: null);
        var parent = kit.AddPerson("王父", "13900000001", Roles.Parent, 201);
        kit.AddSchoolChild("dq", "S001", "王小明", mentor, parent);
        kit.Send(kit.Text(201, "老师好"));

        kit.Time.Advance(TimeSpan.FromDays(2.5));
        new CareBot.Core.Planning.ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, kit.Options).Plan();

        var told = kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Waiting).Select(o => o.PersonId).ToList());
        Assert.Equal([dqAdmin.Id], told);
    }

    private static List<long> Notices(ChatTestKit kit) =>
        kit.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Notice).Select(o => o.TelegramId).Order().ToList());

    [Fact]
    public void Escalations_go_only_to_the_admins_of_the_childs_school()
    {
        using var world = new PlanningWorld(PlanningWorld.Local(2026, 11, 23));
        world.Options.Schools.AddRange(TwoSchools);
        var dqAdmin = world.Person("大桥校长", Roles.Admin);
        var hsAdmin = world.Person("河山校长", Roles.Admin);
        var county = world.Person("教育局", Roles.Admin);
        world.Options.Admins.Add(new AdminEntry { Name = dqAdmin.Name, Phone = dqAdmin.Phone, Schools = ["dq"] });
        world.Options.Admins.Add(new AdminEntry { Name = hsAdmin.Name, Phone = hsAdmin.Phone, Schools = ["hs"] });
        world.Options.Admins.Add(new AdminEntry { Name = county.Name, Phone = county.Phone });
        var mentor = world.Person("李丽", Roles.Mentor);
        var parent = world.Person("王父", Roles.Parent);
        var child = world.Child("dq/S001", "王小明", parent);
        world.Db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = mentor.Id, ChildId = child.Id, Role = PairingRole.Mentor, CreatedUtc = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc) }));

        world.Reminders().Plan();

        var escalated = world.Db.Read(tx => tx.Outbox.Find(o => o.Kind == OutboxKind.Escalation).Select(o => o.PersonId).ToList());
        Assert.Contains(dqAdmin.Id, escalated);
        Assert.Contains(county.Id, escalated);
        Assert.DoesNotContain(hsAdmin.Id, escalated);
    }
}

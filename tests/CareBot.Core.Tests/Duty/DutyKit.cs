using System.Text;
using CareBot.Core.Duty;
using CareBot.Core.Model;
using CareBot.Core.Roster;

namespace CareBot.Core.Tests.Duty;

/// <summary>
/// A school for the duty rota, on <see cref="ChatTestKit"/> (Monday 2026-11-23 09:00 in Asia/Shanghai): mentors
/// 王老师 and 赵老师, volunteer 李阿姨, each paired with a child of school "a"; a parent; the admin 刘校长; and 马老师,
/// a mentor of school "b". One school ("default") unless <paramref name="twoSchools"/>.
/// </summary>
internal sealed class DutyKit : IDisposable
{
    public const long WangChat = 501, LiChat = 502, ZhaoChat = 503, MaChat = 504, ParentChat = 601, AdminChat = 701, OtherAdminChat = 702;

    static DutyKit() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public DutyKit(string lang = "zh", bool twoSchools = false)
    {
        var a = twoSchools ? "a" : "default";
        School = a;
        if (twoSchools)
        {
            Chat.Options.Schools = [new SchoolEntry { Id = "a", Name = "A小学" }, new SchoolEntry { Id = "b", Name = "B小学" }];
            Chat.Options.Admins = [new AdminEntry { Name = "刘校长", Phone = "13600000001", Schools = ["a"] }, new AdminEntry { Name = "马校长", Phone = "13600000002", Schools = ["b"] }];
        }

        Wang = Chat.AddPerson("王老师", "13800000001", Roles.Mentor, WangChat, lang);
        Li = Chat.AddPerson("李阿姨", "13800000002", Roles.Volunteer, LiChat, lang);
        Zhao = Chat.AddPerson("赵老师", "13800000003", Roles.Mentor, ZhaoChat, lang);
        Ma = Chat.AddPerson("马老师", "13800000004", Roles.Mentor, MaChat, lang);
        Parent = Chat.AddPerson("张爸爸", "13700000001", Roles.Parent, ParentChat, lang);
        Admin = Chat.AddPerson("刘校长", "13600000001", Roles.Admin, AdminChat, lang);
        if (twoSchools)
        {
            Chat.AddPerson("马校长", "13600000002", Roles.Admin, OtherAdminChat, lang);
        }

        Chat.AddSchoolChild(a, "101", "小红", Wang, Parent);
        Chat.AddSchoolChild(a, "102", "小明", Li, Parent);
        Chat.AddSchoolChild(a, "103", "小刚", Zhao);
        Chat.AddSchoolChild(twoSchools ? "b" : a, "201", "小军", Ma);
    }

    public ChatTestKit Chat { get; } = new();
    public string School { get; }
    public Person Wang { get; }
    public Person Li { get; }
    public Person Zhao { get; }
    public Person Ma { get; }
    public Person Parent { get; }
    public Person Admin { get; }

    public static DateOnly Monday => new(2026, 11, 23);

    /// <summary>Sets the rota of <paramref name="school"/> (default: the kit's) directly, as an import would.</summary>
    public void Rota(params (DayOfWeek Day, DutySlot Slot, Person Teacher)[] turns) => RotaOf(School, turns);

    public void RotaOf(string school, params (DayOfWeek Day, DutySlot Slot, Person Teacher)[] turns) =>
        Chat.Db.Write(tx =>
        {
            tx.DutyTurns.DeleteMany(t => t.SchoolId == school);
            tx.DutyTurns.Insert(turns.Select(t => new DutyTurn { SchoolId = school, Weekday = t.Day, Slot = t.Slot, TeacherId = t.Teacher.Id }).ToList());
        });

    public DutyImporter Importer() => new(Chat.Db, Chat.Time, Chat.Options.Directory);

    public DutyImportResult Import(string csv, string language = "en", string? school = null) => Import(Encoding.UTF8.GetBytes(csv), language, school);

    public DutyImportResult Import(byte[] bytes, string language = "en", string? school = null, RosterEncoding encoding = RosterEncoding.Auto) =>
        Importer().Import(new MemoryStream(bytes), "duty.csv", encoding, school ?? School, language, "test");

    /// <summary>Who is on duty, after swaps, at each turn of <paramref name="date"/>.</summary>
    public List<(DutySlot Slot, int Teacher, bool Swapped)> On(DateOnly date, string? school = null) =>
        Chat.Db.Read(tx => DutyRota.Load(tx, school ?? School).On(date).Select(s => (s.Slot, s.TeacherId, s.Swapped)).ToList());

    public void Dispose() => Chat.Dispose();
}

using System.Text;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace CareBot.Core.Tests.Roster;

/// <summary>Small builders for roster files and importers.</summary>
internal static class RosterTestKit
{
    public const string ZhHeader = "学号,姓名,性别,班级,监护人,监护人关系,监护人电话,父亲姓名,父亲电话,父亲务工地,母亲姓名,母亲电话,母亲务工地,结对教师,教师电话,代理家长,代理家长电话,备注";

    public static readonly DateTimeOffset Start = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    static RosterTestKit() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Gb18030 => Encoding.GetEncoding("GB18030");

    public static RosterImporter Importer(CareDb db, FakeTimeProvider? time = null, int max = 3) =>
        new(db, time ?? new FakeTimeProvider(Start), new CadenceOptions { MaxChildrenPerMentor = max });

    public static byte[] Utf8(string text, bool bom = false) =>
        bom ? [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text);

    public static string Csv(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    /// <summary>One data row for <see cref="ZhHeader"/>.</summary>
    public static string Row(
        string id,
        string name,
        string father = "王建国",
        string fatherPhone = "13900000001",
        string mentor = "李丽",
        string mentorPhone = "13800000001",
        string mother = "",
        string motherPhone = "",
        string volunteer = "",
        string volunteerPhone = "",
        string gender = "男",
        string cls = "三年级1班",
        string guardianPhone = "",
        string notes = "") =>
        string.Join(',', id, name, gender, cls, "王奶奶", "祖母", guardianPhone, father, fatherPhone, "广东深圳",
            mother, motherPhone, mother.Length > 0 ? "浙江杭州" : "", mentor, mentorPhone, volunteer, volunteerPhone, notes);

    public static ImportResult Import(this RosterImporter importer, string csv, string language = "en", RosterEncoding encoding = RosterEncoding.Auto) =>
        importer.Import(new MemoryStream(Utf8(csv)), "roster.csv", encoding, language, "test");

    public static ImportResult Import(this RosterImporter importer, byte[] bytes, string language = "en", RosterEncoding encoding = RosterEncoding.Auto) =>
        importer.Import(new MemoryStream(bytes), "roster.csv", encoding, language, "test");

    /// <summary>Documents per collection, to show that a failed import wrote nothing.</summary>
    public static (int People, int Children, int Pairings, int Audit) Counts(CareDb db) =>
        (db.Read(tx => tx.People.Count()), db.Read(tx => tx.Children.Count()), db.Read(tx => tx.Pairings.Count()), db.Read(tx => tx.Audit.Count()));
}

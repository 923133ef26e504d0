using System.Globalization;
using System.Text;
using CsvHelper;

namespace CareBot.Core.Roster;

/// <summary>
/// A realistic roster file with made-up people: Chinese headers and names, parents working in coastal cities,
/// grandparents as guardians, siblings sharing parents, each mentor with up to <c>perCarer</c> children and a
/// volunteer proxy parent for every fourth child. The same arguments always give the same file.
/// </summary>
public static class RosterSample
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高", "林"];
    private static readonly string[] ChildNames = ["小明", "雨涵", "子轩", "欣怡", "浩然", "梓涵", "宇航", "思雨", "俊杰", "佳怡", "明轩", "诗琪", "家豪", "若曦", "天佑", "梦瑶"];
    private static readonly string[] FatherNames = ["建国", "志强", "海峰", "卫东", "国平", "永刚", "红军", "建华", "德明", "金龙"];
    private static readonly string[] MotherNames = ["秀英", "丽华", "桂芳", "春梅", "玉兰", "小燕", "海霞", "翠花", "美玲", "红梅"];
    private static readonly string[] TeacherNames = ["丽", "芳", "敏", "静", "伟", "军", "燕", "磊", "霞", "勇"];
    private static readonly string[] Cities = ["广东深圳", "广东东莞", "浙江杭州", "上海", "浙江温州", "江苏苏州", "福建厦门", "广东广州"];
    private static readonly string[] Grades = ["一", "二", "三", "四", "五", "六"];
    private static readonly (string Relation, bool SameSurname)[] Guardians = [("祖母", true), ("祖父", true), ("外婆", false), ("外公", false)];
    private static readonly string[] Notes = ["", "性格内向，喜欢画画", "", "数学好, 爱读书", "", "有哮喘，需随身带药", "", "父母离异，逢年过节才见到父亲"];
    private static readonly string[] Levels = ["一般", "较好", "", "差", "一般", "较好"];

    /// <summary>The Chinese headers, in the usual order of the sheet.</summary>
    public static IReadOnlyList<string> ChineseHeaders { get; } = SampleColumns.Select(RosterHeaders.Chinese).ToArray();

    /// <summary>The sample is one school's sheet: every column but 学校.</summary>
    private static RosterColumn[] SampleColumns => RosterHeaders.Columns.Where(c => c != RosterColumn.School).ToArray();

    /// <summary>The rows of a sample roster, values as they would stand in the file (phones in several spellings).</summary>
    public static IReadOnlyList<string[]> Rows(int children, int perCarer = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(children);
        ArgumentOutOfRangeException.ThrowIfLessThan(perCarer, 1);
        var rows = new List<string[]>(children);
        var withVolunteer = 0;
        string[]? previous = null;
        for (var i = 0; i < children; i++)
        {
            var sibling = i % 5 == 4 && previous is not null;
            var family = sibling ? i - 1 : i;
            var surname = Surnames[family % Surnames.Length];
            var motherSurname = Surnames[(family * 7 + 3) % Surnames.Length];
            var (relation, same) = Guardians[family % Guardians.Length];
            var guardianName = (same ? surname : motherSurname) + (relation is "祖母" or "外婆" ? "奶奶" : "爷爷");
            var mentor = i / perCarer;
            var volunteer = i % 4 == 1 ? withVolunteer++ / perCarer : -1;
            var hasMother = family % 6 != 2;

            var row = new string[SampleColumns.Length];
            row[(int)RosterColumn.ChildId] = (20240001 + i).ToString(CultureInfo.InvariantCulture);
            row[(int)RosterColumn.ChildName] = surname + ChildNames[(i / Surnames.Length + i) % ChildNames.Length];
            row[(int)RosterColumn.Gender] = i % 2 == 0 ? "男" : "女";
            row[(int)RosterColumn.Class] = $"{Grades[i / 7 % Grades.Length]}年级{i % 3 + 1}班";
            row[(int)RosterColumn.GuardianName] = guardianName;
            row[(int)RosterColumn.GuardianRelation] = relation;
            row[(int)RosterColumn.GuardianPhone] = family % 3 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"0851-8{family % 10_000_000:D7}")
                : Spell(15_000_000_000 + family, family);
            row[(int)RosterColumn.FatherName] = surname + FatherNames[family % FatherNames.Length];
            row[(int)RosterColumn.FatherPhone] = Spell(13_900_000_000 + (2L * family), family);
            row[(int)RosterColumn.FatherWorkCity] = Cities[family % Cities.Length];
            row[(int)RosterColumn.MotherName] = hasMother ? motherSurname + MotherNames[family % MotherNames.Length] : "";
            row[(int)RosterColumn.MotherPhone] = hasMother ? Spell(13_900_000_001 + (2L * family), family + 1) : "";
            row[(int)RosterColumn.MotherWorkCity] = hasMother ? Cities[(family + 3) % Cities.Length] : "";
            row[(int)RosterColumn.MentorName] = Surnames[(mentor * 3 + 1) % Surnames.Length] + TeacherNames[mentor % TeacherNames.Length];
            row[(int)RosterColumn.MentorPhone] = Spell(13_800_000_000 + mentor, mentor);
            row[(int)RosterColumn.VolunteerName] = volunteer >= 0 ? Surnames[(volunteer * 11 + 5) % Surnames.Length] + "阿姨" : "";
            row[(int)RosterColumn.VolunteerPhone] = volunteer >= 0 ? Spell(13_700_000_000 + volunteer, volunteer) : "";
            row[(int)RosterColumn.Notes] = Notes[i % Notes.Length];
            row[(int)RosterColumn.Guardianship] = Levels[i % Levels.Length];
            rows.Add(row);
            previous = row;
        }

        return rows;
    }

    /// <summary>Writes a sample roster with Chinese headers; UTF-8 with a BOM unless <paramref name="encoding"/> says otherwise.</summary>
    public static void Write(Stream output, int children, Encoding? encoding = null, int perCarer = 3)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var text = new StreamWriter(output, encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 65536, leaveOpen: true);
        using var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\r\n" }, leaveOpen: true);
        csv.WriteRecord(ChineseHeaders.ToArray());
        foreach (var row in Rows(children, perCarer))
        {
            csv.WriteRecord(row);
        }

        csv.Flush();
    }

    /// <summary>The sample file as bytes.</summary>
    public static byte[] Create(int children, Encoding? encoding = null, int perCarer = 3)
    {
        using var buffer = new MemoryStream();
        Write(buffer, children, encoding, perCarer);
        return buffer.ToArray();
    }

    /// <summary>The same number spelled the ways people write it.</summary>
    private static string Spell(long number, int variant)
    {
        var s = number.ToString(CultureInfo.InvariantCulture);
        return (variant % 4) switch
        {
            1 => $"{s[..3]} {s[3..7]} {s[7..]}",
            2 => "+86 " + s,
            3 => $"{s[..3]}-{s[3..7]}-{s[7..]}",
            _ => s,
        };
    }
}

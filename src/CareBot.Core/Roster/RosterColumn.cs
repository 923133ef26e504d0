namespace CareBot.Core.Roster;

/// <summary>The columns of the roster file (留守儿童档案), each with its Chinese and English header.</summary>
public enum RosterColumn
{
    ChildId,
    ChildName,
    Gender,
    Class,
    GuardianName,
    GuardianRelation,
    GuardianPhone,
    FatherName,
    FatherPhone,
    FatherWorkCity,
    MotherName,
    MotherPhone,
    MotherWorkCity,
    MentorName,
    MentorPhone,
    VolunteerName,
    VolunteerPhone,
    Notes,
    /// <summary>监护情况: 较好 / 一般 / 差 (good / fair / poor), or empty.</summary>
    Guardianship,
    School,
}

/// <summary>Header names of <see cref="RosterColumn"/>, in the order the sample file uses.</summary>
public static class RosterHeaders
{
    /// <summary>The roster's columns as a table the shared reader reads (<see cref="TableReader"/>).</summary>
    internal static TableHeaders<RosterColumn> Table { get; } = new(
        "roster.header.unknown",
        (RosterColumn.ChildId, "学号", "child_id"),
        (RosterColumn.ChildName, "姓名", "child_name"),
        (RosterColumn.Gender, "性别", "gender"),
        (RosterColumn.Class, "班级", "class"),
        (RosterColumn.GuardianName, "监护人", "guardian_name"),
        (RosterColumn.GuardianRelation, "监护人关系", "guardian_relation"),
        (RosterColumn.GuardianPhone, "监护人电话", "guardian_phone"),
        (RosterColumn.FatherName, "父亲姓名", "father_name"),
        (RosterColumn.FatherPhone, "父亲电话", "father_phone"),
        (RosterColumn.FatherWorkCity, "父亲务工地", "father_work_city"),
        (RosterColumn.MotherName, "母亲姓名", "mother_name"),
        (RosterColumn.MotherPhone, "母亲电话", "mother_phone"),
        (RosterColumn.MotherWorkCity, "母亲务工地", "mother_work_city"),
        (RosterColumn.MentorName, "结对教师", "mentor_name"),
        (RosterColumn.MentorPhone, "教师电话", "mentor_phone"),
        (RosterColumn.VolunteerName, "代理家长", "volunteer_name"),
        (RosterColumn.VolunteerPhone, "代理家长电话", "volunteer_phone"),
        (RosterColumn.Notes, "备注", "notes"),
        (RosterColumn.Guardianship, "监护情况", "guardianship"),
        (RosterColumn.School, "学校", "school"));

    public static IReadOnlyList<RosterColumn> Columns => Table.Columns;

    public static string Chinese(RosterColumn column) => Table.Chinese(column);

    public static string English(RosterColumn column) => Table.English(column);

    /// <summary>
    /// The column a header names, or null. Spaces, a BOM and surrounding quotes are ignored; English headers are
    /// matched without case, and "Child ID" / "child-id" are read as child_id.
    /// </summary>
    public static RosterColumn? Parse(string header) => Table.Parse(header);
}

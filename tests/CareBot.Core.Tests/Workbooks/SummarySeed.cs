using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Workbooks;

/// <summary>
/// A small school's term (2026-03-02 to 2026-04-26, eight weeks) for the summary tests: four children on the roster and
/// one added after the term, two mentors, a volunteer and the head teacher, records (phone talks and group activities
/// among them) and aid inside and outside the term, and weekly updates.
/// </summary>
internal sealed class SummarySeed
{
    public static readonly DateOnly From = new(2026, 3, 2);
    public static readonly DateOnly To = new(2026, 4, 26);

    /// <summary>"Now" for the tests: after the term, Asia/Shanghai.</summary>
    public static readonly DateTimeOffset Now = new(2026, 5, 6, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly CareDb _db;
    private int _phone;

    private SummarySeed(CareDb db) => _db = db;

    public Person Wang { get; private set; } = null!;
    public Person Li { get; private set; } = null!;
    public Person Zhao { get; private set; } = null!;
    public Person Head { get; private set; } = null!;

    public static SummarySeed Create(CareDb db)
    {
        var seed = new SummarySeed(db);
        seed.Fill();
        return seed;
    }

    private void Fill()
    {
        Wang = Person("王老师", Roles.Mentor);
        Li = Person("李老师", Roles.Mentor);
        Zhao = Person("赵阿姨", Roles.Volunteer);
        Head = Person("刘校长", Roles.Admin);
        var a1 = Person("王建国", Roles.Parent);
        var a2 = Person("刘秀英", Roles.Parent);
        var b = Person("李志强", Roles.Parent);
        var c = Person("张海峰", Roles.Parent);
        var d = Person("陈春梅", Roles.Parent);
        Child("S01", "王小明", "三年级1班", a1, a2);
        Child("S02", "李小红", "三年级1班", b);
        Child("S03", "张小刚", "四年级2班", c);
        Child("S04", "陈小丽", null, d);
        Child("S05", "新同学", "四年级2班", Person("新家长", Roles.Parent), created: new DateTime(2026, 4, 28, 2, 0, 0, DateTimeKind.Utc));
        Pair(Wang, "S01", PairingRole.Mentor);
        Pair(Wang, "S02", PairingRole.Mentor);
        Pair(Li, "S03", PairingRole.Mentor);
        Pair(Zhao, "S01", PairingRole.Volunteer);
        Pair(Li, "S05", PairingRole.Mentor, new DateTime(2026, 4, 28, 2, 0, 0, DateTimeKind.Utc));

        Record("S01", Wang, CareKind.Visit, 2026, 2, 20); // before the term
        Record("S01", Wang, CareKind.Visit, 2026, 3, 5);
        Record("S01", Wang, CareKind.Visit, 2026, 3, 20);
        Record("S01", Zhao, CareKind.Visit, 2026, 4, 10);
        Record("S01", Wang, CareKind.Talk, 2026, 3, 6);
        Record("S01", Zhao, CareKind.Diary, 2026, 3, 7);
        Record("S01", Wang, CareKind.Check, 2026, 3, 4, [3, 3, 2, 4, 4]);
        Record("S01", Wang, CareKind.Check, 2026, 4, 20, [4, 4, 3, 5, 4]);
        Record("S01", Wang, CareKind.Visit, 2026, 5, 1); // after the term
        Record("S02", Wang, CareKind.Visit, 2026, 3, 10);
        Record("S02", Wang, CareKind.Check, 2026, 3, 11, [2, 2, 2, 2, 2]);
        Record("S03", Li, CareKind.Talk, 2026, 4, 1);
        Record("S03", Li, CareKind.Diary, 2026, 4, 2);
        Record("S03", Li, CareKind.Diary, 2026, 4, 2);
        Record("S03", Li, CareKind.Check, 2026, 3, 3, [1, 2, 3, 4, 5]);
        Record("S03", Li, CareKind.Check, 2026, 4, 24, [3, 3, 3, 3, 3]);
        Record("S03", Li, CareKind.ParentMessage, 2026, 4, 3); // not a care record of the summary
        Record("S01", Wang, CareKind.Call, 2026, 3, 12);
        Record("S02", Wang, CareKind.Call, 2026, 4, 14);
        Record("S03", Li, CareKind.Call, 2026, 2, 25); // before the term

        Activity("植树活动", Wang, 2026, 3, 18, "S01", "S02");
        Activity("运动会", Head, 2026, 4, 8, "S01", "S03", "S04", "S05"); // S05 is not on the term's roster
        Activity("劳动节大扫除", Wang, 2026, 5, 2, "S02"); // after the term

        Aid("S01", "学习用品", 200m, 2026, 3, 10);
        Aid("S01", "助学金", 500.50m, 2026, 4, 1);
        Aid("S03", "助学金", 300m, 2026, 3, 20);
        Aid("S02", "衣物", 150m, 2026, 1, 15); // before the term
        Aid("S05", "学习用品", 100m, 2026, 4, 20); // S05 is not on the term's roster

        // The start-of-term parents' meeting: four families, four parents invited (陈春梅 not linked), three answers,
        // two families came. The winter meeting before the term is not counted.
        Meeting(new DateOnly(2026, 3, 7), "开学家长会", ["S01", "S02", "S03", "S04"], [a1, a2, b, c],
            [(a1, MeetingAnswer.Attend), (a2, MeetingAnswer.NotHome), (b, MeetingAnswer.CallMe)], ["S01", "S03"]);
        Meeting(new DateOnly(2026, 2, 14), "寒假家长会", ["S01", "S02"], [a1, b], [(a1, MeetingAnswer.Attend)], ["S01"]);

        Update(a1, "S01", "2026-W09", OutboxStatus.Sent); // before the term
        Update(a1, "S01", "2026-W10", OutboxStatus.Sent);
        Update(a2, "S01", "2026-W10", OutboxStatus.Failed);
        Update(b, "S02", "2026-W10", OutboxStatus.Sent);
        Update(c, "S03", "2026-W10", OutboxStatus.Unreachable);
        Update(a1, "S01", "2026-W11", OutboxStatus.Sent);
        Update(d, "S04", "2026-W17", OutboxStatus.Unreachable);
    }

    private Person Person(string name, Roles roles)
    {
        var p = new Person { Name = name, Phone = $"139{++_phone:D8}", Roles = roles, Language = "zh" };
        _db.Write(tx => tx.People.Insert(p));
        return p;
    }

    private void Child(string id, string name, string? cls, Person father, Person? mother = null, DateTime created = default)
    {
        var parents = new List<ParentLink> { new() { PersonId = father.Id, Relation = ParentRelation.Father } };
        if (mother is not null)
        {
            parents.Add(new ParentLink { PersonId = mother.Id, Relation = ParentRelation.Mother });
        }

        _db.Write(tx => tx.Children.Insert(new Child { Id = id, Name = name, Class = cls, Parents = parents, CreatedUtc = created }));
    }

    private void Pair(Person carer, string child, PairingRole role, DateTime created = default) =>
        _db.Write(tx => tx.Pairings.Insert(new Pairing { CarerId = carer.Id, ChildId = child, Role = role, CreatedUtc = created == default ? new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc) : created }));

    /// <summary>A group activity as /activity saves it: one record per child, the first record's id as the group.</summary>
    private void Activity(string title, Person author, int y, int m, int d, params string[] children)
    {
        long? group = null;
        foreach (var child in children)
        {
            var record = Record(child, author, CareKind.Activity, y, m, d, text: title, group: group);
            group ??= record.Id;
            if (record.GroupId is null)
            {
                record.GroupId = group;
                _db.Write(tx => tx.Records.Update(record));
            }
        }
    }

    private void Meeting(DateOnly date, string title, string[] children, Person[] invited, (Person Parent, MeetingAnswer Answer)[] answers, string[] came) =>
        _db.Write(tx => tx.Meetings.Insert(new Meeting
        {
            Date = date,
            Time = "09:30",
            Place = "学校会议室",
            Title = title,
            ChildIds = [.. children],
            InvitedParentIds = [.. invited.Select(p => p.Id)],
            Replies = [.. answers.Select(a => new MeetingReply { ParentId = a.Parent.Id, Answer = a.Answer })],
            Attended = [.. came],
        }));

    private void Aid(string child, string kind, decimal amount, int y, int m, int d) =>
        _db.Write(tx => tx.Aid.Insert(new AidEntry { ChildId = child, Kind = kind, Amount = amount, Date = new DateOnly(y, m, d), RecordedBy = "cli", AtUtc = new DateTime(y, m, d, 2, 0, 0, DateTimeKind.Utc) }));

    private CareRecord Record(string child, Person author, CareKind kind, int y, int m, int d, int[]? ratings = null, string text = "日记内容：孩子很好", long? group = null)
    {
        var record = new CareRecord
        {
            ChildId = child,
            AuthorId = author.Id,
            Kind = kind,
            LocalDate = new DateOnly(y, m, d),
            AtUtc = new DateTime(y, m, d, 2, 0, 0, DateTimeKind.Utc),
            Text = text,
            Ratings = ratings is null ? null : new Ratings { Study = ratings[0], Life = ratings[1], Mood = ratings[2], Safety = ratings[3], Health = ratings[4] },
            GroupId = group,
        };
        _db.Write(tx => tx.Records.Insert(record));
        return record;
    }

    private void Update(Person parent, string child, string week, OutboxStatus status) =>
        _db.Write(tx => tx.Outbox.Insert(new OutboxMessage
        {
            Key = $"weekly:{parent.Id}:{child}:{week}",
            PersonId = parent.Id,
            Chat = TelegramChats.At(100 + parent.Id),
            Kind = OutboxKind.WeeklyUpdate,
            Priority = OutboxPriority.Bulk,
            ChildId = child,
            Week = week,
            Status = status,
            Text = "本周动态",
        }));
}

using CareBot.Storage.LiteDb;
using System.Diagnostics;
using System.Text;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static CareBot.Core.Tests.Roster.RosterTestKit;

namespace CareBot.Core.Tests.Roster;

public sealed class RosterImporterTests(ITestOutputHelper output)
{
    private static string Problems(ImportResult result) => string.Join("\n", result.FormatProblems());

    [Fact]
    public void Chinese_headers_import_children_people_and_pairings()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(RosterSample.Create(8));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(8, result.ChildrenCreated);
        Assert.Equal(8, db.Read(tx => tx.Children.Count()));
        var mentors = db.Read(tx => tx.People.Find(p => p.Roles == Roles.Mentor).ToList());
        Assert.Equal(3, mentors.Count);
        Assert.Single(db.Read(tx => tx.People.FindAll().ToList()), p => p.Has(Roles.Volunteer));
        Assert.Equal(8, db.Read(tx => tx.Pairings.Count(p => p.Role == PairingRole.Mentor)));
        Assert.Equal(2, db.Read(tx => tx.Pairings.Count(p => p.Role == PairingRole.Volunteer)));
        Assert.All(mentors, m => Assert.InRange(db.Read(tx => tx.Pairings.Count(p => p.CarerId == m.Id)), 1, 3));

        var first = db.Read(tx => tx.Children.FindById("default/20240001"));
        Assert.Equal("王小明", first.Name);
        Assert.Equal("M", first.Gender);
        Assert.Equal("一年级1班", first.Class);
        Assert.Equal("085180000000", first.GuardianPhone);
        var father = db.Read(tx => tx.People.FindById(first.Parents.Single(p => p.Relation == ParentRelation.Father).PersonId));
        Assert.Equal("王建国", father.Name);
        Assert.Equal("13900000000", father.Phone);
        Assert.Equal("广东深圳", father.WorkCity);
        Assert.Equal(Roles.Parent, father.Roles);
    }

    [Fact]
    public void English_headers_in_any_order_and_mixed_with_Chinese_are_read()
    {
        using var db = LiteCareDb.InMemory();
        var csv = Csv(
            " Mentor_Phone ,child_name,child_id,mother_phone,Mother Name,结对教师,gender",
            "138 0000 0009,Li Na,S-1,13900000002,Zhang Min,Teacher Wu,female");

        var result = Importer(db).Import(csv);

        Assert.True(result.Succeeded, Problems(result));
        var child = db.Read(tx => tx.Children.FindById("default/S-1"));
        Assert.Equal("Li Na", child.Name);
        Assert.Equal("F", child.Gender);
        var mother = db.Read(tx => tx.People.FindById(child.Parents.Single().PersonId));
        Assert.Equal(("Zhang Min", ParentRelation.Mother), (mother.Name, child.Parents.Single().Relation));
        var pairing = db.Read(tx => tx.Pairings.FindOne(p => p.ChildId == "default/S-1"));
        Assert.Equal("13800000009", db.Read(tx => tx.People.FindById(pairing.CarerId).Phone));
    }

    [Theory]
    [InlineData("utf-8-bom", RosterEncoding.Auto, RosterEncoding.Utf8)]
    [InlineData("utf-8", RosterEncoding.Auto, RosterEncoding.Utf8)]
    [InlineData("gb18030", RosterEncoding.Auto, RosterEncoding.Gb18030)]
    [InlineData("utf-8-bom", RosterEncoding.Utf8, RosterEncoding.Utf8)]
    [InlineData("utf-8", RosterEncoding.Utf8, RosterEncoding.Utf8)]
    [InlineData("gb18030", RosterEncoding.Gb18030, RosterEncoding.Gb18030)]
    public void Utf8_with_or_without_bom_and_gb18030_are_read_explicitly_or_detected(string fileEncoding, RosterEncoding given, RosterEncoding expected)
    {
        using var db = LiteCareDb.InMemory();
        var text = Csv(ZhHeader, Row("1", "张欣怡", notes: "喜欢画画，性格内向"));
        var bytes = fileEncoding switch
        {
            "utf-8-bom" => Utf8(text, bom: true),
            "utf-8" => Utf8(text),
            _ => Gb18030.GetBytes(text),
        };

        var result = Importer(db).Import(bytes, encoding: given);

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(expected, result.Encoding);
        var child = db.Read(tx => tx.Children.FindById("default/1"));
        Assert.Equal("张欣怡", child.Name);
        Assert.Equal("喜欢画画，性格内向", child.Notes);
        Assert.Equal("李丽", db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000001").Name));
    }

    [Fact]
    public void A_gb18030_file_read_as_utf8_is_a_clear_error_naming_the_line()
    {
        using var db = LiteCareDb.InMemory();
        var bytes = Gb18030.GetBytes(Csv("child_id,child_name,father_name,father_phone,mentor_name,mentor_phone", "1,张三,张父,13900000001,李丽,13800000001"));

        var result = Importer(db).Import(bytes, encoding: RosterEncoding.Utf8);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("not valid UTF-8", problem.Message, StringComparison.Ordinal);
        Assert.Contains("gb18030", problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void Bytes_that_are_neither_utf8_nor_gb18030_are_rejected()
    {
        using var db = LiteCareDb.InMemory();
        byte[] bytes = [.. Encoding.ASCII.GetBytes("child_id,child_name\r\n1,"), 0xFF, 0xFF, 0x0D, 0x0A];

        var result = Importer(db).Import(bytes);

        Assert.False(result.Succeeded);
        Assert.Null(result.Encoding);
        Assert.Equal("roster.csv:2: the file is neither UTF-8 nor GB18030; in Excel save it as \"CSV UTF-8 (Comma delimited)\"", Assert.Single(result.FormatProblems()));
    }

    [Fact]
    public void Importing_the_same_file_twice_changes_nothing_the_second_time()
    {
        using var db = LiteCareDb.InMemory();
        var time = new FakeTimeProvider(Start);
        var importer = Importer(db, time);
        var file = RosterSample.Create(30);
        var first = importer.Import(file);
        Assert.True(first.Succeeded, Problems(first));
        var audit = db.Read(tx => tx.Audit.Count());
        var updated = db.Read(tx => tx.Children.FindAll().ToDictionary(c => c.Id, c => c.UpdatedUtc));
        var people = db.Read(tx => tx.People.FindAll().ToDictionary(p => p.Id, p => p.UpdatedUtc));

        time.Advance(TimeSpan.FromDays(1));
        var second = importer.Import(file);

        Assert.True(second.Succeeded, Problems(second));
        Assert.Equal((0, 0, 30), (second.ChildrenCreated, second.ChildrenUpdated, second.ChildrenUnchanged));
        Assert.Equal((0, 0, first.PeopleCreated), (second.PeopleCreated, second.PeopleUpdated, second.PeopleUnchanged));
        Assert.Equal((0, 0), (second.PairingsCreated, second.PairingsRemoved));
        Assert.Equal(audit, db.Read(tx => tx.Audit.Count()));
        Assert.Equal(updated, db.Read(tx => tx.Children.FindAll().ToDictionary(c => c.Id, c => c.UpdatedUtc)));
        Assert.Equal(people, db.Read(tx => tx.People.FindAll().ToDictionary(p => p.Id, p => p.UpdatedUtc)));
    }

    [Fact]
    public void A_corrected_file_updates_in_place()
    {
        using var db = LiteCareDb.InMemory();
        var time = new FakeTimeProvider(Start);
        var importer = Importer(db, time);
        Assert.True(importer.Import(Csv(ZhHeader,
            Row("1", "张三", mentor: "李丽", mentorPhone: "13800000001"),
            Row("2", "张四", father: "张父", fatherPhone: "13900000002", mentor: "吴敏", mentorPhone: "13800000002"))).Succeeded);
        var fatherId = db.Read(tx => tx.People.FindOne(p => p.Phone == "13900000001").Id);
        var oldMentorId = db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000001").Id);
        var created = db.Read(tx => tx.Children.FindById("default/1").CreatedUtc);

        time.Advance(TimeSpan.FromDays(3));
        var result = importer.Import(Csv(ZhHeader,
            Row("1", "张珊", cls: "三年级2班", father: "王建军", mentor: "赵伟", mentorPhone: "13800000005"),
            Row("2", "张四", father: "张父", fatherPhone: "13900000002", mentor: "吴敏", mentorPhone: "13800000002")));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal((0, 1, 1), (result.ChildrenCreated, result.ChildrenUpdated, result.ChildrenUnchanged));
        Assert.Equal((1, 1), (result.PairingsCreated, result.PairingsRemoved));
        Assert.Equal((1, 1), (result.PeopleCreated, result.PeopleUpdated));
        var child = db.Read(tx => tx.Children.FindById("default/1"));
        Assert.Equal(("张珊", "三年级2班"), (child.Name, child.Class));
        Assert.Equal(created, child.CreatedUtc);
        Assert.Equal(time.GetUtcNow().UtcDateTime, child.UpdatedUtc);
        var father = db.Read(tx => tx.People.FindById(fatherId));
        Assert.Equal("王建军", father.Name);
        Assert.Equal(fatherId, child.Parents.Single().PersonId);
        var pairing = Assert.Single(db.Read(tx => tx.Pairings.Find(p => p.ChildId == "default/1").ToList()));
        Assert.Equal("13800000005", db.Read(tx => tx.People.FindById(pairing.CarerId).Phone));
        Assert.Empty(db.Read(tx => tx.Pairings.Find(p => p.CarerId == oldMentorId).ToList()));
        Assert.NotNull(db.Read(tx => tx.People.FindById(oldMentorId))); // people are never deleted by an import
        Assert.Contains(db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "pairing.removed" && a.ChildId == "default/1");
        Assert.Contains(db.Read(tx => tx.Audit.FindAll().ToList()), a => a.Action == "child.updated" && a.ChildId == "default/1" && a.Detail == "fields:Name,Class");
    }

    [Fact]
    public void A_parent_of_two_children_is_one_person()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader,
            Row("1", "王小明", fatherPhone: "139 0000 0001"),
            Row("2", "王小红", fatherPhone: "+86 139-0000-0001", mentor: "吴敏", mentorPhone: "13800000002")));

        Assert.True(result.Succeeded, Problems(result));
        var parents = db.Read(tx => tx.People.Find(p => p.Phone == "13900000001").ToList());
        var father = Assert.Single(parents);
        Assert.All(db.Read(tx => tx.Children.FindAll().ToList()), c => Assert.Equal(father.Id, c.Parents.Single().PersonId));
        Assert.Equal(3, result.PeopleCreated);
    }

    [Fact]
    public void A_teacher_listed_as_a_volunteer_and_a_parent_gets_every_role()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader,
            Row("1", "王小明", mentor: "李丽", mentorPhone: "13800000001"),
            Row("2", "李小红", father: "李丽", fatherPhone: "13800000001", mentor: "吴敏", mentorPhone: "13800000002", volunteer: "李丽", volunteerPhone: "13800000001")));

        Assert.True(result.Succeeded, Problems(result));
        var li = db.Read(tx => tx.People.FindOne(p => p.Phone == "13800000001"));
        Assert.Equal(Roles.Mentor | Roles.Volunteer | Roles.Parent, li.Roles);
        Assert.Equal(2, db.Read(tx => tx.Pairings.Count(p => p.CarerId == li.Id)));
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_written()
    {
        using var db = LiteCareDb.InMemory();
        var importer = Importer(db);
        Assert.True(importer.Import(Csv(ZhHeader, Row("1", "王小明"))).Succeeded);
        var before = Counts(db);

        var result = importer.Import(Csv(ZhHeader,
            Row("1", "王小明", cls: "四年级1班"),                                      // line 2: fine on its own
            Row("2", ""),                                                              // line 3: no name
            Row("3", "张三", fatherPhone: "1390000"),                                  // line 4: bad phone
            Row("4", "李四", father: "", fatherPhone: ""),                             // line 5: no parent
            Row("1", "王小明"),                                                        // line 6: duplicate id
            Row("5", "赵五", mentor: "", mentorPhone: ""),                             // line 7: no mentor
            Row("6", "孙六", father: "孙大", fatherPhone: "13900000001"),              // line 8: phone is 王建国 on line 2
            Row("7", "周七", gender: "x"),                                             // line 9: bad gender
            "8,吴八,男",                                                               // line 10: truncated
            Row("9", "郑九", father: "郑父", fatherPhone: "13900000009", mentor: "李丽", mentorPhone: "")));  // line 11: mentor without phone

        Assert.False(result.Succeeded);
        Assert.Equal(
            [
                "roster.csv:3: 姓名: must not be empty",
                "roster.csv:4: 父亲电话: not a mainland China mobile number (11 digits starting with 1)",
                "roster.csv:5: 父亲电话: no parent working away with a name and a phone: the father or the mother is needed (the weekly update goes to them)",
                "roster.csv:6: 学号: child id 1 is already on line 2",
                "roster.csv:7: 结对教师: must not be empty",
                "roster.csv:7: 教师电话: must not be empty",
                "roster.csv:8: 父亲姓名: phone 139****0001 is \"王建国\" on line 2 but \"孙大\" here; one phone is one person",
                "roster.csv:9: 性别: gender must be 男, 女, M, F, male, female or empty",
                "roster.csv:10: this row has 3 columns, the header has 18",
                "roster.csv:11: 教师电话: 李丽 has no phone; add the phone or remove the name",
            ],
            result.FormatProblems());
        Assert.Equal(before, Counts(db));
        Assert.Equal("三年级1班", db.Read(tx => tx.Children.FindById("default/1").Class));
        Assert.Equal("roster.csv: 10 problem(s) found; nothing was imported. Fix them and import again.", result.Summary());
    }

    [Fact]
    public void Problems_are_in_Chinese_when_asked()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "")), language: "zh");

        Assert.Equal("roster.csv:2: 姓名: 不能为空", Assert.Single(result.FormatProblems()));
        Assert.Contains("发现 1 个问题", result.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mentor_over_capacity_is_named_with_the_count_and_the_limit()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db, max: 3).Import(Csv(ZhHeader,
            Row("1", "甲", fatherPhone: "13900000001", mentor: "王老师", mentorPhone: "13800138000"),
            Row("2", "乙", fatherPhone: "13900000002", mentor: "王老师", mentorPhone: "13800138000"),
            Row("3", "丙", fatherPhone: "13900000003", mentor: "王老师", mentorPhone: "13800138000"),
            Row("4", "丁", fatherPhone: "13900000004", mentor: "王老师", mentorPhone: "13800138000")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((5, "结对教师"), (problem.Line, problem.Column));
        Assert.Equal("王老师 (138****8000) would have 4 children (0 of them not in this file); the limit is 3 (CareBot:Care:MaxChildrenPerMentor)", problem.Message);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void Capacity_counts_children_paired_earlier_that_are_not_in_the_file()
    {
        using var db = LiteCareDb.InMemory();
        var importer = Importer(db, max: 3);
        Assert.True(importer.Import(Csv(ZhHeader,
            Row("1", "甲", fatherPhone: "13900000001", volunteer: "赵阿姨", volunteerPhone: "13700000001"),
            Row("2", "乙", fatherPhone: "13900000002", volunteer: "赵阿姨", volunteerPhone: "13700000001"))).Succeeded);

        var result = importer.Import(Csv(ZhHeader,
            Row("3", "丙", fatherPhone: "13900000003", mentor: "吴敏", mentorPhone: "13800000002", volunteer: "赵阿姨", volunteerPhone: "13700000001"),
            Row("4", "丁", fatherPhone: "13900000004", mentor: "吴敏", mentorPhone: "13800000002", volunteer: "赵阿姨", volunteerPhone: "13700000001")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((3, "代理家长"), (problem.Line, problem.Column));
        Assert.StartsWith("赵阿姨 (137****0001) would have 4 children (2 of them not in this file)", problem.Message, StringComparison.Ordinal);
        Assert.Equal(2, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void Moving_children_between_mentors_within_the_limit_is_fine()
    {
        using var db = LiteCareDb.InMemory();
        var importer = Importer(db, max: 1);
        Assert.True(importer.Import(Csv(ZhHeader,
            Row("1", "甲", fatherPhone: "13900000001", mentor: "王", mentorPhone: "13800000001"),
            Row("2", "乙", fatherPhone: "13900000002", mentor: "吴", mentorPhone: "13800000002"))).Succeeded);

        var result = importer.Import(Csv(ZhHeader,
            Row("1", "甲", fatherPhone: "13900000001", mentor: "吴", mentorPhone: "13800000002"),
            Row("2", "乙", fatherPhone: "13900000002", mentor: "王", mentorPhone: "13800000001")));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal((2, 2), (result.PairingsCreated, result.PairingsRemoved));
    }

    [Fact]
    public void The_mentor_as_volunteer_of_the_same_child_and_one_phone_for_both_parents_are_reported()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader,
            Row("1", "王小明", volunteer: "李丽", volunteerPhone: "13800000001"),
            Row("2", "王小红", father: "王建国", fatherPhone: "13900000001", mother: "王建国", motherPhone: "13900000001")));

        Assert.Equal(
            [
                "roster.csv:2: 代理家长电话: the volunteer is the mentor (same phone)",
                "roster.csv:3: 母亲电话: the mother's phone is the father's phone",
            ],
            result.FormatProblems());
        Assert.Equal(0, db.Read(tx => tx.Pairings.Count()));
    }

    [Fact]
    public void A_utf8_file_with_a_bom_read_as_gb18030_is_refused()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Utf8(Csv(ZhHeader, Row("1", "王小明")), bom: true), encoding: RosterEncoding.Gb18030);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(1, problem.Line);
        Assert.Contains("--encoding gb18030", problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void A_missing_parent_phone_column_is_reported_once_not_per_row()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv("学号,姓名,结对教师,教师电话", "1,王小明,李丽,13800000001", "2,王小红,李丽,13800000001"));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((1, "父亲电话"), (problem.Line, problem.Column));
    }

    [Fact]
    public void The_summary_gives_the_counts_in_the_chosen_language()
    {
        using var db = LiteCareDb.InMemory();
        var file = RosterSample.Create(8);
        var en = Importer(db).Import(file, language: "en"); // 7 fathers (two children are siblings), 6 mothers, 3 mentors, 1 volunteer
        var zh = Importer(db).Import(file, language: "zh");

        Assert.Equal("roster.csv: imported 8 children. Children: 8 created, 0 updated, 0 unchanged; people: 17 created, 0 updated, 0 unchanged; pairings: 10 created, 0 removed; 0 children not in the file left untouched.", en.Summary());
        Assert.StartsWith("roster.csv：已导入 8 名儿童。儿童：新增 0，更新 0，未变 8；", zh.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_duplicate_and_missing_headers_are_reported_on_line_1()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(
            "学号,姓名,child_name,父亲电话,老师,结对教师",
            "1,王小明,王小明,13900000001,李丽,李丽"));

        Assert.Equal(
            [
                "roster.csv:1: child_name: the same column as \"姓名\", given twice",
                "roster.csv:1: 教师电话: required column missing",
                "roster.csv:1: 老师: unknown column (the README lists the columns: child_id, child_name, gender, class, ...)",
            ],
            result.FormatProblems().Order(StringComparer.Ordinal));
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Theory]
    [InlineData("+86 138 0013 8000")]
    [InlineData("0086-138-0013-8000")]
    [InlineData("138-0013-8000")]
    [InlineData("１３８００１３８０００")]
    [InlineData("(138) 0013 8000")]
    [InlineData("8613800138000")]
    public void Phones_are_normalised(string written)
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", mentorPhone: $"\"{written}\"")));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal("李丽", db.Read(tx => tx.People.FindOne(p => p.Phone == "13800138000").Name));
    }

    [Theory]
    [InlineData("1380013800", "not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("138001380001", "not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("23800138000", "not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("138 0013 800O", "not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("0851-85123456", "not a mainland China mobile number (11 digits starting with 1)")]
    [InlineData("1.38001E+10", "Excel turned this into scientific notation; format the column as Text and export again")]
    public void Bad_phones_are_rejected(string written, string message)
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", mentorPhone: written)));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((2, "教师电话", message), (problem.Line, problem.Column, problem.Message));
        Assert.Equal(0, db.Read(tx => tx.People.Count()));
    }

    [Theory]
    [InlineData("0851-8512 3456", "085185123456")]
    [InlineData("8512345", "8512345")]
    [InlineData("+86 150 0000 0001", "15000000001")]
    public void A_guardian_phone_may_be_a_landline(string written, string stored)
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", guardianPhone: written)));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(stored, db.Read(tx => tx.Children.FindById("default/1").GuardianPhone));
    }

    [Fact]
    public void A_guardian_phone_that_is_no_number_is_rejected()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", guardianPhone: "奶奶家")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((2, "监护人电话"), (problem.Line, problem.Column));
    }

    [Fact]
    public void Quoted_fields_with_commas_and_line_breaks_are_read_and_line_numbers_stay_right()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader,
            Row("1", "王小明", notes: "\"爱读书, 数学好\r\n有哮喘\""),
            Row("2", "")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal(4, problem.Line);

        var ok = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", notes: "\"爱读书, 数学好\r\n有哮喘\"")));
        Assert.True(ok.Succeeded, Problems(ok));
        Assert.Equal("爱读书, 数学好\r\n有哮喘", db.Read(tx => tx.Children.FindById("default/1").Notes));
    }

    [Fact]
    public void Unbalanced_quotes_are_reported()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv(ZhHeader, Row("1", "王小明", notes: "\"爱读书\"x")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((2, ""), (problem.Line, problem.Column));
        Assert.Equal(0, db.Read(tx => tx.Children.Count()));
    }

    [Fact]
    public void A_sheet_title_and_blank_lines_are_skipped()
    {
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(Csv("XX小学留守儿童档案,,,", "", ZhHeader, ",,,,", Row("1", "")));

        var problem = Assert.Single(result.Problems);
        Assert.Equal((5, "姓名"), (problem.Line, problem.Column));
    }

    [Fact]
    public void A_file_without_children_is_refused()
    {
        using var db = LiteCareDb.InMemory();
        Assert.Equal("roster.csv:1: the file has a header but no children", Assert.Single(Importer(db).Import(Csv(ZhHeader)).FormatProblems()));
        Assert.Equal("roster.csv:1: the file is empty: no header row", Assert.Single(Importer(db).Import("").FormatProblems()));
    }

    [Fact]
    public void Children_not_in_the_file_are_left_untouched_and_counted()
    {
        using var db = LiteCareDb.InMemory();
        var importer = Importer(db);
        Assert.True(importer.Import(RosterSample.Create(6)).Succeeded);

        var result = importer.Import(Csv(ZhHeader, Row("99", "新同学", fatherPhone: "13900999999", mentorPhone: "13800999999")));

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(6, result.ChildrenUntouched);
        Assert.Equal(7, db.Read(tx => tx.Children.Count()));
        Assert.Equal(6 + 2 + 1, db.Read(tx => tx.Pairings.Count()));
        Assert.Contains("6 children not in the file left untouched", result.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_entries_name_the_actor_and_child_but_no_names_or_phones()
    {
        using var db = LiteCareDb.InMemory();
        Assert.True(Importer(db).Import(RosterSample.Create(5)).Succeeded);

        var audit = db.Read(tx => tx.Audit.FindAll().ToList());
        Assert.Equal(5, audit.Count(a => a.Action == "child.created"));
        Assert.Equal(5 + 1, audit.Count(a => a.Action == "pairing.created")); // one volunteer pairing in the first five
        Assert.Contains(audit, a => a.Action == "person.created");
        Assert.All(audit, a => Assert.Equal("test", a.Actor));
        var text = string.Join("\n", audit.Select(a => a.Detail));
        Assert.DoesNotMatch(@"\d{7}", text);
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", text);
    }

    [Fact]
    public void Two_thousand_children_import_in_one_go()
    {
        using var db = LiteCareDb.InMemory();
        var file = RosterSample.Create(2000);

        var watch = Stopwatch.StartNew();
        var result = Importer(db).Import(file);
        watch.Stop();
        output.WriteLine($"2,000-child import: {watch.ElapsedMilliseconds} ms");
        var again = Stopwatch.StartNew();
        var second = Importer(db).Import(file);
        output.WriteLine($"2,000-child re-import (no changes): {again.ElapsedMilliseconds} ms");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(2000, db.Read(tx => tx.Children.Count()));
        Assert.Equal(2000 + 500, db.Read(tx => tx.Pairings.Count()));
        Assert.Equal(2000, second.ChildrenUnchanged);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Fifty_thousand_children_import_in_one_transaction()
    {
        using var db = LiteCareDb.InMemory();
        var file = RosterSample.Create(50_000);

        var watch = Stopwatch.StartNew();
        var result = Importer(db).Import(file);
        output.WriteLine($"50,000-child import: {watch.ElapsedMilliseconds} ms");

        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(50_000, db.Read(tx => tx.Children.Count()));
        Assert.Equal(50_000 + 12_500, db.Read(tx => tx.Pairings.Count()));
    }

    [Fact]
    public void An_import_into_a_database_file_survives_reopening()
    {
        var path = Path.Combine(Path.GetTempPath(), $"carebot-roster-{Guid.NewGuid():N}.db");
        try
        {
            using (var db = new LiteCareDb(path))
            {
                Assert.True(Importer(db).Import(RosterSample.Create(8)).Succeeded);
                var bad = Importer(db).Import(Csv(ZhHeader, Row("20240001", "改名", fatherPhone: "12")));
                Assert.False(bad.Succeeded);
            }

            using (var db = new LiteCareDb(path))
            {
                Assert.Equal(8, db.Read(tx => tx.Children.Count()));
                Assert.Equal("王小明", db.Read(tx => tx.Children.FindById("default/20240001").Name));
                var again = Importer(db).Import(RosterSample.Create(8));
                Assert.Equal(8, again.ChildrenUnchanged);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_committed_sample_file_imports_cleanly()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var bytes = File.ReadAllBytes(Path.Combine(dir.FullName, "samples", "roster-sample.csv"));
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Equal(RosterSample.Create(8), bytes);
        using var db = LiteCareDb.InMemory();
        var result = Importer(db).Import(bytes);
        Assert.True(result.Succeeded, Problems(result));
        Assert.Equal(8, result.ChildrenCreated);
    }
}

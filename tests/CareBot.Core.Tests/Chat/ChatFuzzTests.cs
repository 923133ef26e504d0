using CareBot.Tests.Shared;
using System.Text;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Roster;
using CareBot.Core.Tests.Roster;
using Xunit.Abstractions;

namespace CareBot.Core.Tests.Chat;

/// <summary>
/// Seeded property tests: thousands of hostile inputs from every kind of sender never break the processor, never
/// leave an update unrecorded, never write a record for someone else's child, and always answer a linked private
/// text. And the roster importer never throws and writes nothing when a file has problems.
/// </summary>
public class ChatFuzzTests(ITestOutputHelper output)
{
    /// <summary>The provider this suite runs on; <see cref="ChatFuzzTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    private const int Seed = 20261128;
    private const int ChatInputs = 4000;

    private static readonly string[] Injections =
    [
        "'; DROP TABLE children; --", "$where", "{\"$gt\":\"\"}", "{\"$ne\":null}", "$.Parents[*].PersonId ANY = 1", "1 OR 1=1",
        "<script>alert(1)</script>", "*bold* _it_ `code` [x](http://e.com)", "%s%s%s%n", "{0}{1}{99}", "\\u0000", "../../etc/passwd",
        "S003", "S001", "@0", "null", "undefined", "NaN", "-1", "0", "99999999999999999999", "1e309",
    ];

    private static readonly string[] CommandNames =
        ["mine", "visit", "talk", "diary", "check", "card", "stats", "overdue", "notice", "stop", "start", "lang", "help", "VISIT", "Card", "", "x", "visit_", "start@"];

    private static string RandomUnicode(Random r, int length)
    {
        var sb = new StringBuilder(length);
        while (sb.Length < length)
        {
            switch (r.Next(12))
            {
                case 0: sb.Append((char)r.Next(0xD800, 0xDC00)); break; // lone high surrogate
                case 1: sb.Append((char)r.Next(0xDC00, 0xE000)); break; // lone low surrogate
                case 2: sb.Append(char.ConvertFromUtf32(r.Next(0x1F300, 0x1FAFF))); break; // emoji pair
                case 3: sb.Append((char)r.Next(0, 0x20)); break; // control
                case 4: sb.Append(new[] { '\u200F', '\u202E', '\u200E', '\u2066', '\u200B', '\uFEFF', '\u00A0', '\u3000' }[r.Next(8)]); break;
                case 5: sb.Append((char)r.Next(0x4E00, 0x9FA5)); break; // CJK
                case 6: sb.Append(' '); break;
                case 7: sb.Append(new[] { '=', '＝', ':', '：', '/', '／', '@', '\n', '\t', '{', '}', '$', '"', '\'' }[r.Next(14)]); break;
                case 8: sb.Append((char)r.Next(0x20, 0x7F)); break;
                case 9: sb.Append((char)r.Next(0x0590, 0x06FF)); break; // Hebrew / Arabic
                case 10: sb.Append((char)r.Next(0xE000, 0xFFFF)); break;
                default: sb.Append((char)r.Next(0x30, 0x3A)); break;
            }
        }

        return sb.ToString();
    }

    private static string RandomArg(Random r, string[] names) => r.Next(6) switch
    {
        0 => names[r.Next(names.Length)],
        1 => r.Next(-2, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => Injections[r.Next(Injections.Length)],
        _ => RandomUnicode(r, r.Next(0, 12)),
    };

    private static string RandomText(Random r, string[] names)
    {
        switch (r.Next(10))
        {
            case 0:
                return RandomUnicode(r, r.Next(0, 80));
            case 1:
                return Injections[r.Next(Injections.Length)];
            case 2:
                return r.Next(20) == 0 ? new string('字', 100_000) : RandomUnicode(r, r.Next(1990, 2300));
            case 3:
                var check = new StringBuilder("/check ").Append(RandomArg(r, names));
                foreach (var _ in Enumerable.Range(0, r.Next(0, 9)))
                {
                    var key = new[] { "学习", "生活", "心理", "情绪", "安全", "健康", "study", "LIFE", "mood", "safety", "health", "x", "" }[r.Next(13)];
                    var sep = new[] { "=", "＝", ":", "：", "==", "" }[r.Next(6)];
                    var value = new[] { "1", "5", "0", "6", "-1", "4.5", "٣", "３", "", "99999999999", RandomUnicode(r, 2) }[r.Next(11)];
                    check.Append(' ').Append(key).Append(sep).Append(value);
                }

                return check.ToString();
            default:
                var name = CommandNames[r.Next(CommandNames.Length)];
                var slash = r.Next(8) == 0 ? "／" : "/";
                var suffix = r.Next(4) == 0 ? "@" + new[] { "CareBot", "carebot_bot", "", "other_bot", RandomUnicode(r, 3) }[r.Next(5)] : "";
                var lead = r.Next(10) == 0 ? "  " : "";
                var args = string.Join(' ', Enumerable.Range(0, r.Next(0, 4)).Select(_ => RandomArg(r, names)));
                return $"{lead}{slash}{name}{suffix} {args}";
        }
    }

    [Fact]
    public void Hostile_chat_input_never_escapes_and_never_touches_other_children()
    {
        using var kit = new ChatTestKit(Store);
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 501);
        var volunteer = kit.AddPerson("Li", "13800000002", Roles.Volunteer, 502, "en");
        var otherMentor = kit.AddPerson("赵老师", "13800000003", Roles.Mentor, 503);
        var father = kit.AddPerson("张大山", "13700000001", Roles.Parent, 601);
        var otherParent = kit.AddPerson("孙", "13700000002", Roles.Parent, 602);
        var admin = kit.AddPerson("刘校长", "13600000001", Roles.Admin | Roles.Mentor, 701);
        kit.AddChild("S001", "张小红", mentor, father);
        kit.AddChild("S002", "陈小明", volunteer, father);
        kit.AddChild("S003", "孙小军", otherMentor, otherParent);
        kit.AddChild("S004", "刘小", admin);
        var people = new[] { mentor, volunteer, otherMentor, father, otherParent, admin };
        var allowed = new Dictionary<int, string[]>
        {
            [mentor.Id] = ["S001"], [volunteer.Id] = ["S002"], [otherMentor.Id] = ["S003"],
            [father.Id] = ["S001", "S002"], [otherParent.Id] = ["S003"], [admin.Id] = ["S004"],
        };
        var names = new[] { "张小红", "陈小明", "孙小军", "刘小", "小", "1", "2", "S003" };
        var r = new Random(Seed);
        var nextMessageId = 1;
        long lastRecord = 0, lastOutbox = 0;

        for (var i = 0; i < ChatInputs; i++)
        {
            var who = r.Next(people.Length + 2);
            var sender = who < people.Length ? people[who] : null;
            var chat = sender?.TelegramId ?? (who == people.Length ? 999 : 998);
            var group = r.Next(15) == 0;
            IncomingMessage message;
            switch (r.Next(12))
            {
                case 0:
                    var data = new[] { "visited:S001", "visited:S002", "visited:S003", "visited:S004", "snooze", "visited:", ":", "", RandomUnicode(r, 10), "visited:" + Injections[r.Next(Injections.Length)] }[r.Next(10)];
                    message = kit.Button(chat, data, r.Next(1, nextMessageId + 1));
                    break;
                case 1:
                    message = kit.Text(chat, RandomText(r, names)) with { Kind = r.Next(2) == 0 ? IncomingKind.Other : IncomingKind.Edited };
                    break;
                default:
                    var replyTo = r.Next(3) == 0 ? r.Next(1, nextMessageId + 2) : (int?)null;
                    message = kit.Text(chat, RandomText(r, names), replyTo) with { LanguageCode = r.Next(3) == 0 ? "en" : null };
                    break;
            }

            if (group)
            {
                message = message with { ChatKind = ChatKind.Group };
            }

            var ex = Record.Exception(() => kit.Processor.Process(message));
            Assert.True(ex is null, $"input {i} ({Escape(message.Text ?? message.ButtonData)}) threw {ex}");
            Assert.NotNull(kit.Db.Read(tx => tx.Updates.FindById(message.UpdateId)));

            var newRecords = kit.Db.Read(tx => tx.Records.Find(x => x.Id > lastRecord).ToList());
            foreach (var rec in newRecords)
            {
                Assert.True(sender is not null && !group, $"input {i}: a record from an unlinked or group chat");
                Assert.Equal(sender!.Id, rec.AuthorId);
                Assert.Contains(rec.ChildId, allowed[sender.Id]);
                lastRecord = rec.Id;
            }

            var newRows = kit.Db.Read(tx => tx.Outbox.Find(x => x.Id > lastOutbox).ToList());
            if (group)
            {
                Assert.Empty(newRows);
            }

            foreach (var row in newRows)
            {
                Assert.False(string.IsNullOrWhiteSpace(row.Text), $"input {i}: an empty message");
                Assert.True(row.Text.Length <= 4096, $"input {i}: a {row.Text.Length}-character message");
                if (row.ChildId is { } child && row.TelegramId != chat)
                {
                    // A relay goes only to people of that child.
                    var to = people.Single(p => p.Id == row.PersonId);
                    Assert.Contains(child, allowed[to.Id]);
                }

                lastOutbox = row.Id;
            }

            if (!group && message.Kind == IncomingKind.Text && sender is not null)
            {
                Assert.True(newRows.Any(o => o.TelegramId == chat), $"input {i} ({Escape(message.Text)}) got no answer");
            }

            // Some rows are "sent", so later inputs can reply to them.
            if (newRows.Count > 0 && r.Next(2) == 0)
            {
                kit.Outbox.MarkSent(newRows[r.Next(newRows.Count)], nextMessageId++);
            }
        }

        output.WriteLine($"chat inputs tried: {ChatInputs}; records written: {kit.Db.Read(tx => tx.Records.Count())}; outbox rows: {kit.Db.Read(tx => tx.Outbox.Count())}");
        Console.WriteLine($"chat fuzz: {ChatInputs} inputs");
    }

    private static string Escape(string? s) => s is null ? "null" : string.Concat(s.Take(60).Select(c => c < 0x20 || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    [Fact]
    public void Hostile_roster_files_never_throw_and_write_nothing_on_failure()
    {
        using var kit = new ChatTestKit(Store);
        var importer = RosterTestKit.Importer(kit.Db);
        var good = RosterTestKit.Csv(
            RosterTestKit.ZhHeader,
            RosterTestKit.Row("S001", "张小红"),
            RosterTestKit.Row("S002", "陈小明", father: "陈大", fatherPhone: "13900000002", mother: "李花", motherPhone: "13900000003"));
        var goodBytes = RosterTestKit.Utf8(good);
        var r = new Random(Seed);
        var tried = 0;

        void Try(byte[] bytes, string what, RosterEncoding encoding = RosterEncoding.Auto)
        {
            tried++;
            var before = RosterTestKit.Counts(kit.Db);
            ImportResult? result = null;
            var ex = Record.Exception(() => result = importer.Import(new MemoryStream(bytes), "roster.csv", encoding, r.Next(2) == 0 ? "zh" : "en", "test"));
            Assert.True(ex is null, $"{what} threw {ex}");
            if (!result!.Succeeded)
            {
                Assert.NotEmpty(result.Problems);
                Assert.Equal(before, RosterTestKit.Counts(kit.Db));
            }
        }

        for (var n = 0; n < goodBytes.Length; n += 7)
        {
            Try(goodBytes[..n], $"truncated at {n}");
        }

        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[r.Next(0, 600)];
            r.NextBytes(bytes);
            Try(bytes, $"random bytes {i}");
            Try([.. RosterTestKit.Utf8(RosterTestKit.ZhHeader + "\r\n"), .. bytes], $"header + random bytes {i}");
            var mutated = (byte[])goodBytes.Clone();
            for (var k = 0; k < 3; k++)
            {
                mutated[r.Next(mutated.Length)] = (byte)r.Next(256);
            }

            Try(mutated, $"mutated {i}");
        }

        // Wrong encodings: UTF-16, GB18030 read as UTF-8 and the other way round.
        Try(Encoding.Unicode.GetBytes(good), "utf-16");
        Try(Encoding.BigEndianUnicode.GetBytes(good), "utf-16be");
        Try(RosterTestKit.Gb18030.GetBytes(good), "gb18030 as utf-8", RosterEncoding.Utf8);
        Try(goodBytes, "utf-8 as gb18030", RosterEncoding.Gb18030);

        // Swapped columns: the header order stays, the values of two columns are exchanged.
        var headers = RosterTestKit.ZhHeader.Split(',');
        for (var a = 0; a < headers.Length; a++)
        {
            var b = (a + 1 + r.Next(headers.Length - 1)) % headers.Length;
            var rows = good.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line =>
            {
                var f = line.Split(',');
                (f[a], f[b]) = (f[b], f[a]);
                return string.Join(',', f);
            });
            Try(RosterTestKit.Utf8(RosterTestKit.Csv([RosterTestKit.ZhHeader, .. rows])), $"swapped {headers[a]}/{headers[b]}");
        }

        // Duplicate ids.
        var dupCounts = RosterTestKit.Counts(kit.Db);
        var dup = importer.Import(RosterTestKit.Csv(RosterTestKit.ZhHeader, RosterTestKit.Row("S900", "甲"), RosterTestKit.Row("S900", "乙", fatherPhone: "13900000099")), "en");
        tried++;
        Assert.False(dup.Succeeded);
        Assert.Equal(dupCounts, RosterTestKit.Counts(kit.Db));

        // 50,000 rows with one bad phone in the middle: reported, nothing written.
        var big = new StringBuilder(RosterTestKit.ZhHeader).Append("\r\n");
        for (var i = 0; i < 50_000; i++)
        {
            var phone = i == 31_337 ? "1390000" : $"139{i:D8}";
            big.Append(RosterTestKit.Row($"B{i:D6}", "学生" + i, father: "父" + i, fatherPhone: phone, mentor: "师" + (i / 3), mentorPhone: $"138{i / 3:D8}")).Append("\r\n");
        }

        var bigCounts = RosterTestKit.Counts(kit.Db);
        var bigResult = importer.Import(big.ToString(), "en");
        tried++;
        Assert.False(bigResult.Succeeded);
        Assert.Contains(bigResult.Problems, p => p.Line == 31_337 + 2);
        Assert.Equal(bigCounts, RosterTestKit.Counts(kit.Db));

        output.WriteLine($"roster inputs tried: {tried}");
        Console.WriteLine($"roster fuzz: {tried} inputs");
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class ChatFuzzTestsOnPostgres(ITestOutputHelper output) : ChatFuzzTests(output)
{
    protected override StoreKind Store => StoreKind.Postgres;
}

using CareBot.Tests.Shared;
using CareBot.Storage.LiteDb;
using System.Text.RegularExpressions;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Worker.Hosting;
using CareBot.Worker.Tests.Sheets;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace CareBot.Worker.Tests.Invites;

/// <summary>
/// <c>carebot invite --slips FILE.html</c> end to end: printed to PDF by headless Chromium, each slip's text read back
/// with pdftotext and its QR code decoded from the rendered page with ZXing.Net, then checked against the database.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class InviteSlipsCliTests : IDisposable
{
    private const string Bot = "dq_care_bot";
    private const string ClassA = "一年级1班";

    // A4 in points, and a slip's cell of the 2 × 4 grid (105 mm × 74.1 mm).
    private const double PointsPerMm = 72 / 25.4;
    private const double CellWidth = 105 * PointsPerMm;
    private const double CellHeight = 74.1 * PointsPerMm;

    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-slips-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "c.db");

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Dictionary<string, string?> Settings => new() { ["Storage:DatabasePath"] = DbPath, ["Telegram:BotToken"] = null, ["Telegram:BotUsername"] = Bot, ["CareBot:Care:MaxChildrenPerMentor"] = "5" };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => Cli.CliRun.RunAsync(Settings, args);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    [GeneratedRegex("[A-Za-z0-9_-]{32}")]
    private static partial Regex CodeShape();

    /// <summary>
    /// Class 一年级1班: four children, each with a father and a mother (8 parents), one mentor and one volunteer.
    /// Class 二年级1班: two children with other parents and another mentor.
    /// </summary>
    private async Task ImportRosterAsync()
    {
        var roster = PathOf("roster.csv");
        var lines = new List<string> { "学号,姓名,性别,班级,父亲姓名,父亲电话,母亲姓名,母亲电话,结对教师,教师电话,代理家长,代理家长电话" };
        string[] names = ["王小明", "李雨涵", "张子轩", "刘欣怡"];
        for (var i = 0; i < names.Length; i++)
        {
            lines.Add($"2024010{i},{names[i]},男,{ClassA},父亲{i},1390000010{i},母亲{i},1390000020{i},李丽,13800000001,杨阿姨,13700000001");
        }

        lines.Add("20240201,陈浩然,男,二年级1班,陈建国,13900000301,周丽,13900000302,赵芳,13800000002,,");
        lines.Add("20240202,孙佳怡,女,二年级1班,孙志强,13900000303,吴敏,13900000304,赵芳,13800000002,,");
        await File.WriteAllLinesAsync(roster, lines);
        var import = await Run("import", roster);
        Assert.True(import.Code == 0, import.Err);
    }

    private static void Link(CareDb db, string phone, long chat) => db.Write(tx =>
    {
        var person = tx.People.FindOne(p => p.Phone == phone);
        person.Chat = TelegramChats.At(chat);
        person.Status = Reachability.Reachable;
        tx.People.Update(person);
    });

    [Fact]
    public async Task Slips_for_a_class_print_on_A4_and_each_names_its_person_and_children_and_holds_a_QR_code_of_their_own_live_invite()
    {
        await ImportRosterAsync();
        using (var db = new LiteCareDb(DbPath))
        {
            Link(db, "13900000101", 5001); // 父亲1 is linked already: no slip
        }

        var slips = PathOf("一年级1班.html");
        var (code, output, err) = await Run("invite", "--slips", slips, "--class", ClassA);

        Assert.True(code == 0, err);
        Assert.Contains(slips, output, StringComparison.Ordinal);
        Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(slips)); // live codes: the owner's only

        // Whom the class covers, worked out here without the invite code: its children's parents and carers, not linked.
        List<Person> expected;
        List<Child> children;
        List<Invite> invites;
        List<Pairing> pairings;
        using (var db = new LiteCareDb(DbPath))
        {
            children = db.Read(tx => tx.Children.FindAll().ToList());
            pairings = db.Read(tx => tx.Pairings.FindAll().ToList());
            invites = db.Read(tx => tx.Invites.FindAll().Where(i => i.UsedUtc == null).ToList());
            var ofClass = children.Where(c => c.Class == ClassA).ToList();
            var ids = ofClass.SelectMany(c => c.Parents.Select(p => p.PersonId))
                .Concat(pairings.Where(p => ofClass.Any(c => c.Id == p.ChildId)).Select(p => p.CarerId)).ToHashSet();
            expected = db.Read(tx => tx.People.FindAll().Where(p => ids.Contains(p.Id) && p.Chat == null).OrderBy(p => p.Id).ToList());
        }

        Assert.Equal(9, expected.Count); // 8 parents and 2 carers, less the linked father
        Assert.Equal(expected.Select(p => p.Id).Order(), invites.Select(i => i.PersonId).Order()); // nobody else got a code

        var pdf = await PdfTools.PrintAsync(slips);
        var info = await PdfTools.InfoAsync(pdf);
        Assert.Matches(@"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info);
        Assert.Matches(@"Pages:\s+2\b", info); // eight a sheet

        var whole = Space().Replace(await PdfTools.TextAsync(pdf), "");
        Assert.DoesNotContain("父亲1", whole, StringComparison.Ordinal); // linked: skipped
        foreach (var other in new[] { "陈建国", "周丽", "赵芳", "陈浩然" })
        {
            Assert.DoesNotContain(other, whole, StringComparison.Ordinal); // the other class
        }

        var pages = new Dictionary<(int Page, int Dpi), (int Width, int Height, byte[] Pixels)>();
        for (var i = 0; i < expected.Count; i++)
        {
            var person = expected[i];
            var (page, column, row) = (1 + (i / 8), i % 2, i % 8 / 2);
            var text = Space().Replace(await PdfTools.TextAsync(pdf, page, (column * CellWidth) + 2, (row * CellHeight) + 2, CellWidth - 4, CellHeight - 4), "");
            var stored = invites.Single(inv => inv.PersonId == person.Id);
            string Where() => $"slip {i + 1} ({person.Name}):\n{text}";

            Assert.True(text.Contains(person.Name, StringComparison.Ordinal), Where());
            Assert.True(text.Contains(person.Has(Roles.Parent) ? "家长" : person.Has(Roles.Mentor) ? "结对教师" : "代理家长", StringComparison.Ordinal), Where());
            var theirs = children.Where(c => c.Parents.Any(p => p.PersonId == person.Id) || pairings.Any(p => p.CarerId == person.Id && p.ChildId == c.Id)).ToList();
            Assert.NotEmpty(theirs);
            foreach (var child in theirs.Take(InviteSlips.MaxChildrenShown))
            {
                Assert.True(text.Contains($"{child.Name}（{child.Class}）", StringComparison.Ordinal), Where());
                Assert.False(text.Contains(child.StudentNo, StringComparison.Ordinal), Where()); // never a 学号
            }

            Assert.False(text.Contains(person.Phone, StringComparison.Ordinal), Where()); // never a phone
            Assert.True(text.Contains("扫描右边的二维码", StringComparison.Ordinal) && text.Contains("点“开始”（START）", StringComparison.Ordinal) && text.Contains("收到欢迎消息", StringComparison.Ordinal), Where());
            Assert.True(text.Contains($"有效期至{stored.ExpiresUtc.AddHours(8):yyyy-MM-dd}", StringComparison.Ordinal), Where());
            Assert.True(text.Contains($"@{Bot}", StringComparison.Ordinal), Where());

            // The code in large type is this person's live invite (only its hash is stored).
            var typed = CodeShape().Matches(text).Select(m => m.Value).Where(c => InviteService.Hash(c) == stored.CodeHash).ToList();
            Assert.True(typed.Count == 1, Where());

            // The QR code on this slip opens the bot with this person's code. A code ZXing misses at 200 dpi is read
            // again from a finer rendering of the same page before the slip is called unreadable.
            string? link = null;
            foreach (var dpi in new[] { 200, 300, 400 })
            {
                if (!pages.TryGetValue((page, dpi), out var image))
                {
                    pages[(page, dpi)] = image = await PdfTools.GrayPageAsync(pdf, page, dpi);
                }

                if ((link = DecodeQr(image, column, row)) != null)
                {
                    break;
                }
            }

            if (link == null)
            {
                var kept = Path.Combine(Path.GetTempPath(), $"carebot-unreadable-slips-{Guid.NewGuid():N}.pdf");
                File.Copy(pdf, kept);
                Assert.Fail($"no QR code found in the slip at column {column}, row {row} at 200, 300 or 400 dpi; the sheet is kept at {kept}");
            }

            Assert.StartsWith($"https://t.me/{Bot}?start=", link, StringComparison.Ordinal);
            var scanned = link[$"https://t.me/{Bot}?start=".Length..];
            Assert.Equal(stored.CodeHash, InviteService.Hash(scanned));
            Assert.Equal(typed[0], scanned);
        }
    }

    [Fact]
    public async Task An_already_linked_person_gets_no_slip_and_no_file_is_written()
    {
        await ImportRosterAsync();
        using (var db = new LiteCareDb(DbPath))
        {
            Link(db, "13800000001", 5002); // 李丽, the class's mentor
        }

        var slips = PathOf("mentor.html");
        var (code, _, err) = await Run("invite", "--slips", slips, "--phone", "13800000001", "--lang", "en");

        Assert.Equal(0, code);
        Assert.Contains("李丽 is already linked to a chat; no invite made.", err, StringComparison.Ordinal);
        Assert.False(File.Exists(slips));

        // The class's slips leave her out (--unlinked-only says the default aloud); the other mentor's class is not asked for.
        var (classCode, _, classErr) = await Run("invite", "--slips", slips, "--class", ClassA, "--role", "mentor", "--role", "volunteer", "--unlinked-only");
        Assert.True(classCode == 0, classErr);
        var html = await File.ReadAllTextAsync(slips);
        Assert.Contains("杨阿姨", html, StringComparison.Ordinal);
        Assert.DoesNotContain("李丽", html, StringComparison.Ordinal);
        Assert.DoesNotContain("赵芳", html, StringComparison.Ordinal);
        Assert.DoesNotContain("父亲0", html, StringComparison.Ordinal); // --role: no parents
    }

    [Fact]
    public async Task Slips_to_an_existing_file_are_refused_and_no_invite_changes()
    {
        await ImportRosterAsync();
        var first = PathOf("first.html");
        Assert.Equal(0, (await Run("invite", "--slips", first)).Code);
        var before = Invites();
        var existing = PathOf("existing.html");
        await File.WriteAllTextAsync(existing, "the slips printed last week");

        var (code, _, err) = await Run("invite", "--slips", existing, "--lang", "en");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"--slips: {existing}: already exists", err, StringComparison.Ordinal);
        Assert.Contains("No invite was changed.", err, StringComparison.Ordinal);
        Assert.Equal("the slips printed last week", await File.ReadAllTextAsync(existing));
        Assert.Equal(before, Invites()); // the slips already printed still work

        // With --out too: neither file is made.
        var csv = PathOf("new.csv");
        (code, _, _) = await Run("invite", "--out", csv, "--slips", existing);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.False(File.Exists(csv));
        Assert.Equal(before, Invites());

        // A class the roster does not have is a typo: exit 2, nothing changed.
        (code, _, err) = await Run("invite", "--slips", PathOf("typo.html"), "--class", "一年级一班", "--lang", "en");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--class: The school has no class \"一年级一班\"", err, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("typo.html")));
        Assert.Equal(before, Invites());
    }

    private List<string> Invites()
    {
        using var db = new LiteCareDb(DbPath);
        return db.Read(tx => tx.Invites.FindAll().Where(i => i.UsedUtc == null).Select(i => i.CodeHash).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The text of the one QR code in a slip's cell of a rendered sheet: looked for in the cell's right part (where the
    /// code is printed, away from the text), then in the whole cell, each with ZXing's two binarizers; null when neither finds one.
    /// </summary>
    private static string? DecodeQr((int Width, int Height, byte[] Pixels) page, int column, int row)
    {
        var scale = page.Width / (2 * CellWidth);
        var (cellX, cellY) = (column * CellWidth, row * CellHeight);
        (double X, double Y, double W, double H)[] regions =
        [
            (cellX + (CellWidth / 2), cellY + (8 * PointsPerMm), CellWidth / 2, CellHeight - (10 * PointsPerMm)),
            (cellX, cellY, CellWidth, CellHeight),
        ];
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.TRY_HARDER] = true };
        foreach (var (x, y, width, height) in regions)
        {
            var (x0, y0, w, h) = ((int)(x * scale), (int)(y * scale), (int)(width * scale), (int)(height * scale));
            var cell = new byte[w * h];
            for (var line = 0; line < h; line++)
            {
                Array.Copy(page.Pixels, ((y0 + line) * page.Width) + x0, cell, line * w, w);
            }

            var source = new RGBLuminanceSource(cell, w, h, RGBLuminanceSource.BitmapFormat.Gray8);
            foreach (Binarizer binarizer in new Binarizer[] { new HybridBinarizer(source), new GlobalHistogramBinarizer(source) })
            {
                if (new QRCodeReader().decode(new BinaryBitmap(binarizer), hints) is { } result)
                {
                    return result.Text;
                }
            }
        }

        return null;
    }
}

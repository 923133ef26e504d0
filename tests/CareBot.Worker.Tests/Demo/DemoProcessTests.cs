using CareBot.Core.Tests.Workbooks;
using System.Diagnostics;
using System.Text;

namespace CareBot.Worker.Tests.Demo;

/// <summary>Runs <c>carebot demo</c> as a child process, as a school would: no token, no network, ends by itself.</summary>
public sealed class DemoProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Demo_in_Chinese_runs_a_week_and_exits_0()
    {
        var (exit, stdout, stderr) = await RunAsync("demo");

        Assert.True(exit == 0, $"exit {exit}\nstderr:\n{stderr}\nstdout:\n{stdout}");
        Assert.Contains("⏰ 近期需要关注的孩子", stdout, StringComparison.Ordinal);          // a reminder
        const string note = "今天去家访了，奶奶身体还好，孩子作业都按时完成了。";
        Assert.Contains("↩ " + note, stdout, StringComparison.Ordinal);                     // the mentor replies to it
        Assert.Matches("✅ 已记录 .+ 的家访", stdout);                                         // and the bot saved it
        Assert.Matches("✏️（修改了之前的消息）⏰ 近期需要关注的孩子：\\s*【刘欣怡】\\s*· ✅", stdout);           // a pressed reminder is redrawn, shown as an edit
        var weekly = stdout.Split("\n[").Where(m => m.Contains("本周情况", StringComparison.Ordinal)).ToList();
        Assert.Contains(weekly, m => m.Contains(note, StringComparison.Ordinal));            // the weekly update carries the note
        Assert.Contains("本周小结", stdout, StringComparison.Ordinal);

        // The holiday parents' meeting: invitations with buttons, three answers, the reminder, who came.
        Assert.Contains("[参加]  [不能来，请老师打电话]  [今年不回家]", stdout, StringComparison.Ordinal);
        Assert.Contains("不能来「寒假家长会」，请给他/她打电话", stdout, StringComparison.Ordinal);
        Assert.Contains("⏰ 明天开家长会：寒假家长会", stdout, StringComparison.Ordinal);
        Assert.Matches("寒假家长会：邀请 \\d+ 位家长，参加 1，请老师打电话 1，今年不回家 1；到会 1 个孩子的家长", stdout);
        Assert.DoesNotContain("Exception", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_with_summary_writes_the_weeks_work_summary_with_its_parents_meeting()
    {
        var book = Path.Combine(Path.GetTempPath(), $"carebot-demo-summary-{Guid.NewGuid():N}.xlsx");
        try
        {
            var (exit, stdout, stderr) = await RunAsync("demo", "--summary", book);

            Assert.True(exit == 0, $"exit {exit}\nstderr:\n{stderr}\nstdout:\n{stdout}");
            Assert.Contains(book, stdout, StringComparison.Ordinal);
            var sheets = CareBot.Core.Tests.Workbooks.WorkbookReader.Read(book);
            var overview = sheets.Sheet("概况");
            double Figure(string label) => (double)overview.Single(r => label.Equals(r.At(0)))[1]!;
            Assert.Equal(8, Figure("名单上的儿童"));
            Assert.True(Figure("家访（次）") >= 3, "the week's home visits");
            Assert.Equal(1, Figure("电话访问（次）")); // the call to the father who asked for one
            Assert.Equal(1, Figure("家长会（次）"));
            var meeting = sheets.Sheet("各次家长会")[1];
            Assert.Equal("寒假家长会", meeting[1]);
            Assert.Equal(new double[] { 1, 1, 1, 1 }, new[] { meeting[5], meeting[6], meeting[7], meeting[10] }.Select(v => (double)v!)); // coming, call me, not home, came
        }
        finally
        {
            File.Delete(book);
        }
    }

    [Fact]
    public async Task A_bad_summary_file_is_refused_before_the_week_runs()
    {
        var (exit, stdout, stderr) = await RunAsync("demo", "--summary", "summary.pdf");

        Assert.Equal(2, exit);
        Assert.Contains("summary.pdf", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("周一", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_in_English_speaks_English()
    {
        var (exit, stdout, stderr) = await RunAsync("demo", "--lang", "en");

        Assert.True(exit == 0, $"exit {exit}\nstderr:\n{stderr}\nstdout:\n{stdout}");
        Assert.Contains("This week", stdout, StringComparison.Ordinal);
        Assert.Contains("[Mon 08:00]", stdout, StringComparison.Ordinal);
        Assert.Contains("Visited the home today", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "carebot.dll");
        Assert.True(File.Exists(dll), $"{dll} not found");
        var work = Directory.CreateTempSubdirectory("carebot-demo-test-");
        try
        {
            return await RunInAsync(dll, work.FullName, args);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunInAsync(string dll, string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // No token and no Telegram settings from the environment: the demo must not need them.
        start.Environment.Remove("Telegram__BotToken");
        start.Environment.Remove("Telegram__ApiBaseUrl");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"carebot demo did not end within {Timeout.TotalSeconds} s.\n{await stdout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

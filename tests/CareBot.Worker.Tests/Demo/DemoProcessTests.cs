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

using System.Diagnostics;

namespace CareBot.Worker.Tests.Sheets;

/// <summary>
/// Prints an HTML page to PDF with headless Chromium and reads the PDF's text and page size with poppler's pdftotext
/// and pdfinfo. CI installs them (.ci/run); a machine without them fails these tests with the install command.
/// </summary>
internal static class PdfTools
{
    public const string Install = "apt-get update && apt-get install -y chromium poppler-utils fonts-noto-cjk";

    public static string Chromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }.Select(Find).FirstOrDefault(p => p is not null)
        ?? throw new InvalidOperationException($"Chromium is needed to print the summary page: {Install}");

    /// <summary>Prints <paramref name="html"/> to a PDF beside it and returns the PDF's path.</summary>
    public static async Task<string> PrintAsync(string html)
    {
        var pdf = Path.ChangeExtension(html, ".pdf");
        var profile = Path.Combine(Path.GetDirectoryName(html)!, "chromium-profile");
        await RunAsync(Chromium(),
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
            $"--user-data-dir={profile}", $"--print-to-pdf={pdf}", new Uri(html).AbsoluteUri,
        ]);
        Assert.True(File.Exists(pdf), "Chromium wrote no PDF");
        return pdf;
    }

    /// <summary>The PDF's text, laid out as printed (a table row stays on one line).</summary>
    public static async Task<string> TextAsync(string pdf) => await RunAsync(Tool("pdftotext"), ["-layout", pdf, "-"]);

    public static async Task<string> InfoAsync(string pdf) => await RunAsync(Tool("pdfinfo"), [pdf]);

    /// <summary>The text of one rectangle of one page (1-based), in points from the top left corner.</summary>
    public static async Task<string> TextAsync(string pdf, int page, double x, double y, double width, double height) =>
        await RunAsync(Tool("pdftotext"),
        [
            "-f", $"{page}", "-l", $"{page}", "-r", "72", "-x", $"{(int)x}", "-y", $"{(int)y}", "-W", $"{(int)width}", "-H", $"{(int)height}", "-layout", pdf, "-",
        ]);

    /// <summary>One page (1-based) rendered in grey at <paramref name="dpi"/> by pdftoppm: width, height and one byte a pixel.</summary>
    public static async Task<(int Width, int Height, byte[] Pixels)> GrayPageAsync(string pdf, int page, int dpi)
    {
        var root = Path.Combine(Path.GetDirectoryName(pdf)!, $"page-{page}-{dpi}");
        await RunAsync(Tool("pdftoppm"), ["-f", $"{page}", "-l", $"{page}", "-r", $"{dpi}", "-gray", "-singlefile", pdf, root]);
        var bytes = await File.ReadAllBytesAsync(root + ".pgm");

        // Binary PGM: "P5", width, height, maxval (white space separated), one white space, then the pixels.
        var fields = new List<string>();
        var at = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)bytes[at]))
            {
                at++;
            }

            var start = at;
            while (!char.IsWhiteSpace((char)bytes[at]))
            {
                at++;
            }

            fields.Add(System.Text.Encoding.ASCII.GetString(bytes, start, at - start));
        }

        Assert.Equal("P5", fields[0]);
        var (width, height) = (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
        return (width, height, bytes[(at + 1)..(at + 1 + (width * height))]);
    }

    private static string Tool(string name) => Find(name) ?? throw new InvalidOperationException($"{name} (poppler-utils) is needed: {Install}");

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish in 120 s: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}

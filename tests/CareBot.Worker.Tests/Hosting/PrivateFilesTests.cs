using CareBot.Worker.Hosting;

namespace CareBot.Worker.Tests.Hosting;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string OwnerOnlyFile(string name, string text = "{}")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, PrivateFiles.OwnerOnly);
        return path;
    }

    private static string Refusal(Action action) => Assert.Throws<PrivateFileException>(action).TextId;

    [Fact]
    public void An_owner_only_file_of_the_expected_user_is_read()
    {
        var path = OwnerOnlyFile("ok", "hello");

        using var reader = new StreamReader(PrivateFiles.OpenOwnerOnly(path, PrivateFiles.EffectiveUser));
        Assert.Equal("hello", reader.ReadToEnd());
        Assert.Equal(PrivateFiles.EffectiveUser, PrivateFiles.OwnerOf(path));
    }

    [Fact]
    public void A_file_others_may_read_a_link_a_second_hard_link_a_folder_or_another_owner_is_refused()
    {
        var open = OwnerOnlyFile("open");
        File.SetUnixFileMode(open, PrivateFiles.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal("files.mode", Refusal(() => PrivateFiles.OpenOwnerOnly(open, PrivateFiles.EffectiveUser)));

        var target = OwnerOnlyFile("target");
        var link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, target);
        Assert.Equal("files.link", Refusal(() => PrivateFiles.OpenOwnerOnly(link, PrivateFiles.EffectiveUser)));

        var hard = Path.Combine(_dir, "hard");
        using (var ln = System.Diagnostics.Process.Start("ln", [target, hard]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        Assert.Equal("files.links", Refusal(() => PrivateFiles.OpenOwnerOnly(hard, PrivateFiles.EffectiveUser)));

        var folder = Directory.CreateDirectory(Path.Combine(_dir, "folder")).FullName;
        Assert.Equal("files.not_regular", Refusal(() => PrivateFiles.OpenOwnerOnly(folder, PrivateFiles.EffectiveUser)));

        var mine = OwnerOnlyFile("mine");
        Assert.Equal("files.owner", Refusal(() => PrivateFiles.OpenOwnerOnly(mine, PrivateFiles.EffectiveUser + 1)));
    }

    [Fact]
    public void A_new_file_is_owner_only_and_nothing_in_its_place_is_written_through()
    {
        var fresh = Path.Combine(_dir, "fresh.csv");
        using (var stream = PrivateFiles.CreateExclusive(fresh))
        {
            stream.WriteByte(1);
        }

        Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(fresh));

        var existing = OwnerOnlyFile("existing.csv", "keep me");
        Assert.Equal("files.exists", Refusal(() => PrivateFiles.CreateExclusive(existing).Dispose()));
        Assert.Equal("keep me", File.ReadAllText(existing));

        var victim = OwnerOnlyFile("victim", "keep me too");
        var link = Path.Combine(_dir, "slips.csv");
        File.CreateSymbolicLink(link, victim);
        Assert.Equal("files.exists", Refusal(() => PrivateFiles.CreateExclusive(link).Dispose()));
        Assert.Equal("keep me too", File.ReadAllText(victim));

        var dangling = Path.Combine(_dir, "dangling.csv");
        var nowhere = Path.Combine(_dir, "nowhere");
        File.CreateSymbolicLink(dangling, nowhere);
        Assert.Equal("files.exists", Refusal(() => PrivateFiles.CreateExclusive(dangling).Dispose()));
        Assert.False(File.Exists(nowhere));
    }
}

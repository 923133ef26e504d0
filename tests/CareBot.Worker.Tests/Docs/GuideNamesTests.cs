using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using CareBot.Core;
using CareBot.Core.Text;
using CareBot.Worker.Cli;

namespace CareBot.Worker.Tests.Docs;

/// <summary>
/// The guides in <c>docs/</c> name only what exists. Every code span (<c>`...`</c>) and every line of a fenced code
/// block is read: each <c>carebot VERB … --option</c> must be a verb of the command line whose help lists the option,
/// each <c>/command</c> one of the chat commands the bot's own help and menu name, and each setting key
/// (<c>Section:Key</c>) a key of appsettings.json or of the settings' options classes. The lists come from the code,
/// so a guide written ahead of a feature fails here until the feature is there.
/// </summary>
public sealed partial class GuideNamesTests
{
    private static readonly string Root = FindRoot();

    /// <summary>Folders a guide names as paths (`/data`, the image's volume), which are not chat commands.</summary>
    private static readonly string[] FileSystemRoots = ["data", "app", "tmp", "usr", "etc", "var", "home", "opt"];

    public static TheoryData<string> Guides()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void The_guides_exist_in_Chinese_and_English()
    {
        var names = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(Path.GetFileName).ToList();
        Assert.Contains("管理员手册.md", names);
        Assert.Contains("教师和家长须知.md", names);
        Assert.Contains("admin-guide.md", names);
        Assert.Contains("teachers-and-parents.md", names);
    }

    [Theory]
    [MemberData(nameof(Guides))]
    public async Task A_guide_names_only_command_line_verbs_and_options_that_exist(string guide)
    {
        var problems = new List<string>();
        var help = new Dictionary<string, (int Code, string Out)>(StringComparer.Ordinal);
        foreach (var span in Spans(guide))
        {
            foreach (Match m in CarebotCall().Matches(span))
            {
                var words = m.Groups["rest"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var path = words.TakeWhile(w => VerbWord().IsMatch(w)).ToList();
                if (path.Count == 0)
                {
                    continue; // "docker run --name carebot --restart …", "carebot VERB": not a call of a verb
                }

                var options = OptionName().Matches(string.Join(' ', words.Skip(path.Count))).Select(o => o.Value).Distinct().ToList();

                // "concern list|show": each alternative of the last word.
                var last = path[^1].Split('|');
                foreach (var alternative in last)
                {
                    var verb = string.Join(' ', path.Take(path.Count - 1).Append(alternative)).Trim();
                    if (!help.TryGetValue(verb, out var shown))
                    {
                        shown = help[verb] = await HelpOf(verb);
                    }

                    if (shown.Code != 0)
                    {
                        problems.Add($"`{span}`: no verb `carebot {verb}`");
                        continue;
                    }

                    problems.AddRange(options.Where(o => !Regex.IsMatch(shown.Out, $@"(?<![\w-]){Regex.Escape(o)}(?![\w-])")).Select(o => $"`{span}`: `carebot {verb}` has no option {o}"));
                }
            }
        }

        Assert.True(problems.Count == 0, $"{guide}:\n{string.Join('\n', problems.Distinct())}");
    }

    [Theory]
    [MemberData(nameof(Guides))]
    public void A_guide_names_only_chat_commands_that_exist(string guide)
    {
        var commands = ChatCommands();
        var problems = Spans(guide)
            .SelectMany(span => ChatCommand().Matches(span).Select(m => (span, name: m.Groups["name"].Value)))
            .Where(x => !commands.Contains(x.name) && !FileSystemRoots.Contains(x.name))
            .Select(x => $"`{x.span}`: no chat command /{x.name}")
            .Distinct()
            .ToList();

        Assert.True(problems.Count == 0, $"{guide}:\n{string.Join('\n', problems)}");
    }

    [Theory]
    [MemberData(nameof(Guides))]
    public void A_guide_names_only_settings_that_exist(string guide)
    {
        var keys = SettingKeys();
        var problems = Spans(guide)
            .SelectMany(span => SettingKey().Matches(span).Select(m => (span, key: m.Value)))
            .Where(x =>
            {
                var key = Regex.Replace(x.key, @"\[\d*\]", "").Replace('.', ':');
                return !keys.Any(k => k.Equals(key, StringComparison.OrdinalIgnoreCase) || k.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase));
            })
            .Select(x => $"`{x.span}`: no setting {x.key}")
            .Distinct()
            .ToList();

        Assert.True(problems.Count == 0, $"{guide}:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public async Task The_checks_find_what_does_not_exist()
    {
        // The three lists are read from the code, and a made-up name is in none of them.
        Assert.Contains("overdue", ChatCommands());
        Assert.DoesNotContain("frobnicate", ChatCommands());
        Assert.Contains("CareBot:Care:VisitEveryDays", SettingKeys());
        Assert.Contains("Telegram:BotUsername", SettingKeys());
        Assert.DoesNotContain("CareBot:Care:VisitEveryWeeks", SettingKeys());
        Assert.Equal(0, (await HelpOf("invite")).Code);
        Assert.Contains("--slips", (await HelpOf("invite")).Out, StringComparison.Ordinal);
        Assert.NotEqual(0, (await HelpOf("frobnicate")).Code);
        Assert.NotEqual(0, (await HelpOf("duty frobnicate")).Code);
        Assert.Equal(0, (await HelpOf("duty import")).Code);
    }

    /// <summary>The guide's inline code spans and the lines of its fenced code blocks (a shell comment cut off).</summary>
    private static IEnumerable<string> Spans(string guide)
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", guide));
        foreach (Match block in FencedBlock().Matches(text))
        {
            foreach (var line in block.Groups["body"].Value.Split('\n'))
            {
                var code = line.Split(" #")[0].Trim();
                if (code.Length > 0 && !code.StartsWith('#'))
                {
                    yield return code;
                }
            }
        }

        foreach (Match span in InlineCode().Matches(FencedBlock().Replace(text, "")))
        {
            yield return span.Groups["code"].Value.Replace("\\|", "|", StringComparison.Ordinal);
        }
    }

    private static async Task<(int Code, string Out)> HelpOf(string verb)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args = [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help", "--lang", "en"];
        var code = await CliApp.RunAsync(args, stdout, stderr, new Dictionary<string, string?>());

        // An unknown verb may still show the root's help: the verb is there only when its own usage line is shown
        // ("carebot duty import <FILE> [options]"; in a test host the program's name is the host's).
        var shown = stdout.ToString();
        return (code == 0 && Regex.IsMatch(shown, $@"Usage:\s+\S+ {Regex.Escape(verb)}(?![\w-])") ? 0 : Math.Max(code, 1), shown);
    }

    /// <summary>The chat commands the bot itself names: in its help texts (every area, both languages) and its "/" menu.</summary>
    private static HashSet<string> ChatCommands()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var language in new[] { Texts.Chinese, Texts.English })
        {
            foreach (var (key, value) in Texts.ForLanguage(language))
            {
                if (key.StartsWith("menu.", StringComparison.Ordinal))
                {
                    names.Add(key["menu.".Length..]);
                }

                if (key.StartsWith("help.", StringComparison.Ordinal) || key.EndsWith(".help", StringComparison.Ordinal) || key.Contains(".help_", StringComparison.Ordinal))
                {
                    names.UnionWith(ChatCommand().Matches(value).Select(m => m.Groups["name"].Value));
                }
            }
        }

        return names;
    }

    /// <summary>Every key of appsettings.json, and every property (nested, list items too) of the options classes.</summary>
    private static HashSet<string> SettingKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void FromJson(string prefix, JsonElement element)
        {
            keys.Add(prefix);
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    FromJson(prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", property.Value);
                }
            }
        }

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "appsettings.json"))))
        {
            FromJson("", json.RootElement);
        }

        void FromType(string prefix, Type type, int depth)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var key = $"{prefix}:{property.Name}";
                keys.Add(key);
                var inner = property.PropertyType.IsGenericType && property.PropertyType.GetGenericArguments() is [var item] ? item : property.PropertyType.IsArray ? property.PropertyType.GetElementType()! : property.PropertyType;
                if (depth < 4 && inner.IsClass && inner != typeof(string) && inner.Namespace?.StartsWith("CareBot", StringComparison.Ordinal) == true)
                {
                    FromType(key, inner, depth + 1);
                }
            }
        }

        foreach (var type in new[] { typeof(CareOptions).Assembly, typeof(CliApp).Assembly }.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
            {
                keys.Add(section);
                FromType(section, type, 0);
            }
        }

        return keys;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareBot.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("CareBot.sln not found above the test's folder");
    }

    [GeneratedRegex(@"```[^\n]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"(?<!`)`(?<code>[^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();

    /// <summary>"carebot VERB …" up to the end, a pipe into another program, "&&" or ";".</summary>
    [GeneratedRegex(@"(?<![\w-])carebot (?=(?<rest>[^;&]*))")]
    private static partial Regex CarebotCall();

    [GeneratedRegex(@"^[a-z]+(\|[a-z]+)*$")]
    private static partial Regex VerbWord();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*")]
    private static partial Regex OptionName();

    /// <summary>"/name" not inside a path or URL ("/data/x", "t.me/bot").</summary>
    [GeneratedRegex(@"(?<![\w/.:~-])/(?<name>[a-z]+)(?![\w/.{-])")]
    private static partial Regex ChatCommand();

    /// <summary>"CareBot:Care:VisitEveryDays", "CareBot:Admins[].Schools": segments start with a capital and a small letter.</summary>
    [GeneratedRegex(@"(?<![\w.])[A-Z][a-z][A-Za-z0-9]*(?::[A-Z][a-z][A-Za-z0-9]*(?:\[\d*\])?)+(?:\.[A-Z][a-z][A-Za-z0-9]*)?")]
    private static partial Regex SettingKey();
}

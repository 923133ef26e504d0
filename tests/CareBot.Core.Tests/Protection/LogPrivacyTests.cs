using System.Collections.Concurrent;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Planning;
using CareBot.Core.Roster;
using CareBot.Core.Tests.Roster;
using Microsoft.Extensions.Logging;

namespace CareBot.Core.Tests.Protection;

/// <summary>Collects every rendered log line (message and exception) at Information and above.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public string All => string.Join("\n", Lines);

    public ILogger<T> For<T>() => new Typed<T>(CreateLogger(typeof(T).FullName!));

    private sealed class Typed<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var props = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{props}] {exception}");
        }
    }
}

public sealed class LogPrivacyTests
{
    private const string Secret = "秘密笔记";

    [Fact]
    public void Update_processing_and_planning_log_no_text_and_no_phone_while_visits_diary_parent_messages_and_imports_run()
    {
        using var provider = new CapturingLoggerProvider();
        using var kit = new ChatTestKit();
        var processor = new UpdateProcessor(kit.Db, kit.Handler, kit.Outbox, kit.Time, provider.For<UpdateProcessor>(), ChatTestKit.Telegram);
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 501);
        var father = kit.AddPerson("张大山", "13700000001", Roles.Parent, 601);
        kit.AddChild("S001", "张小红", mentor, father);

        processor.Process(kit.Text(501, $"/visit 张小红 {Secret}家访"));
        processor.Process(kit.Text(501, $"/talk 张小红 {Secret}谈心"));
        processor.Process(kit.Text(501, $"/diary 张小红 {Secret}日记"));
        processor.Process(kit.Text(501, $"/check 张小红 学习=4 生活=3 心理=2 安全=5 健康=4 {Secret}"));
        processor.Process(kit.Text(501, "/card 张小红"));
        processor.Process(kit.Text(601, $"{Secret}爸爸的话 13700000001"));
        processor.Process(kit.Text(999, $"/start {Secret}"));

        // Imports: one good file, one with problems.
        var importer = RosterTestKit.Importer(kit.Db);
        importer.Import(RosterTestKit.Csv(RosterTestKit.ZhHeader, RosterTestKit.Row("S100", "李四", fatherPhone: "13900000042", notes: Secret)), "zh");
        importer.Import(RosterTestKit.Csv(RosterTestKit.ZhHeader, RosterTestKit.Row("S101", "王五", fatherPhone: "1390000", notes: Secret)), "zh");

        // Planning (reminders, nudges, weekly updates) logs counts.
        var options = new CareOptions();
        new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, options, provider.For<ReminderPlanner>()).Plan();
        new ReminderPlanner(kit.Db, kit.Outbox, kit.Clock, options, provider.For<ReminderPlanner>()).PlanNudges(kit.Clock.Today.AddDays(6));
        new WeeklyUpdatePlanner(kit.Db, kit.Outbox, provider.For<WeeklyUpdatePlanner>()).Plan(kit.Clock.Today);

        var log = provider.All;
        // The planners did log something, so the capture works. (The chat handler and the importer have no logger: what
        // is checked here is that nothing they handle reaches the update processor's or the planners' lines.)
        Assert.NotEmpty(provider.Lines);
        Assert.DoesNotContain(Secret, log, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"1[3-9]\d{9}", log);
        foreach (var name in new[] { "张小红", "张大山", "王老师", "李四" })
        {
            Assert.DoesNotContain(name, log, StringComparison.Ordinal);
        }
    }
}

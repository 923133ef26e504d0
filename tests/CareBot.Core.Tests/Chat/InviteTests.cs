using CareBot.Tests.Shared;
using CareBot.Core.Invites;
using CareBot.Core.Model;

namespace CareBot.Core.Tests.Chat;

public class InviteTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="InviteTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    public InviteTests() => _kit = new ChatTestKit(Store);

    private readonly ChatTestKit _kit;

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Code_is_url_safe_long_random_and_stored_only_as_hash()
    {
        var mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, null);
        var issued = Assert.Single(_kit.Invites.Issue([mentor], 14, "test"));

        Assert.InRange(issued.Code.Length, 32, 64);
        Assert.Matches("^[A-Za-z0-9_-]+$", issued.Code);
        var stored = Assert.Single(_kit.Db.Read(tx => tx.Invites.FindAll().ToList()));
        Assert.NotEqual(issued.Code, stored.CodeHash);
        Assert.Equal(InviteService.Hash(issued.Code), stored.CodeHash);
        Assert.NotEqual(issued.Code, Assert.Single(_kit.Invites.Issue([_kit.AddPerson("b", "13800000009", Roles.Parent, null)], 14, "t")).Code);
    }

    [Fact]
    public void Start_with_code_links_the_chat_greets_by_role_and_the_code_works_once()
    {
        var mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, null);
        var code = _kit.Invites.Issue([mentor], 14, "test")[0].Code;

        var greeting = Assert.Single(_kit.Send(_kit.Text(555, $"/start {code}")));
        Assert.Contains("王老师", greeting);
        Assert.Contains("结对老师", greeting);
        Assert.Equal(555, _kit.Db.Read(tx => tx.People.FindById(mentor.Id).TelegramId));

        var again = Assert.Single(_kit.Send(_kit.Text(556, $"/start {code}")));
        Assert.Contains("用过", again);
        Assert.Null(_kit.Db.Read(tx => tx.People.FindOne(p => p.Chat == TelegramChats.At(556))));
    }

    [Fact]
    public void A_chat_linked_to_someone_else_no_longer_gets_the_previous_persons_waiting_messages()
    {
        var grandpaPhone = _kit.AddPerson("张大山", "13700000001", Roles.Parent, 600);
        _kit.Outbox.Enqueue(new Model.OutboxMessage { Key = "weekly:x", PersonId = grandpaPhone.Id, Chat = TelegramChats.At(600), Text = "张小红 本周情况" });
        var teacher = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, null);
        var code = _kit.Invites.Issue([teacher], 14, "test")[0].Code;

        _kit.Send(_kit.Text(600, $"/start {code}"));

        Assert.Equal(OutboxStatus.Unreachable, _kit.Db.Read(tx => tx.Outbox.FindOne(o => o.Key == "weekly:x").Status));
        Assert.Null(_kit.Db.Read(tx => tx.People.FindById(grandpaPhone.Id).TelegramId));
        Assert.Equal(600, _kit.Db.Read(tx => tx.People.FindById(teacher.Id).TelegramId));
    }

    [Fact]
    public void Expired_and_wrong_codes_get_clear_replies()
    {
        var parent = _kit.AddPerson("张大山", "13700000001", Roles.Parent, null);
        var code = _kit.Invites.Issue([parent], 14, "test")[0].Code;
        Assert.Contains("不正确", Assert.Single(_kit.Send(_kit.Text(600, "/start wrongcode"))));
        _kit.Time.Advance(TimeSpan.FromDays(15));
        Assert.Contains("过期", Assert.Single(_kit.Send(_kit.Text(600, $"/start {code}"))));
        Assert.Null(_kit.Db.Read(tx => tx.People.FindById(parent.Id).TelegramId));
    }

    [Fact]
    public void Repeated_failures_from_one_chat_are_slowed_down_even_for_a_right_code()
    {
        var parent = _kit.AddPerson("张大山", "13700000001", Roles.Parent, null);
        var code = _kit.Invites.Issue([parent], 14, "test")[0].Code;
        for (var i = 0; i < InviteService.FreeFailures; i++)
        {
            _kit.Send(_kit.Text(600, $"/start guess{i}"));
        }

        Assert.Contains("分钟后再试", Assert.Single(_kit.Send(_kit.Text(600, $"/start {code}"))));
        Assert.Null(_kit.Db.Read(tx => tx.People.FindById(parent.Id).TelegramId));

        _kit.Time.Advance(TimeSpan.FromMinutes(2));
        _kit.Send(_kit.Text(600, $"/start {code}"));
        Assert.Equal(600, _kit.Db.Read(tx => tx.People.FindById(parent.Id).TelegramId));
    }

    [Fact]
    public void A_brute_force_run_finds_no_live_code_and_is_slowed_down()
    {
        var people = Enumerable.Range(0, 500).Select(i => _kit.AddPerson($"p{i}", $"137{i:D8}", Roles.Parent, null)).ToList();
        _kit.Invites.Issue(people, 14, "test");
        var linked = 0;
        var throttled = 0;
        const int guesses = 10_000;
        for (var i = 0; i < guesses; i++)
        {
            var chat = 10_000 + (i % 50); // 50 attacking chats
            var result = _kit.Db.Write(tx => _kit.Invites.Redeem(tx, InviteService.NewCode(), TelegramChats.At(chat)));
            linked += result.Status == RedeemStatus.Linked ? 1 : 0;
            throttled += result.Status == RedeemStatus.Throttled ? 1 : 0;
            _kit.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(0, linked);
        // Each chat gets 5 free tries, then waits 1, 2, 4, ... minutes: almost every guess is refused unchecked.
        Assert.True(throttled > guesses * 0.9, $"{throttled} of {guesses} guesses throttled");
        Assert.All(_kit.Db.Read(tx => tx.People.FindAll().ToList()), p => Assert.Null(p.TelegramId));
    }

    [Fact]
    public void Guessing_a_code_is_astronomically_unlikely()
    {
        // 192 random bits; even 10^12 guesses a second for a century find one live code with probability ~2^-100.
        var bits = InviteService.CodeBytes * 8;
        Assert.True(bits >= 128);
        var guessesPerCentury = 1e12 * 3600 * 24 * 365 * 100;
        var liveCodes = 100_000.0;
        Assert.True(guessesPerCentury * liveCodes / Math.Pow(2, bits) < 1e-30);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class InviteTestsOnPostgres : InviteTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

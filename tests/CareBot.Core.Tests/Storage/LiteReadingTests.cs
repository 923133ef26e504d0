using CareBot.Tests.Shared;
using System.Linq.Expressions;
using CareBot.Core.Model;
using CareBot.Storage.LiteDb;

namespace CareBot.Core.Tests.Storage;

/// <summary>Which predicates LiteDB answers alone and which are checked again in memory (LiteDocs).</summary>
public class LiteReadingTests
{
    private static bool Exact(Expression<Func<OutboxMessage, bool>> predicate) => LiteReading.IsExact(predicate);

    private static bool ExactPerson(Expression<Func<Person, bool>> predicate) => LiteReading.IsExact(predicate);

    [Fact]
    public void Plain_comparisons_of_the_documents_own_members_with_captured_values_are_read_by_LiteDB_alone()
    {
        var status = OutboxStatus.Pending;
        var now = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var key = "k/1";
        Assert.True(Exact(o => o.Status == status && o.NotBeforeUtc <= now));
        Assert.True(Exact(o => o.Key == key || o.Id > 5));
        Assert.True(Exact(o => !(o.Status == OutboxStatus.Sent)));
        Assert.True(ExactPerson(p => p.Chat == null || p.UpdatesPaused));
        var chat = TelegramChats.At(100);
        Assert.True(ExactPerson(p => p.Chat == chat));                    // a chat address: one text, compared as LiteDB compares text
    }

    [Fact]
    public void Predicates_LiteDB_reads_differently_are_checked_again()
    {
        var key = "k/1";
        Assert.False(Exact(o => o.Key != key));                       // LiteDB: != on strings by case
        Assert.False(Exact(o => o.Key.StartsWith("k/")));               // a method call
        Assert.False(ExactPerson(p => (p.Roles & Roles.Admin) != 0));  // a flags test
        Assert.False(Exact(o => o.ChannelMessageId < 100));              // null orders first in LiteDB
        Assert.False(Exact(o => o.Status > OutboxStatus.Pending));       // enums are kept as names
        Assert.False(Exact(o => o.NotBeforeUtc.Year == 2024));           // a member of a member
    }
}

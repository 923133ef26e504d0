using System.Linq.Expressions;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage;

/// <summary><see cref="DocMatch"/> keeps the code it compiles per shape of predicate: each call must still answer with its own values.</summary>
public sealed class DocMatchTests
{
    private static Func<Child, bool> ById(string id) => DocMatch.Compile<Child, bool>(c => c.Id == id);

    private static Func<CareRecord, bool> Since(CareKind kind, DateOnly from, IReadOnlyList<string> children) =>
        DocMatch.Compile<CareRecord, bool>(r => r.Kind == kind && r.LocalDate >= from && children.Contains(r.ChildId));

    [Fact]
    public void The_same_predicate_with_other_captured_values_matches_by_those_values()
    {
        foreach (var id in new[] { "S1", "S2", "S3" })
        {
            var match = ById(id);
            Assert.True(match(new Child { Id = id.ToLowerInvariant() })); // strings without regard to case
            Assert.False(match(new Child { Id = "S9" }));
        }

        var visit = new CareRecord { Kind = CareKind.Visit, LocalDate = new DateOnly(2024, 5, 6), ChildId = "s2" };
        Assert.True(Since(CareKind.Visit, new DateOnly(2024, 5, 1), ["S1", "S2"])(visit));
        Assert.False(Since(CareKind.Talk, new DateOnly(2024, 5, 1), ["S1", "S2"])(visit));
        Assert.False(Since(CareKind.Visit, new DateOnly(2024, 5, 7), ["S1", "S2"])(visit));
        Assert.False(Since(CareKind.Visit, new DateOnly(2024, 5, 1), ["S1"])(visit));
    }

    [Fact]
    public void Trees_built_with_other_constants_match_by_their_own_constants()
    {
        var c = Expression.Parameter(typeof(Child), "c");
        Func<Child, bool> Built(string id) =>
            DocMatch.Compile(Expression.Lambda<Func<Child, bool>>(Expression.Equal(Expression.Property(c, nameof(Child.Id)), Expression.Constant(id)), c));

        Assert.True(Built("A")(new Child { Id = "a" }));
        Assert.False(Built("B")(new Child { Id = "a" }));
        Assert.True(Built("B")(new Child { Id = "B" }));
        Assert.False(Built(null!)(new Child { Id = "B" }));
    }

    [Fact]
    public void A_selector_and_a_missing_nested_object_read_as_before()
    {
        var name = DocMatch.Compile<Child, string>(c => c.Name + "/" + c.Id);
        Assert.Equal("小红/S1", name(new Child { Id = "S1", Name = "小红" }));

        var parents = DocMatch.Compile<Child, int>(c => c.Parents.Count);
        Assert.Equal(0, parents(new Child { Id = "S1" }));
    }
}

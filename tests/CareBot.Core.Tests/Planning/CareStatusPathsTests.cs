using CareBot.Tests.Shared;
using CareBot.Core.Model;
using CareBot.Core.Planning;

namespace CareBot.Core.Tests.Planning;

public class CareStatusPathsTests : IDisposable
{
    /// <summary>The provider this suite runs on; <see cref="CareStatusPathsTestsOnPostgres"/> runs it again on PostgreSQL.</summary>
    protected virtual StoreKind Store => StoreKind.LiteDb;

    public CareStatusPathsTests() => _kit = new ChatTestKit(Store);

    private readonly ChatTestKit _kit;

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_mentors_few_children_get_the_same_status_as_the_county_pass()
    {
        var mentor = _kit.AddPerson("王老师", "13800000001", Roles.Mentor, 1);
        var today = _kit.Clock.Today;
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = $"S{i}";
            _kit.AddChild(id, $"孩子{i}", mentor);
            ids.Add(id);
            // Visits long ago (outside the recent window), recently, or never; talks likewise.
            if (i % 3 != 2)
            {
                _kit.Db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = id, Kind = CareKind.Visit, LocalDate = today.AddDays(i % 3 == 0 ? -40 : -3) }));
            }

            if (i % 2 == 0)
            {
                _kit.Db.Write(tx => tx.Records.Insert(new CareRecord { ChildId = id, Kind = CareKind.Talk, LocalDate = today.AddDays(-1 - (i * 5)) }));
            }
        }

        var calculator = new CareStatusCalculator(_kit.Db, _kit.Clock, _kit.Options);
        var few = calculator.ForChildren(today, ids);
        var county = calculator.ForAllPaired(today, _kit.Db.Read(tx => tx.Pairings.FindAll().ToList()));

        Assert.Equal(ids.Count, few.Count);
        foreach (var id in ids)
        {
            Assert.Equal(county[id], few[id]);
        }

        Assert.Equal(today.AddDays(-40), few["S0"].LastVisit);
        Assert.Null(few["S2"].LastVisit);
    }
}

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class CareStatusPathsTestsOnPostgres : CareStatusPathsTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

using System.Diagnostics;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Tests.Shared;
using Xunit.Abstractions;

namespace CareBot.Core.Tests.Storage.Postgres;

/// <summary>
/// How many statements the server sees for the poller's commonest update (a mentor's /visit). Each is a round trip
/// on the network between the worker and the server, which is what the ingest benchmark's ratio against plain Npgsql
/// measures; this keeps the count from creeping back up.
/// </summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public void A_mentors_visit_made_durable_takes_a_handful_of_round_trips()
    {
        using var kit = new ChatTestKit(StoreKind.Postgres);
        var mentor = kit.AddPerson("王老师", "13800000001", Roles.Mentor, 501);
        kit.AddChild("S1", "小红", mentor);
        kit.AddChild("S2", "小明", mentor);
        kit.Processor.Process(kit.Text(501, "/visit 1 热身"));
        Confirmations.BatchHandled(kit.Db);

        // Only this test's database: other tests run on the same server at the same time.
        var database = kit.Db.Path[(kit.Db.Path.LastIndexOf('/') + 1)..];
        var statements = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Npgsql", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem("db.namespace") ?? a.GetTagItem("db.name"), database))
                {
                    lock (statements)
                    {
                        statements.Add(a.DisplayName + " " + (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")));
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var outcome = kit.Processor.Process(kit.Text(501, "/visit 2 今天家访，一切都好"), durable: true);
        Confirmations.BatchHandled(kit.Db);
        listener.Dispose();

        Assert.NotNull(outcome);
        Assert.Equal(2, kit.Db.Read(tx => tx.Records.Count(r => r.Kind == CareKind.Visit)));
        foreach (var s in statements)
        {
            output.WriteLine(s);
        }

        Assert.InRange(statements.Count, 1, 8);
    }
}

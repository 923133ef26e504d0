using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>Turns on several threads: one writer at a time, and a close that waits for the turn in progress.</summary>
public abstract partial class StorageContractTests
{
    /// <summary>Read-modify-write of one counter from one thread per handle in <paramref name="handles"/>.</summary>
    internal static long CountOnHandles(IReadOnlyList<CareDb> handles, int perThread) => CountConcurrently(handles, perThread);

    protected static long CountConcurrently(IReadOnlyList<CareDb> handles, int perThread)
    {
        handles[0].Write(tx => tx.State.Insert(new StateEntry { Id = "counter", Value = 0 }));
        var threads = handles.Select(db => new Thread(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                db.Write(tx =>
                {
                    var counter = tx.State.FindById("counter");
                    Thread.Yield();
                    counter.Value++;
                    tx.State.Update(counter);
                });
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return handles[0].Read(tx => tx.State.FindById("counter").Value);
    }

    [Fact]
    public void Writes_from_several_threads_never_interleave()
    {
        Assert.Equal(4 * 25, CountConcurrently([Db, Db, Db, Db], 25));
    }

    [Fact]
    public void Closing_the_database_waits_for_the_turn_in_progress_on_another_thread()
    {
        var db = Db;
        using var inside = new ManualResetEventSlim();
        Exception? error = null;
        var writer = new Thread(() =>
        {
            try
            {
                db.Write(tx =>
                {
                    tx.People.Insert(new Person { Name = "a", Phone = "1" });
                    inside.Set();
                    Thread.Sleep(300); // the close comes while this turn is still open
                    tx.People.Insert(new Person { Name = "b", Phone = "2" });
                });
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        writer.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));

        Close();
        writer.Join();

        Assert.Null(error);
        Assert.Equal(["a", "b"], Db.Read(tx => tx.People.FindAll().Select(p => p.Name).ToList()));
    }
}

using System.Text.Json;
using CareBot.Core.Model;
using CareBot.Core.Storage;

namespace CareBot.Worker.Hosting;

/// <summary>
/// What the worker knows of each admin request it took, in the database (state <c>admin-request:ID</c>), so that a
/// crash never runs a request twice: the attempts (counted on disk before each run), whether its effect was committed
/// (written in the same transaction as the effect, see <see cref="CareDb.JoinEveryCommit"/>), and its answer once it
/// has one. The entry goes when the answer is in place and the request file removed.
/// </summary>
internal sealed class AdminRequestLedger(CareDb db)
{
    /// <summary>A request whose run was cut short this many times (the worker crashed or was killed) is not run again.</summary>
    public const int MaxAttempts = 2;

    private const string Prefix = "admin-request:";

    /// <summary>What is known of one request: attempts begun, effect committed, the answer when it has one.</summary>
    public sealed record Entry(int Attempts, bool Effect, AdminResult? Answer);

    public Entry? Find(string id) => db.Read(tx => Parse(tx.State.FindById(Prefix + id)));

    /// <summary>Counts an attempt, on disk before the verb runs.</summary>
    public int Begin(string id) => db.Write(tx =>
    {
        var attempts = (Parse(tx.State.FindById(Prefix + id))?.Attempts ?? 0) + 1;
        Save(tx, id, new Entry(attempts, false, null));
        return attempts;
    });

    /// <summary>Inside the transaction of the request's effect: the request was carried out.</summary>
    public static void MarkEffect(CareTx tx, string id)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (Parse(tx.State.FindById(Prefix + id)) is { Effect: false } entry)
        {
            Save(tx, id, entry with { Effect = true });
        }
    }

    /// <summary>The answer, on disk before it is handed out: after a crash it is handed out again, the verb not run.</summary>
    public void Finish(string id, AdminResult answer) => db.Write(tx =>
    {
        var entry = Parse(tx.State.FindById(Prefix + id)) ?? new Entry(0, false, null);
        Save(tx, id, entry with { Answer = answer });
    });

    /// <summary>The request is answered and its file gone: nothing more to remember (the answer may hold invite codes).</summary>
    public void Forget(string id) => db.Write(tx => tx.State.Delete(Prefix + id));

    /// <summary>Entries of requests whose file is gone (a crash after the answer was handed out); returns how many.</summary>
    public int ForgetAllBut(IReadOnlySet<string> pending) => db.Write(tx =>
    {
        var gone = tx.State.Find(e => e.Id.StartsWith(Prefix)).Select(e => e.Id).Where(key => !pending.Contains(key[Prefix.Length..])).ToList();
        foreach (var key in gone)
        {
            tx.State.Delete(key);
        }

        return gone.Count;
    });

    private static void Save(CareTx tx, string id, Entry entry) =>
        tx.State.Upsert(new StateEntry { Id = Prefix + id, Value = entry.Attempts, Text = JsonSerializer.Serialize(entry) });

    private static Entry? Parse(StateEntry? state) => state?.Text is { } text ? JsonSerializer.Deserialize<Entry>(text) : null;
}

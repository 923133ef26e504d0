namespace CareBot.Core.Storage;

/// <summary>Work that joins every transaction one async flow commits (see <see cref="CareDb.JoinEveryCommit"/>).</summary>
public abstract partial class CareDb
{
    private readonly AsyncLocal<Action<CareTx>?> _joinCommits = new();

    /// <summary>
    /// Until the result is disposed, <paramref name="join"/> runs inside every transaction that this async flow (and
    /// what it starts) commits through <see cref="Write{T}"/> or <see cref="WriteDeferred{T}"/>, just before the
    /// commit: a mark that must reach the disk together with the work, or not at all (an admin request's "carried
    /// out", so that a crash right after the commit never runs the request again).
    /// </summary>
    public IDisposable JoinEveryCommit(Action<CareTx> join)
    {
        ArgumentNullException.ThrowIfNull(join);
        var previous = _joinCommits.Value;
        _joinCommits.Value = join;
        return new Joined(this, previous);
    }

    /// <summary>Providers call this inside each transaction they commit, just before the commit.</summary>
    protected void RunCommitJoins(CareTx tx) => _joinCommits.Value?.Invoke(tx);

    private sealed class Joined(CareDb db, Action<CareTx>? previous) : IDisposable
    {
        public void Dispose() => db._joinCommits.Value = previous;
    }
}

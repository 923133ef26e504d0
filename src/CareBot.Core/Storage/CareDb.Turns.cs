namespace CareBot.Core.Storage;

/// <summary>What a turn may do (see <see cref="CareDb"/>).</summary>
public enum TurnMode
{
    Read,
    Write,
    Mark,
}

/// <summary>
/// Turns are explicit: one turn at a time per thread and database. Code that needs the turn it is called from takes
/// its <see cref="CareTx"/>; a turn started inside another is refused, and so is a write inside a read.
/// </summary>
public abstract partial class CareDb
{
    private readonly ThreadLocal<TurnMode?> _turn = new();

    /// <summary>The turn this thread is in on this database, or null.</summary>
    protected TurnMode? CurrentTurn => _turn.Value;

    /// <summary>Whether this thread's turn may write (a Write, WriteDeferred or Mark turn).</summary>
    public bool TurnWrites => _turn.Value is TurnMode.Write or TurnMode.Mark;

    /// <summary>Runs <paramref name="body"/> as a turn of <paramref name="mode"/>; throws when this thread is in a turn already.</summary>
    protected T InTurn<T>(TurnMode mode, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_turn.Value is { } outer)
        {
            throw new InvalidOperationException(
                $"A {mode} turn was started inside a {outer} turn on the same thread: pass the turn's CareTx to the code that needs it.");
        }

        _turn.Value = mode;
        try
        {
            return body();
        }
        finally
        {
            _turn.Value = null;
        }
    }

    /// <summary>Throws unless this thread's turn may write (the providers call it before every write).</summary>
    public void ThrowIfReadOnly()
    {
        if (!TurnWrites)
        {
            throw new InvalidOperationException($"A write in a {(_turn.Value is { } t ? t.ToString() : "missing")} turn: write in a Write, WriteDeferred or Mark turn.");
        }
    }
}

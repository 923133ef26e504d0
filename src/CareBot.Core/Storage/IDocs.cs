using System.Linq.Expressions;

namespace CareBot.Core.Storage;

/// <summary>
/// A document's key: a number (most collections, given by the store on insert when 0) or a string (children, state,
/// reminder marks). Strings match without regard to case in every provider.
/// </summary>
public readonly struct DocId : IEquatable<DocId>
{
    private DocId(object value) => Value = value;

    /// <summary>A <see cref="long"/> or a <see cref="string"/>.</summary>
    public object Value { get; }

    public bool IsString => Value is string;

    public long AsInt64 => Value is long l ? l : throw new InvalidOperationException("The key is not a number.");

    public string AsString => Value as string ?? throw new InvalidOperationException("The key is not a string.");

    public static implicit operator DocId(int value) => new((long)value);

    public static implicit operator DocId(long value) => new(value);

    public static implicit operator DocId(string value) => new(value ?? throw new ArgumentNullException(nameof(value)));

    public static DocId FromInt32(int value) => value;

    public static DocId FromInt64(long value) => value;

    public static DocId FromString(string value) => value;

    public bool Equals(DocId other) => Value is string s
        ? other.Value is string o && string.Equals(s, o, StringComparison.OrdinalIgnoreCase)
        : Equals(Value, other.Value);

    public override bool Equals(object? obj) => obj is DocId other && Equals(other);

    public override int GetHashCode() => Value is string s ? StringComparer.OrdinalIgnoreCase.GetHashCode(s) : Value?.GetHashCode() ?? 0;

    public override string ToString() => Value?.ToString() ?? "";

    public static bool operator ==(DocId left, DocId right) => left.Equals(right);

    public static bool operator !=(DocId left, DocId right) => !left.Equals(right);
}

#nullable disable annotations
/// <summary>
/// One collection of documents inside a turn on the database (see <see cref="CareTx"/>). Every provider keeps the
/// same rules, which the storage contract suite checks on each: keys are unique (string keys without regard to case);
/// an insert with key 0 gets the next number; string comparisons in predicates ignore case; dates come back as UTC to
/// the millisecond; decimals are exact; <see cref="FindAll"/> and <see cref="Slice"/> go in key order. A predicate is
/// a plain comparison of the document's members (what every provider can read); a unique key taken twice throws
/// <see cref="DuplicateKeyException"/> and leaves the turn usable.
/// </summary>
public interface IDocs<T>
    where T : class
{
    /// <summary>The collection's name (the same in every provider).</summary>
    string Name { get; }

    /// <summary>The document with this key, or null.</summary>
    T FindById(DocId id);

    IEnumerable<T> FindAll();

    IEnumerable<T> Find(Expression<Func<T, bool>> predicate, int skip = 0, int limit = int.MaxValue);

    /// <summary>The first <paramref name="limit"/> documents that match, in the order of <paramref name="orderBy"/> (ascending).</summary>
    IEnumerable<T> FindOrdered<TKey>(Expression<Func<T, bool>> predicate, Expression<Func<T, TKey>> orderBy, int limit);

    /// <summary>Some members of each document that matches (all when <paramref name="predicate"/> is null).</summary>
    IEnumerable<TResult> Select<TResult>(Expression<Func<T, bool>> predicate, Expression<Func<T, TResult>> selector);

    /// <summary>Up to <paramref name="limit"/> documents with a key above <paramref name="after"/> (from the first when null), in key order.</summary>
    IReadOnlyList<T> Slice(DocId? after, int limit);

    T FindOne(Expression<Func<T, bool>> predicate);

    int Count();

    int Count(Expression<Func<T, bool>> predicate);

    /// <summary>How many documents match, counting no further than <paramref name="cap"/>.</summary>
    int CountUpTo(Expression<Func<T, bool>> predicate, int cap);

    bool Exists(Expression<Func<T, bool>> predicate);

    /// <summary>Adds the document; a numeric key of 0 is given the next number (and set on the document).</summary>
    DocId Insert(T document);

    /// <summary>Adds the documents (in batches of <paramref name="batchSize"/>); returns how many.</summary>
    int InsertBulk(IEnumerable<T> documents, int batchSize = 5000);

    int Insert(IEnumerable<T> documents);

    /// <summary>Replaces the document with the same key; false when there is none.</summary>
    bool Update(T document);

    /// <summary>Replaces each document with the same key; returns how many were there.</summary>
    int Update(IEnumerable<T> documents);

    /// <summary>Replaces or adds the document; true when it was added.</summary>
    bool Upsert(T document);

    bool Delete(DocId id);

    int DeleteMany(Expression<Func<T, bool>> predicate);

    int DeleteAll();
}
#nullable restore annotations

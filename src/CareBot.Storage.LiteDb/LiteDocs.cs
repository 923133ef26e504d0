using System.Linq.Expressions;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// A LiteDB collection as CareBot's <see cref="IDocs{T}"/>. LiteDB reads the predicates itself (its LINQ visitor);
/// its default collation ignores case, as the contract asks; a duplicate key becomes <see cref="DuplicateKeyException"/>.
/// </summary>
internal sealed class LiteDocs<T>(ILiteCollection<T> collection, CollectionInfo info, Action throwIfReadOnly) : IDocs<T>
    where T : class
{
    public string Name => info.Name;

    public T FindById(DocId id) => collection.FindById(ToBson(id));

    public IEnumerable<T> FindAll() => collection.FindAll();

    public IEnumerable<T> Find(Expression<Func<T, bool>> predicate, int skip = 0, int limit = int.MaxValue) => FindList(predicate, skip, limit);

    private List<T> FindList(Expression<Func<T, bool>> predicate, int skip = 0, int limit = int.MaxValue) =>
        Checked(predicate, () => collection.Find(predicate, skip, limit), all => all.Skip(skip).Take(limit), limited: skip > 0 || limit < int.MaxValue);

    public IEnumerable<T> FindOrdered<TKey>(Expression<Func<T, bool>> predicate, Expression<Func<T, TKey>> orderBy, int limit)
    {
        var comparer = typeof(TKey) == typeof(string) ? (IComparer<TKey>)StringComparer.OrdinalIgnoreCase : Comparer<TKey>.Default;
        return Checked(
            predicate,
            () => collection.Query().Where(predicate).OrderBy(orderBy).Limit(limit).ToEnumerable(),
            all => all.OrderBy(DocMatch.Compile(orderBy), comparer).Take(limit),
            limited: limit < int.MaxValue);
    }

    public IEnumerable<TResult> Select<TResult>(Expression<Func<T, bool>>? predicate, Expression<Func<T, TResult>> selector)
    {
        var select = DocMatch.Compile(selector);
        return (predicate is null ? collection.FindAll() : Find(predicate)).Select(select).ToList();
    }

    public IReadOnlyList<T> Slice(DocId? after, int limit) =>
        (after is null ? collection.Find(Query.All(), 0, limit) : collection.Find(Query.GT("_id", ToBson(after.Value)), 0, limit)).ToList();

    public T FindOne(Expression<Func<T, bool>> predicate) => FindList(predicate, 0, 1).FirstOrDefault()!;

    public int Count() => collection.Count();

    public int Count(Expression<Func<T, bool>> predicate) =>
        LiteReading.IsExact(predicate) ? collection.Count(predicate) : FindList(predicate).Count;

    /// <summary>Counted by LiteDB over the keys alone when it reads the predicate exactly (the heartbeat counts the outbox every 15 s).</summary>
    public int CountUpTo(Expression<Func<T, bool>> predicate, int cap) =>
        LiteReading.IsExact(predicate)
            ? collection.Query().Where(predicate).Select(IdOnly).Limit(Math.Max(cap, 0)).ToEnumerable().Count()
            : FindList(predicate, 0, Math.Max(cap, 0)).Count;

    public bool Exists(Expression<Func<T, bool>> predicate) =>
        LiteReading.IsExact(predicate) ? collection.Exists(predicate) : FindList(predicate, 0, 1).Count != 0;

    private static readonly BsonExpression IdOnly = BsonExpression.Create("$._id");

    /// <summary>
    /// LiteDB's answer to a predicate, checked again in memory with the contract's reading of it (<see cref="DocMatch"/>:
    /// LiteDB compares a string with != by case, for one); a predicate LiteDB cannot read at all (a flags test such as
    /// <c>(p.Roles &amp; Roles.Mentor) != 0</c> on enums kept as names) is answered in memory over the whole collection.
    /// </summary>
    /// <param name="limited">LiteDB skipped or limited its answer: when the check drops any of it, the rows after the limit
    /// are read again in memory (a document LiteDB wrongly counted must not push a real match out of the page).</param>
    private List<T> Checked(Expression<Func<T, bool>> predicate, Func<IEnumerable<T>> lite, Func<IEnumerable<T>, IEnumerable<T>> rest, bool limited)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (LiteReading.IsExact(predicate))
        {
            return lite().ToList();
        }

        var match = DocMatch.Compile(predicate);
        try
        {
            var answer = lite().ToList();
            var kept = answer.Where(match).ToList();
            return kept.Count == answer.Count || !limited ? kept : rest(collection.Find(predicate).Where(match)).ToList();
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidCastException or InvalidOperationException or ArgumentException && ex is not LiteException)
        {
            return rest(collection.FindAll().Where(match)).ToList();
        }
    }

    public DocId Insert(T document)
    {
        throwIfReadOnly();
        try
        {
            ThrowIfTaken([document], replacing: false);
            return FromBson(collection.Insert(document));
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int InsertBulk(IEnumerable<T> documents, int batchSize = 5000)
    {
        throwIfReadOnly();
        try
        {
            // Batch by batch (a copy of a large collection is never all in memory), the keys seen kept across batches.
            ArgumentNullException.ThrowIfNull(documents);
            var empty = !collection.Exists(Query.All());
            var taken = new Taken();
            var total = 0;
            foreach (var batch in documents.Chunk(batchSize))
            {
                ThrowIfTaken(batch, replacing: false, empty, taken);
                total += collection.InsertBulk(batch, batchSize);
            }

            return total;
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int Insert(IEnumerable<T> documents)
    {
        throwIfReadOnly();
        try
        {
            var all = documents as IReadOnlyList<T> ?? documents.ToList();
            ThrowIfTaken(all, replacing: false);
            return collection.Insert(all);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int Update(IEnumerable<T> documents)
    {
        throwIfReadOnly();
        try
        {
            var all = documents as IReadOnlyList<T> ?? documents.ToList();
            ThrowIfTaken(all, replacing: true);
            return collection.Update(all);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Update(T document)
    {
        throwIfReadOnly();
        try
        {
            ThrowIfTaken([document], replacing: true);
            return collection.Update(document);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Upsert(T document)
    {
        throwIfReadOnly();
        try
        {
            ThrowIfTaken([document], replacing: true);
            return collection.Upsert(document);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Delete(DocId id)
    {
        throwIfReadOnly();
        return collection.Delete(ToBson(id));
    }

    public int DeleteMany(Expression<Func<T, bool>> predicate)
    {
        throwIfReadOnly();
        return FindList(predicate).Select(d => ToBson(IdOf(d))).ToList().Count(collection.Delete);
    }

    public int DeleteAll()
    {
        throwIfReadOnly();
        return collection.DeleteAll();
    }

    /// <summary>The members with a unique index (LiteCareDb.EnsureSchema), by collection.</summary>
    private static readonly System.Reflection.PropertyInfo[] UniqueMembers = StorageCatalog.Of<T>().Name switch
    {
        "people" => [typeof(T).GetProperty("Phone")!],
        "invites" => [typeof(T).GetProperty("CodeHash")!],
        "outbox" => [typeof(T).GetProperty("Key")!],
        _ => [],
    };

    private static readonly System.Reflection.PropertyInfo IdProperty = typeof(T).GetProperty("Id")!;

    /// <summary>
    /// Throws <see cref="DuplicateKeyException"/> before LiteDB writes anything when a document would take a key that
    /// is taken (its own key on an insert, or a unique member's value held by another document, without regard to
    /// case), or that another document of the same call takes. LiteDB 5 rolls back the whole transaction when a write
    /// fails inside it (LiteEngine.AutoTransaction), so its own duplicate-key error would lose the turn's earlier
    /// writes; checked first, the turn goes on as the contract says. Writers take turns, so nothing comes between.
    /// </summary>
    private void ThrowIfTaken(IReadOnlyList<T> documents, bool replacing, bool? wasEmpty = null, Taken? taken = null)
    {
        // Into an empty collection (a restore, a copy) only the documents of this call can take each other's keys.
        var empty = wasEmpty ?? (documents.Count > 1 && !collection.Exists(Query.All()));
        taken ??= new Taken();
        var keys = taken.Keys;
        foreach (var document in documents)
        {
            var id = IdOf(document);
            if (!IsNew(id) && !replacing && (!keys.Add(id) || (!empty && collection.FindById(ToBson(id)) is not null)))
            {
                throw new DuplicateKeyException(info.Name);
            }
        }

        foreach (var member in UniqueMembers)
        {
            var values = taken.Values(member.Name);
            foreach (var document in documents)
            {
                if (member.GetValue(document) is not string value)
                {
                    continue;
                }

                var id = IdOf(document);
                if (!values.Add(value)
                    || (!empty && collection.Find(Query.EQ(member.Name, new BsonValue(value))).Any(other => !replacing || IdOf(other) != id || IsNew(id))))
                {
                    throw new DuplicateKeyException(info.Name);
                }
            }
        }
    }

    /// <summary>The keys and unique values of the documents of one call so far.</summary>
    private sealed class Taken
    {
        private readonly Dictionary<string, HashSet<string>> _values = new(StringComparer.Ordinal);

        public HashSet<DocId> Keys { get; } = [];

        public HashSet<string> Values(string member) =>
            _values.TryGetValue(member, out var set) ? set : _values[member] = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }

    private bool IsNew(DocId id) => info.AutoId && !id.IsString && id.AsInt64 == 0;

    private static DocId IdOf(T document) => IdProperty.GetValue(document) switch
    {
        string s => s,
        int i => i,
        long l => l,
        var other => throw new InvalidOperationException($"{typeof(T).Name}.Id is {other?.GetType().Name ?? "null"}."),
    };

    /// <summary>A key as LiteDB keeps it: a string, or an Int32 or Int64 as the document's Id is typed.</summary>
    private BsonValue ToBson(DocId id)
    {
        if (id.IsString)
        {
            return new BsonValue(id.AsString);
        }

        var number = id.AsInt64;
        return info.Type.GetProperty("Id")!.PropertyType == typeof(int) ? new BsonValue(checked((int)number)) : new BsonValue(number);
    }

    private static DocId FromBson(BsonValue value) => value.IsString ? value.AsString : value.AsInt64;
}

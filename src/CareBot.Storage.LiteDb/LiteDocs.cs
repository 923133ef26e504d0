using System.Linq.Expressions;
using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// A LiteDB collection as CareBot's <see cref="IDocs{T}"/>. LiteDB reads the predicates itself (its LINQ visitor);
/// its default collation ignores case, as the contract asks; a duplicate key becomes <see cref="DuplicateKeyException"/>.
/// </summary>
internal sealed class LiteDocs<T>(ILiteCollection<T> collection, CollectionInfo info) : IDocs<T>
    where T : class
{
    public string Name => info.Name;

    public T FindById(DocId id) => collection.FindById(ToBson(id));

    public IEnumerable<T> FindAll() => collection.FindAll();

    public IEnumerable<T> Find(Expression<Func<T, bool>> predicate, int skip = 0, int limit = int.MaxValue) => collection.Find(predicate, skip, limit);

    public IEnumerable<T> FindOrdered<TKey>(Expression<Func<T, bool>> predicate, Expression<Func<T, TKey>> orderBy, int limit) =>
        collection.Query().Where(predicate).OrderBy(orderBy).Limit(limit).ToEnumerable();

    public IEnumerable<TResult> Select<TResult>(Expression<Func<T, bool>>? predicate, Expression<Func<T, TResult>> selector)
    {
        var query = collection.Query();
        if (predicate is not null)
        {
            query = query.Where(predicate);
        }

        return query.Select(selector).ToEnumerable();
    }

    public IReadOnlyList<T> Slice(DocId? after, int limit) =>
        (after is null ? collection.Find(Query.All(), 0, limit) : collection.Find(Query.GT("_id", ToBson(after.Value)), 0, limit)).ToList();

    public T FindOne(Expression<Func<T, bool>> predicate) => collection.FindOne(predicate);

    public int Count() => collection.Count();

    public int Count(Expression<Func<T, bool>> predicate) => collection.Count(predicate);

    public int CountUpTo(Expression<Func<T, bool>> predicate, int cap) =>
        collection.Query().Where(predicate).Select(BsonExpression.Create("$._id")).Limit(cap).ToEnumerable().Count();

    public bool Exists(Expression<Func<T, bool>> predicate) => collection.Exists(predicate);

    public DocId Insert(T document)
    {
        try
        {
            return FromBson(collection.Insert(document));
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int InsertBulk(IEnumerable<T> documents, int batchSize = 5000)
    {
        try
        {
            return collection.InsertBulk(documents, batchSize);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int Insert(IEnumerable<T> documents)
    {
        try
        {
            return collection.Insert(documents);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public int Update(IEnumerable<T> documents)
    {
        try
        {
            return collection.Update(documents);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Update(T document)
    {
        try
        {
            return collection.Update(document);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Upsert(T document)
    {
        try
        {
            return collection.Upsert(document);
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new DuplicateKeyException(info.Name, ex);
        }
    }

    public bool Delete(DocId id) => collection.Delete(ToBson(id));

    public int DeleteMany(Expression<Func<T, bool>> predicate) => collection.DeleteMany(predicate);

    public int DeleteAll() => collection.DeleteAll();

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

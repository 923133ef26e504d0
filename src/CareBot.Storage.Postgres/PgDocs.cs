using System.Linq.Expressions;
using CareBot.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CareBot.Storage.Postgres;

/// <summary>
/// A table of documents as CareBot's <see cref="IDocs{T}"/>. Predicates are narrowed in SQL where they can be
/// (<see cref="PgPredicate"/>) and every row is checked again in memory (<see cref="DocMatch"/>), so an answer never
/// depends on the translation. Results are read whole before they are returned: the turn's connection is free again
/// for the next statement.
/// </summary>
internal sealed partial class PgDocs<T> : IDocs<T>
    where T : class
{
    private readonly PgSession _session;
    private readonly CollectionInfo _info;
    private readonly string _key;

    public PgDocs(PgSession session)
    {
        _session = session;
        _info = StorageCatalog.Of<T>();
        _key = _info.StringKey ? "key" : "id";
    }

    public string Name => _info.Name;

    public T FindById(DocId id)
    {
        var p = KeyParameter("@k", id);
        return _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {_key} = {KeySql("@k")}", [p]).FirstOrDefault())!;
    }

    public IEnumerable<T> FindAll() => _session.Run(Name, () => Query($"SELECT doc FROM {Name} ORDER BY {_key}", []));

    public IEnumerable<T> Find(Expression<Func<T, bool>> predicate, int skip = 0, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var parameters = new List<NpgsqlParameter>();
        var where = PgPredicate.Translate(predicate, _info.StringKey, parameters);
        if (where.Exact)
        {
            // The server answers the predicate exactly as the contract reads it: no check in memory.
            return _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {where.Where} ORDER BY {_key}{Page(skip, limit)}", parameters));
        }

        var match = DocMatch.Compile(predicate);
        var rows = _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {where.Where} ORDER BY {_key}", parameters));
        return rows.Where(match).Skip(skip).Take(limit).ToList();
    }

    public IEnumerable<T> FindOrdered<TKey>(Expression<Func<T, bool>> predicate, Expression<Func<T, TKey>> orderBy, int limit)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(orderBy);
        var parameters = new List<NpgsqlParameter>();
        var where = PgPredicate.Translate(predicate, _info.StringKey, parameters);
        var order = SortableInSql(orderBy);
        if (where.Exact && order is not null)
        {
            return _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {where.Where} ORDER BY {order} NULLS FIRST, {_key}{Page(0, limit)}", parameters));
        }

        var match = DocMatch.Compile(predicate);

        var key = DocMatch.Compile(orderBy);
        var comparer = typeof(TKey) == typeof(string) ? (IComparer<TKey>)StringComparer.OrdinalIgnoreCase : Comparer<TKey>.Default;
        var rows = _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {where.Where} ORDER BY {_key}", parameters));
        return rows.Where(match).OrderBy(key, comparer).Take(limit).ToList();
    }

    public IEnumerable<TResult> Select<TResult>(Expression<Func<T, bool>>? predicate, Expression<Func<T, TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var select = DocMatch.Compile(selector);
        var rows = predicate is null ? FindAll() : Find(predicate);
        return rows.Select(select).ToList();
    }

    public IReadOnlyList<T> Slice(DocId? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (after is null)
        {
            return _session.Run(Name, () => Query($"SELECT doc FROM {Name} ORDER BY {_key}{Page(0, limit)}", []));
        }

        var p = KeyParameter("@k", after.Value);
        return _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {_key} > {KeySql("@k")} ORDER BY {_key}{Page(0, limit)}", [p]));
    }

    public T FindOne(Expression<Func<T, bool>> predicate) => Find(predicate, 0, 1).FirstOrDefault()!;

    public int Count() => _session.Run(Name, () =>
    {
        using var command = _session.Command($"SELECT count(*) FROM {Name}");
        return checked((int)(long)command.ExecuteScalar()!);
    });

    public int Count(Expression<Func<T, bool>> predicate) => CountUpTo(predicate, int.MaxValue);

    /// <summary>Counted by the server when it reads the predicate exactly, else the matching documents in memory.</summary>
    public int CountUpTo(Expression<Func<T, bool>> predicate, int cap)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        cap = Math.Max(cap, 0);
        var parameters = new List<NpgsqlParameter>();
        var where = PgPredicate.Translate(predicate, _info.StringKey, parameters);
        if (!where.Exact)
        {
            return Find(predicate, 0, cap).Count();
        }

        return _session.Run(Name, () =>
        {
            using var command = _session.Command($"SELECT count(*) FROM (SELECT 1 FROM {Name} WHERE {where.Where}{Page(0, cap)}) m", parameters);
            return checked((int)(long)command.ExecuteScalar()!);
        });
    }

    public bool Exists(Expression<Func<T, bool>> predicate) => CountUpTo(predicate, 1) > 0;

    public bool Delete(DocId id)
    {
        _session.ThrowIfReadOnly();
        var p = KeyParameter("@k", id);
        return Write(() =>
        {
            using var command = _session.Command($"DELETE FROM {Name} WHERE {_key} = {KeySql("@k")}", [p]);
            return command.ExecuteNonQuery();
        }) > 0;
    }

    public int DeleteMany(Expression<Func<T, bool>> predicate)
    {
        _session.ThrowIfReadOnly();
        ArgumentNullException.ThrowIfNull(predicate);
        var parameters = new List<NpgsqlParameter>();
        var where = PgPredicate.Translate(predicate, _info.StringKey, parameters);
        var match = DocMatch.Compile(predicate);
        var doomed = _session.Run(Name, () => Query($"SELECT doc FROM {Name} WHERE {where.Where} ORDER BY {_key}", parameters))
            .Where(match)
            .Select(IdOf)
            .ToList();
        if (doomed.Count == 0)
        {
            return 0;
        }

        var keys = KeysParameter("@k", doomed);
        return Write(() =>
        {
            using var command = _session.Command($"DELETE FROM {Name} WHERE {_key} = ANY({KeysSql("@k")})", [keys]);
            return command.ExecuteNonQuery();
        });
    }

    public int DeleteAll()
    {
        _session.ThrowIfReadOnly();
        return Write(() =>
        {
            using var command = _session.Command($"DELETE FROM {Name}");
            return command.ExecuteNonQuery();
        });
    }

    /// <summary>A LIMIT (and OFFSET) for the server, nothing when there is no limit.</summary>
    private static string Page(int skip, int limit) =>
        (limit == int.MaxValue ? "" : $" LIMIT {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
        + (skip == 0 ? "" : $" OFFSET {skip.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>The SQL of an order the server keeps as C# does (numbers, dates, a numeric key), or null.</summary>
    private string? SortableInSql<TKey>(Expression<Func<T, TKey>> orderBy)
    {
        var body = orderBy.Body is UnaryExpression { NodeType: ExpressionType.Convert } u ? u.Operand : orderBy.Body;
        var member = PgMember.Of(body, orderBy.Parameters[0], _info.StringKey);
        if (member is null)
        {
            return null;
        }

        if (member.IsKey)
        {
            return member.StringKey ? null : "id";
        }

        return member.Kind == SqlKind.Time || (member.Kind == SqlKind.Json && member.Underlying != typeof(bool) && member.NullableValue)
            ? member.Sql
            : null;
    }

    private List<T> Query(string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        using var command = _session.Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(PgJson.Deserialize<T>(reader.GetString(0)));
        }

        return list;
    }

    private NpgsqlParameter KeyParameter(string name, DocId id) => _info.StringKey
        ? new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = id.AsString }
        : new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = id.AsInt64 };

    private NpgsqlParameter KeysParameter(string name, IReadOnlyCollection<DocId> ids) => _info.StringKey
        ? new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.Select(i => i.AsString).ToArray() }
        : new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids.Select(i => i.AsInt64).ToArray() };

    private string KeySql(string name) => _info.StringKey ? $"upper({name})" : name;

    private string KeysSql(string name) => _info.StringKey ? $"ARRAY(SELECT upper(v) FROM unnest({name}) v)" : name;

    private int Write(Func<int> statement)
    {
        var n = _session.Run(Name, statement);
        _session.Wrote = true;
        return n;
    }
}

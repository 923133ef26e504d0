using System.Reflection;
using CareBot.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CareBot.Storage.Postgres;

/// <summary>
/// The writes of a table. A taken key is <see cref="DuplicateKeyException"/> and the turn goes on: a single insert
/// uses <c>ON CONFLICT DO NOTHING</c> and its row count; a statement that can fail on a unique index runs under a
/// savepoint (<see cref="PgSession.Guarded{T}"/>). A numeric key of 0 takes the table's sequence; an explicit key moves
/// the sequence past it, so a key copied in (<c>migrate</c>) never meets a generated one later.
/// </summary>
internal sealed partial class PgDocs<T>
{
    private static readonly PropertyInfo IdProperty = typeof(T).GetProperty("Id") ?? throw new InvalidOperationException($"{typeof(T).Name} has no Id.");

    public DocId Insert(T document)
    {
        _session.ThrowIfReadOnly();
        ArgumentNullException.ThrowIfNull(document);
        if (_info.AutoId && IdOf(document).AsInt64 == 0)
        {
            var json = Json(document);
            var id = _session.Run(Name, () =>
            {
                using var command = _session.Command(
                    $"WITH n AS (SELECT nextval('{PgSchema.Sequence(_info)}') AS id) INSERT INTO {Name} (id, doc) "
                    + "SELECT n.id, jsonb_set(@doc, '{Id}', to_jsonb(n.id)) FROM n ON CONFLICT DO NOTHING RETURNING id",
                    [json]);
                return command.ExecuteScalar();
            });
            _session.Wrote = true;
            if (id is not long generated)
            {
                throw new DuplicateKeyException(Name);
            }

            SetId(document, generated);
            return generated;
        }

        var key = IdOf(document);
        var inserted = Write(() => Batch(
            $"INSERT INTO {Name} ({_key}, doc) VALUES ({KeySql("@k")}, @doc) ON CONFLICT DO NOTHING",
            [KeyParameter("@k", key), Json(document)],
            MoveSequence(key)));
        if (inserted == 0)
        {
            throw new DuplicateKeyException(Name);
        }

        return key;
    }

    public int Insert(IEnumerable<T> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var n = 0;
        foreach (var document in documents)
        {
            Insert(document);
            n++;
        }

        return n;
    }

    public int InsertBulk(IEnumerable<T> documents, int batchSize = 5000)
    {
        _session.ThrowIfReadOnly();
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var total = 0;
        foreach (var batch in documents.Chunk(batchSize))
        {
            if (_info.AutoId)
            {
                var fresh = batch.Where(d => IdOf(d).AsInt64 == 0).ToList();
                if (fresh.Count > 0)
                {
                    var ids = NextIds(fresh.Count);
                    for (var i = 0; i < fresh.Count; i++)
                    {
                        SetId(fresh[i], ids[i]);
                    }
                }
            }

            var keys = batch.Select(IdOf).ToList();
            var docs = new NpgsqlParameter("@docs", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = batch.Select(PgJson.Serialize).ToArray() };
            var sql = _info.StringKey
                ? $"INSERT INTO {Name} (key, doc) SELECT upper(k), d FROM unnest(@k, @docs) AS u(k, d)"
                : $"INSERT INTO {Name} (id, doc) SELECT k, d FROM unnest(@k, @docs) AS u(k, d)";
            var highest = _info.AutoId ? keys.Max(k => k.AsInt64) : 0;
            total += _session.Guarded(Name, () => Write(() => Batch(sql, [KeysParameter("@k", keys), docs], MoveSequence(highest))));
        }

        return total;
    }

    public bool Update(T document)
    {
        _session.ThrowIfReadOnly();
        ArgumentNullException.ThrowIfNull(document);
        var key = IdOf(document);
        return Unique(() => Write(() =>
        {
            using var command = _session.Command($"UPDATE {Name} SET doc = @doc WHERE {_key} = {KeySql("@k")}", [KeyParameter("@k", key), Json(document)]);
            return command.ExecuteNonQuery();
        })) > 0;
    }

    public int Update(IEnumerable<T> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return documents.Count(Update);
    }

    public bool Upsert(T document)
    {
        _session.ThrowIfReadOnly();
        ArgumentNullException.ThrowIfNull(document);
        var key = IdOf(document);
        if (_info.AutoId && key.AsInt64 == 0)
        {
            Insert(document);
            return true;
        }

        var inserted = Unique(() => _session.Run(Name, () =>
        {
            using var batch = new NpgsqlBatch(_session.Connection, _session.Transaction);
            var upsert = new NpgsqlBatchCommand(
                $"INSERT INTO {Name} ({_key}, doc) VALUES ({KeySql("@k")}, @doc) ON CONFLICT ({_key}) DO UPDATE SET doc = EXCLUDED.doc RETURNING (xmax = 0)");
            upsert.Parameters.Add(KeyParameter("@k", key));
            upsert.Parameters.Add(Json(document));
            batch.BatchCommands.Add(upsert);
            AddSequenceMove(batch, key);
            return (bool)batch.ExecuteScalar()!;
        }));
        _session.Wrote = true;
        return inserted;
    }

    /// <summary>A write that may take a key of a unique index other than the row's own: under a savepoint.</summary>
    private TResult Unique<TResult>(Func<TResult> write) => PgSchema.HasUniqueIndex(_info) ? _session.Guarded(Name, write) : _session.Run(Name, write);

    private List<long> NextIds(int count) => _session.Run(Name, () =>
    {
        using var command = _session.Command($"SELECT nextval('{PgSchema.Sequence(_info)}') FROM generate_series(1, @n)",
            [new NpgsqlParameter("@n", NpgsqlDbType.Integer) { Value = count }]);
        using var reader = command.ExecuteReader();
        var ids = new List<long>(count);
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    });

    /// <summary>Runs <paramref name="sql"/> (and the sequence move, if any) in one round trip; returns the rows <paramref name="sql"/> changed.</summary>
    private int Batch(string sql, IEnumerable<NpgsqlParameter> parameters, NpgsqlBatchCommand? then)
    {
        using var batch = new NpgsqlBatch(_session.Connection, _session.Transaction);
        var first = new NpgsqlBatchCommand(sql);
        foreach (var p in parameters)
        {
            first.Parameters.Add(p);
        }

        batch.BatchCommands.Add(first);
        if (then is not null)
        {
            batch.BatchCommands.Add(then);
        }

        batch.ExecuteNonQuery();
        return first.RecordsAffected;
    }

    private void AddSequenceMove(NpgsqlBatch batch, DocId key)
    {
        if (MoveSequence(key) is { } move)
        {
            batch.BatchCommands.Add(move);
        }
    }

    /// <summary>Moves the sequence of an auto-numbered table past an explicit key (nothing for other tables).</summary>
    private NpgsqlBatchCommand? MoveSequence(DocId key)
    {
        if (!_info.AutoId || key.AsInt64 <= 0)
        {
            return null;
        }

        var seq = PgSchema.Sequence(_info);
        var move = new NpgsqlBatchCommand(
            $"SELECT setval('{seq}', @top) FROM {seq} WHERE @top > (CASE WHEN is_called THEN last_value ELSE 0 END)");
        move.Parameters.Add(new NpgsqlParameter("@top", NpgsqlDbType.Bigint) { Value = key.AsInt64 });
        return move;
    }

    private static NpgsqlParameter Json(T document) => new("@doc", NpgsqlDbType.Jsonb) { Value = PgJson.Serialize(document) };

    private static DocId IdOf(T document) => IdProperty.GetValue(document) switch
    {
        string s => s,
        int i => i,
        long l => l,
        var other => throw new InvalidOperationException($"{typeof(T).Name}.Id is {other?.GetType().Name ?? "null"}."),
    };

    private static void SetId(T document, long id) =>
        IdProperty.SetValue(document, IdProperty.PropertyType == typeof(int) ? (object)checked((int)id) : id);
}

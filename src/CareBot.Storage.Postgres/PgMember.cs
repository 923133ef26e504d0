using System.Globalization;
using System.Reflection;
using System.Text.Json;
using NpgsqlTypes;

namespace CareBot.Storage.Postgres;

/// <summary>How a member of a document is compared in SQL, by its .NET type.</summary>
internal enum SqlKind
{
    /// <summary>Not comparable in SQL (a list, an object, a type without a stored text order).</summary>
    None,
    /// <summary>A string: <c>upper(doc->>'M')</c> against <c>upper(@p)</c> (no regard to case).</summary>
    String,
    /// <summary>A number or bool: <c>doc->'M'</c> against a jsonb value (numeric order).</summary>
    Json,
    /// <summary>An enum: <c>doc->>'M'</c> against its stored name.</summary>
    Name,
    /// <summary>A DateOnly or DateTime: fixed-width text, so <c>COLLATE "C"</c> order is time order.</summary>
    Time,
}

/// <summary>
/// A member path of a document (x.A.B) as SQL over the row: the key column for the top-level Id, otherwise a jsonb
/// extraction. The schema's expression indexes are written with the same text, so the planner can use them.
/// </summary>
internal sealed record PgMember(string[] Path, Type Type, bool IsKey, bool StringKey)
{
    public Type Underlying { get; } = Nullable.GetUnderlyingType(Type) ?? Type;

    /// <summary>Whether a missing member reads back as null (a reference or Nullable); otherwise as default(T).</summary>
    public bool NullableValue => !Type.IsValueType || Nullable.GetUnderlyingType(Type) is not null;

    public SqlKind Kind => Classify(Underlying);

    public static SqlKind Classify(Type t)
    {
        // A chat address is stored as its text and compares as one: without regard to case.
        if (t == typeof(string) || t == typeof(Core.Model.ChatAddress))
        {
            return SqlKind.String;
        }

        if (t.IsEnum)
        {
            return SqlKind.Name;
        }

        if (t == typeof(DateOnly) || t == typeof(DateTime))
        {
            return SqlKind.Time;
        }

        return Type.GetTypeCode(t) switch
        {
            TypeCode.Boolean or TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32
                or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Decimal => SqlKind.Json,
            _ => SqlKind.None,
        };
    }

    private string JsonPath => Path.Length == 1
        ? $"doc->'{Path[0]}'"
        : $"doc#>'{{{string.Join(',', Path)}}}'";

    private string TextPath => Path.Length == 1
        ? $"doc->>'{Path[0]}'"
        : $"doc#>>'{{{string.Join(',', Path)}}}'";

    /// <summary>The member's value in SQL, as compared (null when missing).</summary>
    public string Sql => IsKey
        ? (StringKey ? "key" : "id")
        : Kind switch
        {
            SqlKind.String => $"upper({TextPath})",
            SqlKind.Json => $"({JsonPath})",
            SqlKind.Name => $"({TextPath})",
            SqlKind.Time => $"(({TextPath}) COLLATE \"C\")",
            _ => $"({JsonPath})",
        };

    /// <summary>SQL true when the member is missing (or JSON null).</summary>
    public string IsNullSql => IsKey ? "false" : $"({TextPath}) IS NULL";

    /// <summary>The SQL placeholder for a value compared with this member (folded for strings).</summary>
    public string Placeholder(string name) => IsKey
        ? (StringKey ? $"upper({name})" : name)
        : Kind switch
        {
            SqlKind.String => $"upper({name})",
            SqlKind.Time => $"({name} COLLATE \"C\")",
            _ => name,
        };

    /// <summary>The parameter type of a value compared with this member.</summary>
    public NpgsqlDbType DbType => IsKey
        ? (StringKey ? NpgsqlDbType.Text : NpgsqlDbType.Bigint)
        : Kind == SqlKind.Json ? NpgsqlDbType.Jsonb : NpgsqlDbType.Text;

    /// <summary>A constant of another numeric type (an int literal compared with a long member) as the member's own type.</summary>
    private object AsUnderlying(object value)
    {
        if (Underlying.IsInstanceOfType(value))
        {
            return value;
        }

        if (Underlying.IsEnum)
        {
            return Enum.ToObject(Underlying, value);
        }

        return value is IConvertible && Underlying.IsPrimitive ? Convert.ChangeType(value, Underlying, CultureInfo.InvariantCulture) : value;
    }

    /// <summary>A value of this member's type as the parameter holds it (stored text, jsonb text, or a key).</summary>
    public object ToParameter(object value)
    {
        if (IsKey)
        {
            return StringKey ? (string)value : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }

        return Kind switch
        {
            SqlKind.String => value as string ?? ((Core.Model.ChatAddress)value).ToString(),
            SqlKind.Json => JsonSerializer.Serialize(AsUnderlying(value), Underlying, PgJson.Options),
            SqlKind.Name => JsonSerializer.SerializeToElement(value, Underlying, PgJson.Options) is { ValueKind: JsonValueKind.String } e
                ? e.GetString()!
                : JsonSerializer.Serialize(value, Underlying, PgJson.Options),
            SqlKind.Time => value is DateOnly d ? PgJson.FormatDate(d) : PgJson.FormatTicks((DateTime)value),
            _ => throw new InvalidOperationException("Not comparable in SQL."),
        };
    }

    /// <summary>The member path of <paramref name="member"/>, when it reads the document itself (x.A, x.A.B).</summary>
    public static PgMember? Of(System.Linq.Expressions.Expression? e, System.Linq.Expressions.ParameterExpression doc, bool stringKey)
    {
        var names = new List<string>();
        Type? type = null;
        while (e is System.Linq.Expressions.MemberExpression { Member: PropertyInfo property } m)
        {
            if (!Core.Storage.StorageCatalog.IsStored(property))
            {
                return null;
            }

            type ??= property.PropertyType;
            names.Insert(0, property.Name);
            e = m.Expression;
        }

        if (e != doc || type is null)
        {
            return null;
        }

        var isKey = names is ["Id"];
        return new PgMember([.. names], type, isKey, stringKey);
    }
}

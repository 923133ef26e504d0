using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Npgsql;

namespace CareBot.Storage.Postgres;

/// <summary>
/// The SQL part of a predicate: a WHERE clause that keeps at least every row the predicate matches (it only narrows;
/// each row is checked again in memory, see <see cref="DocMatch"/>). What cannot be said exactly in SQL is left out: an
/// AND drops the part, an OR or a NOT around it gives up. <see cref="Exact"/> tells when the clause keeps exactly the
/// matching rows, so a LIMIT may go to the server.
/// </summary>
internal sealed class PgPredicate
{
    private readonly ParameterExpression _doc;
    private readonly bool _stringKey;
    private readonly List<NpgsqlParameter> _parameters;

    private PgPredicate(ParameterExpression doc, bool stringKey, List<NpgsqlParameter> parameters)
    {
        _doc = doc;
        _stringKey = stringKey;
        _parameters = parameters;
    }

    /// <summary>The WHERE clause ("true" when nothing could be said).</summary>
    public string Where { get; private init; } = "true";

    public bool Exact { get; private init; }

    public static PgPredicate Translate(LambdaExpression? predicate, bool stringKey, List<NpgsqlParameter> parameters)
    {
        if (predicate is null)
        {
            return new PgPredicate(null!, stringKey, parameters) { Where = "true", Exact = true };
        }

        var t = new PgPredicate(predicate.Parameters[0], stringKey, parameters);
        var before = parameters.Count;
        var sql = t.Visit(predicate.Body, exact: false);
        if (sql is null)
        {
            parameters.RemoveRange(before, parameters.Count - before);
            return new PgPredicate(null!, stringKey, parameters) { Where = "true", Exact = false };
        }

        return new PgPredicate(null!, stringKey, parameters) { Where = sql.Value.Sql, Exact = sql.Value.Exact };
    }

    /// <summary>SQL that is true for every row where <paramref name="e"/> is (and exactly those when Exact); NULL counts as false.</summary>
    private (string Sql, bool Exact)? Visit(Expression e, bool exact)
    {
        switch (e)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } b when b.Type == typeof(bool):
            {
                var l = Visit(b.Left, exact);
                var r = Visit(b.Right, exact);
                if (l is null || r is null)
                {
                    // Dropping a part of an AND keeps more rows, never fewer; not allowed where the answer must be exact.
                    return exact ? null : ((l ?? r)?.Sql ?? "true", false);
                }

                return ($"({l.Value.Sql} AND {r.Value.Sql})", l.Value.Exact && r.Value.Exact);
            }

            case BinaryExpression { NodeType: ExpressionType.OrElse or ExpressionType.Or } b when b.Type == typeof(bool):
            {
                var l = Visit(b.Left, exact);
                var r = Visit(b.Right, exact);
                return l is null || r is null ? null : ($"({l.Value.Sql} OR {r.Value.Sql})", l.Value.Exact && r.Value.Exact);
            }

            case UnaryExpression { NodeType: ExpressionType.Not } u when u.Type == typeof(bool):
            {
                var inner = Visit(u.Operand, exact: true);
                return inner is { Exact: true } ? ($"(NOT coalesce({inner.Value.Sql}, false))", true) : null;
            }

            case BinaryExpression b:
                return Compare(b);

            case MemberExpression m when m.Type == typeof(bool) && PgMember.Of(m, _doc, _stringKey) is { } member:
                return Equal(member, true);

            case MethodCallExpression call:
                return Call(call);

            case ConstantExpression { Value: bool value }:
                return (value ? "true" : "false", true);

            default:
                return null;
        }
    }

    private (string Sql, bool Exact)? Compare(BinaryExpression b)
    {
        var op = b.NodeType;
        if (op is not (ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
            or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual))
        {
            return null;
        }

        var left = Strip(b.Left);
        var right = Strip(b.Right);
        var member = Member(left);
        Expression other = right;
        if (member is null)
        {
            member = Member(right);
            other = left;
            op = Flip(op);
        }

        if (member is null || DependsOnDoc(other) || !TryEvaluate(other, out var value))
        {
            return null;
        }

        // Enums are compared as their underlying numbers in expression trees: give the number back its enum type.
        if (value is not null && member.Underlying.IsEnum && value.GetType() != member.Underlying)
        {
            value = Enum.ToObject(member.Underlying, value);
        }

        if (value is null)
        {
            return op switch
            {
                ExpressionType.Equal => (member.IsNullSql, true),
                ExpressionType.NotEqual => ($"(NOT {member.IsNullSql})", true),
                _ => ("false", true), // a lifted comparison with null is false
            };
        }

        if (member.Kind == SqlKind.None && !member.IsKey)
        {
            return null;
        }

        if (op == ExpressionType.Equal)
        {
            return Equal(member, value);
        }

        if (op == ExpressionType.NotEqual)
        {
            var eq = Equal(member, value);
            return eq is { Exact: true } ? ($"(NOT coalesce({eq.Value.Sql}, false))", true) : null;
        }

        if (member.Kind == SqlKind.String || member.Kind == SqlKind.Name || (member.Kind == SqlKind.Json && member.Underlying == typeof(bool)))
        {
            return null; // text order of names and strings is not the C# order
        }

        if (value is DateTime dt && dt.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            // Stored times are whole milliseconds t; against c = t' + d (0 < d < 1 ms): x < c iff x <= t', x > c iff x > t'.
            op = op is ExpressionType.LessThan or ExpressionType.LessThanOrEqual ? ExpressionType.LessThanOrEqual : ExpressionType.GreaterThan;
        }

        var sql = $"({member.Sql} {SqlOp(op)} {Parameter(member, value)})";
        return (MissingMatches(member, op, value) ? $"({sql} OR {member.IsNullSql})" : sql, true);
    }

    private (string Sql, bool Exact)? Equal(PgMember member, object value)
    {
        if (value is DateTime dt && dt.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return ("false", true); // no stored time has a fraction of a millisecond
        }

        var sql = $"({member.Sql} = {Parameter(member, value)})";
        if (MissingMatches(member, ExpressionType.Equal, value))
        {
            sql = $"({sql} OR {member.IsNullSql})";
        }

        // Strings are folded by the server's upper(), close to but not surely the same as OrdinalIgnoreCase.
        return (sql, member.Kind != SqlKind.String && !(member.IsKey && member.StringKey));
    }

    /// <summary>Whether a document without the member (it reads as default(T)) matches the comparison.</summary>
    private static bool MissingMatches(PgMember member, ExpressionType op, object value)
    {
        if (member.IsKey || member.NullableValue)
        {
            return false;
        }

        var missing = Activator.CreateInstance(member.Underlying)!;
        var c = member.Kind == SqlKind.Json && member.Underlying != typeof(bool)
            ? decimal.Zero.CompareTo(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture)) // numbers of two widths
            : Comparer.Default.Compare(missing, value);
        return op switch
        {
            ExpressionType.Equal => c == 0,
            ExpressionType.LessThan => c < 0,
            ExpressionType.LessThanOrEqual => c <= 0,
            ExpressionType.GreaterThan => c > 0,
            ExpressionType.GreaterThanOrEqual => c >= 0,
            _ => false,
        };
    }

    private (string Sql, bool Exact)? Call(MethodCallExpression call)
    {
        var method = call.Method;
        if (method.DeclaringType == typeof(string) && method.Name is "StartsWith" && call.Object is not null
            && call.Arguments.Count >= 1 && call.Arguments[0].Type == typeof(string)
            && Member(call.Object) is { } prefixed && (prefixed.Kind == SqlKind.String || prefixed.IsKey)
            && !DependsOnDoc(call.Arguments[0]) && TryEvaluate(call.Arguments[0], out var prefix) && prefix is string p)
        {
            return ($"starts_with({prefixed.Sql}, {Parameter(prefixed, p)})", false);
        }

        if (method.Name == "Equals" && method.ReturnType == typeof(bool))
        {
            var (l, r) = call.Object is not null && call.Arguments.Count >= 1 ? (call.Object, call.Arguments[0])
                : call.Object is null && call.Arguments.Count >= 2 ? (call.Arguments[0], call.Arguments[1])
                : (null, null);
            if (l is not null && r is not null && l.Type == r.Type)
            {
                return Compare(Expression.Equal(l, r));
            }

            return null;
        }

        if (method.Name == "Contains" && method.ReturnType == typeof(bool))
        {
            var (source, item) = call.Object is null && call.Arguments.Count == 2 ? (call.Arguments[0], call.Arguments[1])
                : call.Object is not null && call.Arguments.Count == 1 && typeof(IEnumerable).IsAssignableFrom(call.Object.Type) ? (call.Object, call.Arguments[0])
                : (null, null);
            if (source is null || item is null || Member(Strip(item)) is not { } member || DependsOnDoc(source)
                || !TryEvaluate(source, out var list) || list is not IEnumerable values || (member.Kind == SqlKind.None && !member.IsKey))
            {
                return null;
            }

            return In(member, values);
        }

        return null;
    }

    private (string Sql, bool Exact)? In(PgMember member, IEnumerable values)
    {
        var items = new List<object>();
        var hasNull = false;
        foreach (var v in values)
        {
            if (v is null)
            {
                hasNull = true;
                continue;
            }

            items.Add(member.Underlying.IsEnum && v.GetType() != member.Underlying ? Enum.ToObject(member.Underlying, v) : v);
        }

        if (items.Any(v => v is DateTime d && d.Ticks % TimeSpan.TicksPerMillisecond != 0))
        {
            return null;
        }

        var name = "@p" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var array = items.Select(member.ToParameter).ToArray();
        var element = member.DbType;
        _parameters.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Array | element)
        {
            Value = element switch
            {
                NpgsqlTypes.NpgsqlDbType.Bigint => array.Cast<long>().ToArray(),
                _ => array.Cast<string>().ToArray(),
            },
        });
        var folded = member.Kind == SqlKind.String || (member.IsKey && member.StringKey)
            ? $"ARRAY(SELECT upper(v) FROM unnest({name}) v)"
            : name;
        var sql = $"({member.Sql} = ANY({folded}))";
        var missing = hasNull ? member.NullableValue : !member.IsKey && !member.NullableValue && items.Any(v => MissingMatches(member, ExpressionType.Equal, v));
        if (missing)
        {
            sql = $"({sql} OR {member.IsNullSql})";
        }

        return (sql, member.Kind != SqlKind.String && !(member.IsKey && member.StringKey));
    }

    private string Parameter(PgMember member, object value)
    {
        var name = "@p" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _parameters.Add(new NpgsqlParameter(name, member.DbType) { Value = member.ToParameter(value) });
        return member.Placeholder(name);
    }

    private PgMember? Member(Expression e) => PgMember.Of(StripNullable(Strip(e)), _doc, _stringKey);

    /// <summary>Conversions the compiler adds (enum to int, int to long, T to T?) say nothing about the value.</summary>
    private static Expression Strip(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u
               && (IsNumericOrEnum(u.Type) && IsNumericOrEnum(u.Operand.Type)
                   || Nullable.GetUnderlyingType(u.Type) == u.Operand.Type))
        {
            e = u.Operand;
        }

        return e;
    }

    /// <summary>x.M.Value reads x.M.</summary>
    private static Expression StripNullable(Expression e) =>
        e is MemberExpression { Member.Name: "Value", Expression: { } inner } && Nullable.GetUnderlyingType(inner.Type) is not null ? inner : e;

    private static bool IsNumericOrEnum(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsEnum || Type.GetTypeCode(t) is TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16
            or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Decimal;
    }

    private bool DependsOnDoc(Expression e)
    {
        var finder = new ParameterFinder(_doc);
        finder.Visit(e);
        return finder.Found;
    }

    /// <summary>The value of a part of the predicate that does not read the document (a captured variable, a call).</summary>
    internal static bool TryEvaluate(Expression e, out object? value)
    {
        switch (e)
        {
            case ConstantExpression c:
                value = c.Value;
                return true;
            case MemberExpression { Expression: null or ConstantExpression or MemberExpression } m
                when m.Member is FieldInfo or PropertyInfo:
            {
                object? target = null;
                if (m.Expression is not null && !TryEvaluate(m.Expression, out target))
                {
                    value = null;
                    return false;
                }

                if (target is null && m.Expression is not null)
                {
                    value = null;
                    return false;
                }

                value = m.Member is FieldInfo f ? f.GetValue(target) : ((PropertyInfo)m.Member).GetValue(target);
                return true;
            }

            default:
                try
                {
                    value = Expression.Lambda(Expression.Convert(e, typeof(object))).Compile(preferInterpretation: true).DynamicInvoke();
                    return true;
                }
                catch (Exception)
                {
                    value = null;
                    return false;
                }
        }
    }

    private static ExpressionType Flip(ExpressionType op) => op switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        _ => op,
    };

    private static string SqlOp(ExpressionType op) => op switch
    {
        ExpressionType.LessThan => "<",
        ExpressionType.LessThanOrEqual => "<=",
        ExpressionType.GreaterThan => ">",
        ExpressionType.GreaterThanOrEqual => ">=",
        _ => "=",
    };

    private sealed class ParameterFinder(ParameterExpression doc) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == doc;
            return node;
        }

        protected override Expression VisitLambda<TDelegate>(Expression<TDelegate> node)
        {
            Visit(node.Body);
            return node;
        }
    }
}

using System.Linq.Expressions;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// Whether LiteDB reads a predicate as the contract does (<see cref="CareBot.Core.Storage.DocMatch"/>), found by one
/// walk of the expression tree: members of the document itself, captured values, constants, conversions, comparisons
/// of numbers, dates, enums and booleans, string equality (LiteDB's collation ignores case, as the contract), and
/// &amp;&amp;, || and !. Anything else (a string !=, a method call such as StartsWith or a list's Contains, a flags
/// test, a nested member of an object that may be missing) is checked again in memory.
/// </summary>
internal static class LiteReading
{
    public static bool IsExact(LambdaExpression predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Exact(predicate.Body, predicate.Parameters[0]);
    }

    private static bool Exact(Expression? node, ParameterExpression doc) => node switch
    {
        null => true,
        ConstantExpression => true,
        ParameterExpression p => p == doc,
        MemberExpression m => Member(m, doc),
        UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u => Exact(u.Operand, doc),
        UnaryExpression { NodeType: ExpressionType.Not } u => u.Type == typeof(bool) && Exact(u.Operand, doc),
        BinaryExpression b => Binary(b, doc),
        _ => false,
    };

    private static bool Binary(BinaryExpression b, ParameterExpression doc)
    {
        var strings = b.Left.Type == typeof(string) || b.Right.Type == typeof(string);
        var allowed = b.NodeType switch
        {
            ExpressionType.AndAlso or ExpressionType.OrElse => true,
            ExpressionType.Equal => strings || ValueOperator(b),
            ExpressionType.NotEqual => !strings && ValueOperator(b),
            // LiteDB orders a missing value (null) before every other and keeps enums as names: only plain values order alike.
            ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual =>
                !strings && ValueOperator(b) && !b.IsLifted && Plain(b.Left) && Plain(b.Right),
            _ => false,
        };
        return allowed && Exact(b.Left, doc) && Exact(b.Right, doc);
    }

    /// <summary>
    /// A built-in comparison, or the operator of a value LiteDB keeps as itself (dates, money) or as one text that
    /// compares as the value does (a chat address: equal without regard to case, as LiteDB's collation).
    /// </summary>
    private static bool ValueOperator(BinaryExpression b) =>
        b.Method is null || ValueTypes.Contains(b.Method.DeclaringType!);

    private static readonly HashSet<Type> ValueTypes = [typeof(DateTime), typeof(DateOnly), typeof(decimal), typeof(Core.Model.ChatAddress)];

    private static bool Plain(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u)
        {
            e = u.Operand;
        }

        return !e.Type.IsEnum && Nullable.GetUnderlyingType(e.Type) is null;
    }

    /// <summary>A member of the document (one level: a missing nested object reads differently), or a captured value.</summary>
    private static bool Member(MemberExpression m, ParameterExpression doc)
    {
        if (m.Expression == doc)
        {
            return true;
        }

        // A captured value: a field or property chain ending at a constant (the closure), with no document inside.
        var e = m.Expression;
        while (e is MemberExpression inner)
        {
            e = inner.Expression;
        }

        return e is null or ConstantExpression;
    }
}

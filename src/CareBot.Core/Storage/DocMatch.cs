using System.Linq.Expressions;
using System.Reflection;

namespace CareBot.Core.Storage;

/// <summary>
/// A predicate (or selector) of <see cref="IDocs{T}"/> as the contract reads it, run in memory: every provider checks
/// the documents its query found with it, so an answer never depends on how the provider translated the predicate.
/// It is the predicate compiled as written,
/// except that strings compare without regard to case (==, !=, Equals, StartsWith, EndsWith, Contains, a list's
/// Contains) as in LiteDB's collation, and a nested member of a missing object reads as its default (LiteDB reads a
/// missing path as null) instead of throwing.
/// </summary>
public static class DocMatch
{
    private static readonly MethodInfo StringEquals = typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo EndsWith = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo Contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string), typeof(StringComparison)])!;

    private static readonly MethodInfo EnumerableContains = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 3)
        .MakeGenericMethod(typeof(string));

    private static readonly Expression IgnoreCase = Expression.Constant(StringComparison.OrdinalIgnoreCase);
    private static readonly Expression IgnoreCaseComparer = Expression.Constant(StringComparer.OrdinalIgnoreCase, typeof(IEqualityComparer<string>));

    /// <summary>
    /// The predicate as a delegate. Compiling is costly (a fraction of a millisecond, and a dynamic method each time)
    /// and the same predicates come again and again with other values (a turn's look-ups): the compiled code is kept
    /// per shape (<see cref="DocShape"/>: the tree with its constants and captured objects taken out) and given the
    /// constants of each call.
    /// </summary>
    public static Func<T, TResult> Compile<T, TResult>(Expression<Func<T, TResult>> lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        var shape = DocShape.Of(lambda);
        if (shape is null)
        {
            return CompileNow(lambda);
        }

        if (!Compiled.TryGetValue(shape.Value.Key, out var factory))
        {
            var slots = Expression.Parameter(typeof(object[]), "constants");
            var parameterized = (Expression<Func<T, TResult>>)DocShape.ToSlots(lambda, slots);
            var body = new Rewriter(parameterized.Parameters[0]).Visit(parameterized.Body);
            factory = Expression.Lambda<Func<object?[], Func<T, TResult>>>(Expression.Lambda<Func<T, TResult>>(body, parameterized.Parameters), slots).Compile();
            if (Compiled.Count < MaxShapes)
            {
                factory = Compiled.GetOrAdd(shape.Value.Key, factory);
            }
        }

        return ((Func<object?[], Func<T, TResult>>)factory)(shape.Value.Constants);
    }

    /// <summary>More shapes than a program's own predicates would be built ones: those are compiled each time.</summary>
    private const int MaxShapes = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DocShape.ShapeKey, Delegate> Compiled = new();

    private static Func<T, TResult> CompileNow<T, TResult>(Expression<Func<T, TResult>> lambda)
    {
        var body = new Rewriter(lambda.Parameters[0]).Visit(lambda.Body);
        return Expression.Lambda<Func<T, TResult>>(body, lambda.Parameters).Compile();
    }

    private sealed class Rewriter(ParameterExpression doc) : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && node.Left.Type == typeof(string) && node.Right.Type == typeof(string))
            {
                Expression equals = Expression.Call(StringEquals, Visit(node.Left), Visit(node.Right), IgnoreCase);
                return node.NodeType == ExpressionType.Equal ? equals : Expression.Not(equals);
            }

            return base.VisitBinary(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var m = node.Method;
            if (m.DeclaringType == typeof(string) && node.Object is not null && node.Arguments.Count == 1 && node.Arguments[0].Type == typeof(string))
            {
                var target = Visit(node.Object);
                var arg = Visit(node.Arguments[0]);
                switch (m.Name)
                {
                    case nameof(string.Equals):
                        return Expression.Call(StringEquals, target, arg, IgnoreCase);
                    case nameof(string.StartsWith):
                        return Expression.Call(target, StartsWith, arg, IgnoreCase);
                    case nameof(string.EndsWith):
                        return Expression.Call(target, EndsWith, arg, IgnoreCase);
                    case nameof(string.Contains):
                        return Expression.Call(target, Contains, arg, IgnoreCase);
                }
            }

            if (m.DeclaringType == typeof(string) && node.Object is null && m.Name == nameof(string.Equals) && node.Arguments.Count == 2
                && node.Arguments[0].Type == typeof(string) && node.Arguments[1].Type == typeof(string))
            {
                return Expression.Call(StringEquals, Visit(node.Arguments[0]), Visit(node.Arguments[1]), IgnoreCase);
            }

            if (m.Name == nameof(Enumerable.Contains) && m.ReturnType == typeof(bool))
            {
                // list.Contains(x.Id), Enumerable.Contains(list, x.Id): strings match without regard to case.
                var (source, item) = node.Object is null && node.Arguments.Count == 2 ? (node.Arguments[0], node.Arguments[1])
                    : node.Object is not null && node.Arguments.Count == 1 ? (node.Object, node.Arguments[0])
                    : (null, null);
                if (source is not null && item is not null && item.Type == typeof(string) && typeof(IEnumerable<string>).IsAssignableFrom(source.Type))
                {
                    return Expression.Call(EnumerableContains, Visit(source), Visit(item), IgnoreCaseComparer);
                }
            }

            return base.VisitMethodCall(node);
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            // x.A.B where A is an object of the document: null-safe (default of B when A is missing).
            if (node.Expression is MemberExpression inner && !inner.Type.IsValueType && RootedAtDoc(inner))
            {
                var visitedInner = Visit(inner);
                var access = node.Update(visitedInner);
                return Expression.Condition(
                    Expression.ReferenceEqual(visitedInner, Expression.Constant(null, inner.Type)),
                    Expression.Default(node.Type),
                    access);
            }

            return base.VisitMember(node);
        }

        private bool RootedAtDoc(Expression e)
        {
            while (e is MemberExpression m)
            {
                e = m.Expression!;
            }

            return e == doc;
        }
    }
}

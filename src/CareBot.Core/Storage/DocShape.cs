using System.Linq.Expressions;

namespace CareBot.Core.Storage;

/// <summary>
/// The shape of an expression tree (<see cref="DocMatch"/>'s cache key): every node's kind and type, and the members,
/// methods and constructors it names, in the order <see cref="ExpressionVisitor"/> visits them; the values of its
/// constants (a captured variable is a member of a constant closure object) are taken out, in the same order, to be
/// given to the code compiled once for the shape. A tree with a node outside the plain kinds a predicate or selector
/// has (no blocks, assignments, member or list initialisers, ...) has no shape and is compiled as it is.
/// </summary>
internal static class DocShape
{
    private static readonly object Null = new();

    /// <summary>The tree's shape and its constants, or null when it has no shape.</summary>
    public static (ShapeKey Key, object?[] Constants)? Of(LambdaExpression lambda)
    {
        var walker = new Walker();
        walker.Visit(lambda);
        return walker.Unsupported ? null : (new ShapeKey([.. walker.Items]), [.. walker.Constants]);
    }

    /// <summary>The tree with its constants read from <paramref name="slots"/> (an object[]), in the order <see cref="Of"/> takes them.</summary>
    public static LambdaExpression ToSlots(LambdaExpression lambda, ParameterExpression slots) => (LambdaExpression)new Slotter(slots).Visit(lambda);

    /// <summary>A shape as a key: equal when every item is.</summary>
    public sealed class ShapeKey : IEquatable<ShapeKey>
    {
        private readonly object[] _items;
        private readonly int _hash;

        public ShapeKey(object[] items)
        {
            _items = items;
            var hash = new HashCode();
            foreach (var item in items)
            {
                hash.Add(item);
            }

            _hash = hash.ToHashCode();
        }

        public bool Equals(ShapeKey? other)
        {
            if (other is null || other._hash != _hash || other._items.Length != _items.Length)
            {
                return false;
            }

            for (var i = 0; i < _items.Length; i++)
            {
                if (!_items[i].Equals(other._items[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as ShapeKey);

        public override int GetHashCode() => _hash;
    }

    private sealed class Walker : ExpressionVisitor
    {
        private readonly List<ParameterExpression> _parameters = [];

        public List<object> Items { get; } = new(64);

        public List<object?> Constants { get; } = [];

        public bool Unsupported { get; private set; }

        public override Expression? Visit(Expression? node)
        {
            if (Unsupported)
            {
                return node;
            }

            if (node is null)
            {
                Items.Add(Null);
                return null;
            }

            if (node is not (ConstantExpression or ParameterExpression or MemberExpression or MethodCallExpression or BinaryExpression
                or UnaryExpression or ConditionalExpression or TypeBinaryExpression or LambdaExpression or NewExpression
                or NewArrayExpression or InvocationExpression or DefaultExpression))
            {
                Unsupported = true;
                return node;
            }

            Items.Add(node.NodeType);
            Items.Add(node.Type);
            return base.Visit(node);
        }

        protected override Expression VisitConstant(ConstantExpression node)
        {
            Constants.Add(node.Value);
            return node;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            var index = _parameters.IndexOf(node);
            Unsupported |= index < 0; // a parameter of no enclosing lambda
            Items.Add(index);
            return node;
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _parameters.AddRange(node.Parameters);
            Items.Add(node.Parameters.Count);
            return base.VisitLambda(node);
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            Items.Add(node.Member);
            return base.VisitMember(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            Items.Add(node.Method);
            Items.Add(node.Arguments.Count);
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            Items.Add(node.Method ?? Null);
            Items.Add(node.IsLiftedToNull);
            Unsupported |= node.Conversion is not null;
            return base.VisitBinary(node);
        }

        protected override Expression VisitUnary(UnaryExpression node)
        {
            Items.Add(node.Method ?? Null);
            return base.VisitUnary(node);
        }

        protected override Expression VisitTypeBinary(TypeBinaryExpression node)
        {
            Items.Add(node.TypeOperand);
            return base.VisitTypeBinary(node);
        }

        protected override Expression VisitNew(NewExpression node)
        {
            Items.Add(node.Constructor ?? Null);
            Items.Add(node.Arguments.Count);
            Items.Add(node.Members?.Count ?? -1);
            foreach (var member in node.Members ?? [])
            {
                Items.Add(member);
            }

            return base.VisitNew(node);
        }

        protected override Expression VisitNewArray(NewArrayExpression node)
        {
            Items.Add(node.Expressions.Count);
            return base.VisitNewArray(node);
        }

        protected override Expression VisitInvocation(InvocationExpression node)
        {
            Items.Add(node.Arguments.Count);
            return base.VisitInvocation(node);
        }
    }

    /// <summary>Each constant becomes a read of the next slot, converted to the constant's own type.</summary>
    private sealed class Slotter(ParameterExpression slots) : ExpressionVisitor
    {
        private int _next;

        protected override Expression VisitConstant(ConstantExpression node) =>
            Expression.Convert(Expression.ArrayIndex(slots, Expression.Constant(_next++)), node.Type);
    }
}

using CareBot.Core.Model;

namespace CareBot.Core.Storage;

/// <summary>How a collection's documents are keyed, the same in every provider.</summary>
/// <param name="Name">The collection's name (a LiteDB collection, a PostgreSQL table).</param>
/// <param name="Type">The document type.</param>
/// <param name="StringKey">Keyed by a string (matched without regard to case); otherwise by a number.</param>
/// <param name="AutoId">A numeric key of 0 is given the next number on insert.</param>
public sealed record CollectionInfo(string Name, Type Type, bool StringKey, bool AutoId);

/// <summary>The collections of CareBot's database and their keys: the providers and the contract suite read this list.</summary>
public static class StorageCatalog
{
    public static IReadOnlyList<CollectionInfo> Collections { get; } =
    [
        new("people", typeof(Person), false, true),
        new("children", typeof(Child), true, false),
        new("pairings", typeof(Pairing), false, true),
        new("records", typeof(CareRecord), false, true),
        new("audit", typeof(AuditEntry), false, true),
        new("invites", typeof(Invite), false, true),
        new("throttles", typeof(ChatThrottle), true, false),
        new("outbox", typeof(OutboxMessage), false, true),
        new("updates", typeof(ProcessedUpdate), false, false),
        new("state", typeof(StateEntry), true, false),
        new("aid", typeof(AidEntry), false, true),
        new("meetings", typeof(Meeting), false, true),
        new("duty_turns", typeof(DutyTurn), false, true),
        new("duty_swaps", typeof(DutySwap), false, true),
        new("reminder_marks", typeof(ReminderMark), true, false),
        new("concerns", typeof(Concern), false, true),
        new("flags", typeof(SafeguardingFlag), false, true),
    ];

    public static CollectionInfo Of<T>() => Collections.Single(c => c.Type == typeof(T));

    /// <summary>
    /// The members of a document that are stored: public properties with a public getter and setter. A property
    /// without a setter (a computed one such as <see cref="Person.IsReachable"/>) is not stored by any provider.
    /// </summary>
    public static bool IsStored(System.Reflection.PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetMethod is { IsPublic: true } && property.SetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0;
    }
}

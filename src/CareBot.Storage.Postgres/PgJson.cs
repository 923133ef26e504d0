using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CareBot.Core.Storage;

namespace CareBot.Storage.Postgres;

/// <summary>
/// How a document becomes the <c>jsonb</c> of its row (System.Text.Json): the stored members only
/// (<see cref="StorageCatalog.IsStored"/>), enums by name, DateOnly as "yyyy-MM-dd", DateTime as UTC to the millisecond
/// ("yyyy-MM-ddTHH:mm:ss.fffZ", so text order is time order), decimals as exact numbers, a chat address as its text
/// ("telegram:123", the type's own converter), nulls left out. The same
/// rules as LiteDB's mapper (LiteCareDb.CreateMapper), so a copy between the two keeps every value.
/// </summary>
internal static class PgJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
            IncludeFields = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { StoredMembersOnly } },
        };
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: true));
        options.Converters.Add(new UtcDateTimeConverter());
        options.Converters.Add(new DateOnlyConverter());
        options.Converters.Add(new NulFreeStringConverter());
        options.MakeReadOnly();
        return options;
    }

    private static void StoredMembersOnly(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].AttributeProvider is not System.Reflection.PropertyInfo property || !StorageCatalog.IsStored(property))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    public static string Serialize<T>(T document) => JsonSerializer.Serialize(document, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    /// <summary>A DateTime as it is stored: UTC (a local time converted; an unspecified one taken as UTC), to the millisecond.</summary>
    public static DateTime ToStored(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary>The stored text of a DateTime's ticks as they are (no conversion), to the millisecond.</summary>
    public static string FormatTicks(DateTime value) =>
        new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string FormatDate(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString()!;
            return DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FormatTicks(ToStored(value)));
    }

    /// <summary>
    /// jsonb refuses the NUL character (\u0000) in text; LiteDB keeps it. A NUL (from a spreadsheet cell, a pasted
    /// note) is stored as U+FFFD, as chat text already is (ChatCommand.ValidUtf16), instead of failing the save.
    /// </summary>
    private sealed class NulFreeStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value);
    }

    private sealed class DateOnlyConverter : JsonConverter<DateOnly>
    {
        public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateOnly.ParseExact(reader.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FormatDate(value));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using Npgsql;

namespace CareBot.Benchmarks;

/// <summary>
/// The synthetic county (<see cref="County"/>) in the PostgreSQL database the benchmark is given: seeded once (a row
/// <c>bench.county</c> in <c>state</c> says which county it holds and its last seeded record id) and put back to that
/// state before each scenario (<see cref="Reset"/>: the rows a scenario adds are deleted). Also the plain-Npgsql side
/// of the comparisons: the same tables read and written with NpgsqlCommand and System.Text.Json, no CareBot code.
/// </summary>
internal static class PgCounty
{
    private const string Marker = "bench.county";

    /// <summary>System.Text.Json as any program would use it on these documents (enums by name, nulls left out).</summary>
    public static readonly JsonSerializerOptions RawJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Makes sure the database holds this county (seeding it when not) and puts it back to its seeded state; returns its last record id.</summary>
    public static long Prepare(string connectionString, int children, int months, TextWriter log)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{children}-m{months}");
        using (var db = new PgCareDb(connectionString))
        {
            var marker = db.Read(tx => tx.State.FindById(Marker));
            if (marker?.Text == name)
            {
                var sw = Stopwatch.StartNew();
                Reset(connectionString, marker.Value);
                log.WriteLine($"pg county {name}: already in {db.Path} (put back to its seeded state in {sw.Elapsed.TotalSeconds:F1} s)");
                return marker.Value;
            }

            var seed = Stopwatch.StartNew();
            Exec(connectionString, "TRUNCATE " + string.Join(", ", StorageCatalog.Collections.Select(c => c.Name)));
            var records = County.Seed(db, children, months);
            var last = Scalar(connectionString, "SELECT coalesce(max(id), 0) FROM records");
            db.Write(tx => tx.State.Upsert(new StateEntry { Id = Marker, Text = name, Value = last }));
            Exec(connectionString, "VACUUM ANALYZE");
            log.WriteLine($"pg county {name}: seeded {records:N0} records into {db.Path} in {seed.Elapsed.TotalSeconds:F1} s");
            return last;
        }
    }

    /// <summary>Deletes what the scenarios add (outbox rows, audit, processed updates, state, records past the seeded ones).</summary>
    public static void Reset(string connectionString, long lastRecord)
    {
        Exec(connectionString, string.Create(CultureInfo.InvariantCulture,
            $"DELETE FROM outbox; DELETE FROM audit; DELETE FROM updates; DELETE FROM throttles; DELETE FROM reminder_marks; DELETE FROM records WHERE id > {lastRecord}; DELETE FROM state WHERE key <> upper('{Marker}')"));
        Exec(connectionString, "VACUUM ANALYZE outbox, audit, updates, records, state");
    }

    public static void Exec(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }

    public static long Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The planner's reads in plain Npgsql: people, children and pairings whole, and the records of the week and the
    /// check-in window (by the same LocalDate index), each document parsed into its class. Returns the documents read.
    /// </summary>
    public static long RawReads(NpgsqlDataSource data, DateOnly date)
    {
        var weekStart = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
        long n = 0;
        using var connection = data.OpenConnection();
        n += Read<Person>(connection, "SELECT doc FROM people ORDER BY id", null, null);
        n += Read<Child>(connection, "SELECT doc FROM children ORDER BY key", null, null);
        n += Read<Pairing>(connection, "SELECT doc FROM pairings ORDER BY id", null, null);
        n += Read<CareRecord>(connection,
            "SELECT doc FROM records WHERE ((doc->>'LocalDate') COLLATE \"C\") >= (@lo COLLATE \"C\") AND ((doc->>'LocalDate') COLLATE \"C\") <= (@hi COLLATE \"C\") ORDER BY id",
            weekStart.AddDays(-56).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), weekStart.AddDays(6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return n;
    }

    private static long Read<T>(NpgsqlConnection connection, string sql, string? lo, string? hi)
    {
        using var command = new NpgsqlCommand(sql, connection);
        if (lo is not null)
        {
            command.Parameters.AddWithValue("lo", lo);
            command.Parameters.AddWithValue("hi", hi!);
        }

        using var reader = command.ExecuteReader();
        long n = 0;
        while (reader.Read())
        {
            n += JsonSerializer.Deserialize<T>(reader.GetString(0), RawJson) is null ? 0 : 1;
        }

        return n;
    }
}

using CareBot.Worker.Telegram;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CareBot.Core.Chat;
using CareBot.Core.Model;
using CareBot.Core.Storage;
using CareBot.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace CareBot.Benchmarks;

/// <summary>
/// Update handling on PostgreSQL (<see cref="UpdateProcessor.Process"/>: its deferred commit, then
/// <see cref="CareBot.Core.Storage.CareDb.Sync"/>, the poller's group commit) against plain Npgsql writing the same
/// documents (the care record, its audit entry, the reply's outbox row, the processed update, the offset) in one
/// transaction per update. <c>pg_ingest_durable_*</c>: every update durable before the next (a getUpdates batch of
/// one; raw: each transaction committed with synchronous_commit on). <c>pg_ingest_group_*</c>: durable once per 100
/// updates (raw: synchronous_commit off, on for every 100th).
/// </summary>
internal static class PgIngestBenchmark
{
    private const int GroupSize = 100;

    public static void Run(BenchmarkOptions options, string cs, long lastRecord, BenchmarkFigures f, TextWriter log)
    {
        using var db = new PgCareDb(cs);
        using var data = NpgsqlDataSource.Create(cs);
        var (clock, _, processor) = IngestBenchmark.ChatCore(db);
        var mentors = County.MentorCount(options.Children);
        var n = options.IngestUpdates;
        var today = clock.Today;

        for (var i = 0; i < 20; i++)
        {
            processor.Process(new IncomingMessage(400_000_000 + i, TelegramChat.Address(County.MentorChat(1 + (i % mentors))), ChatKind.Private, IncomingKind.Text, "/visit 1 热身"));
            db.Sync();
            Raw(data, options.Children, mentors, today, 300_000_000 + i, durable: true);
        }

        var next = 500_000_000L;
        var outboxBefore = PgCounty.Scalar(cs, "SELECT count(*) FROM outbox");
        foreach (var (name, sync) in new[] { ("pg_ingest_durable", 1), ("pg_ingest_group", GroupSize) })
        {
            var lat = new double[n];
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var id = next++;
                // As the poller does: the last update of a batch commits durably, then the batch's sync (a no-op then).
                var last = (i + 1) % sync == 0;
                _ = processor.Process(new IncomingMessage(id, TelegramChat.Address(County.MentorChat(1 + (i % mentors))), ChatKind.Private, IncomingKind.Text, $"/visit 1 今天家访第{i}次，一切都好"), durable: last)
                    ?? throw new InvalidOperationException($"update {id} was seen as a redelivery");
                if (last)
                {
                    Confirmations.BatchHandled(db);
                }

                lat[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            db.Sync();
            var realS = sw.Elapsed.TotalSeconds;
            if (processor.Offset != next)
            {
                throw new InvalidOperationException($"offset {processor.Offset}, expected {next}");
            }

            var rawLat = new double[n];
            sw.Restart();
            for (var i = 0; i < n; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                Raw(data, options.Children, mentors, today, 600_000_000 + next + i, durable: (i + 1) % sync == 0 || i == n - 1);
                rawLat[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            var rawS = sw.Elapsed.TotalSeconds;
            Array.Sort(lat);
            Array.Sort(rawLat);
            log.WriteLine($"{name}: {n:N0} updates in {realS:F2} s ({n / realS:F0}/s, p50 {BenchmarkRunner.Pct(lat, 0.5):F2} ms, p99 {BenchmarkRunner.Pct(lat, 0.99):F2} ms); plain Npgsql, same documents, same syncs, {rawS:F2} s ({n / rawS:F0}/s, p50 {BenchmarkRunner.Pct(rawLat, 0.5):F2} ms); ratio {realS / rawS:F2}");
            f.Set($"{name}_s", realS);
            f.Set($"{name}_rate", n / realS);
            f.Set($"{name}_raw_s", rawS);
            f.Set($"{name}_raw_rate", n / rawS);
            f.Set($"{name}_ratio", realS / rawS);
            f.Set($"{name}_p50_ms", BenchmarkRunner.Pct(lat, 0.50));
            f.Set($"{name}_p99_ms", BenchmarkRunner.Pct(lat, 0.99));
            f.Set($"{name}_raw_p50_ms", BenchmarkRunner.Pct(rawLat, 0.50));
            f.Set($"{name}_raw_p99_ms", BenchmarkRunner.Pct(rawLat, 0.99));
        }

        // Two runs of n updates each: the stored visits and reply rows per run.
        f.Set("pg_ingest_stored", PgCounty.Scalar(cs, string.Create(CultureInfo.InvariantCulture,
            $"SELECT count(*) FROM records WHERE id > {lastRecord} AND doc->>'Text' LIKE '今天家访第%'")) / 2);
        f.Set("pg_ingest_replies", (PgCounty.Scalar(cs, "SELECT count(*) FROM outbox") - outboxBefore) / 2 - n);
    }

    /// <summary>The documents the real path writes for one update, with NpgsqlCommand, in one transaction.</summary>
    private static void Raw(NpgsqlDataSource data, int children, int mentors, DateOnly today, long id, bool durable)
    {
        var i = (int)(id % 1_000_000);
        var chat = County.MentorChat(1 + (i % mentors));
        var now = DateTime.UtcNow;
        using var connection = data.OpenConnection();
        using var tx = connection.BeginTransaction();
        Exec(connection, tx, durable ? "SET LOCAL synchronous_commit = on" : "SET LOCAL synchronous_commit = off");
        var record = new CareRecord { ChildId = $"S{i % children:D7}", AuthorId = 1 + (i % mentors), Kind = CareKind.Visit, LocalDate = today, AtUtc = now, Text = $"原始插入第{i}次，一切都好" };
        var recordId = Insert(connection, tx, "records", record);
        Insert(connection, tx, "audit", new AuditEntry { AtUtc = now, Actor = $"person:{record.AuthorId}", Action = "record.visit", ChildId = record.ChildId, Detail = $"record:{recordId}" });
        Insert(connection, tx, "outbox", new OutboxMessage { Key = $"reply:{id}:{TelegramChat.Address(chat)}:0", PersonId = record.AuthorId, Chat = TelegramChat.Address(chat), Text = $"✅ 已记录 S{i} 的家访（11月28日）。", CreatedUtc = now, NotBeforeUtc = now });
        Put(connection, tx, "INSERT INTO updates (id, doc) VALUES (@k, @doc)", id, new ProcessedUpdate { Id = id, AtUtc = now, Attempts = 1 });
        Put(connection, tx, "INSERT INTO state (key, doc) VALUES (upper('bench.offset'), @doc) ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc", null, new StateEntry { Id = "bench.offset", Value = id + 1 });
        tx.Commit();
    }

    private static long Insert<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string table, T doc)
    {
        using var command = new NpgsqlCommand(
            $"INSERT INTO {table} (id, doc) SELECT n, jsonb_set(@doc, '{{Id}}', to_jsonb(n)) FROM nextval('{table}_id_seq') n RETURNING id", connection, tx);
        command.Parameters.Add(new NpgsqlParameter("doc", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(doc, PgCounty.RawJson) });
        return (long)command.ExecuteScalar()!;
    }

    private static void Put<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, long? key, T doc)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        if (key is { } k)
        {
            command.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Bigint) { Value = k });
        }

        command.Parameters.Add(new NpgsqlParameter("doc", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(doc, PgCounty.RawJson) });
        command.ExecuteNonQuery();
    }

    private static void Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }
}

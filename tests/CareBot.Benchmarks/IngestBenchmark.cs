using CareBot.Worker.Telegram;
using CareBot.Storage.LiteDb;
using System.Diagnostics;
using CareBot.Core;
using CareBot.Core.Chat;
using CareBot.Core.Invites;
using CareBot.Core.Model;
using CareBot.Core.Outbox;
using CareBot.Core.Storage;
using CareBot.Core.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareBot.Benchmarks;

/// <summary>
/// Update handling against plain inserts of the same documents (the care record, its audit entry, the reply's outbox
/// row, the processed update id and the offset), each update its own transaction, under three sync policies:
/// none (the commit is not synced: <c>ingest_ratio</c>), one sync per update (<c>ingest_durable_*</c>: a getUpdates
/// batch of one, the worst case), and one sync per batch of 100 (<c>ingest_group_*</c>: the poller's group commit).
/// </summary>
internal static class IngestBenchmark
{
    private const int GroupSize = 100;

    public static void Run(BenchmarkOptions options, string cached, BenchmarkFigures f, TextWriter log)
    {
        var work = County.WorkCopy(cached, $"ingest-{options.Children}.db");
        using var db = new LiteCareDb(work);
        var (clock, _, processor) = ChatCore(db);
        var mentors = County.MentorCount(options.Children);
        var n = options.IngestUpdates;

        // Warm-up (not counted): a few updates through each path.
        for (var i = 0; i < 20; i++)
        {
            processor.Process(new IncomingMessage(400_000_000 + i, TelegramChat.Address(County.MentorChat(1 + (i % mentors))), ChatKind.Private, IncomingKind.Text, "/visit 1 热身"));
            Raw(db, clock, options, mentors, 300_000_000 + i, sync: 1);
        }

        var next = 500_000_000L;
        var outboxBefore = db.Read(tx => tx.Outbox.Count());
        foreach (var (name, sync) in new[] { ("ingest", 0), ("ingest_durable", 1), ("ingest_group", GroupSize) })
        {
            var lat = new double[n];
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var id = next++;
                var outcome = processor.Process(new IncomingMessage(id, TelegramChat.Address(County.MentorChat(1 + (i % mentors))), ChatKind.Private, IncomingKind.Text, $"/visit 1 今天家访第{i}次，一切都好"))
                    ?? throw new InvalidOperationException($"update {id} was seen as a redelivery");
                if (sync > 0 && (i + 1) % sync == 0)
                {
                    db.Sync();
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
                Raw(db, clock, options, mentors, 600_000_000 + next + i, sync > 0 && (i + 1) % sync == 0 ? 1 : 0);
                rawLat[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            db.Sync();
            var rawS = sw.Elapsed.TotalSeconds;
            Array.Sort(lat);
            Array.Sort(rawLat);
            log.WriteLine($"{name}: {n:N0} updates in {realS:F2} s ({n / realS:F0}/s); raw inserts of the same documents, same syncs, {rawS:F2} s ({n / rawS:F0}/s); ratio {realS / rawS:F2}");
            f.Set($"{name}_s", realS);
            f.Set($"{name}_rate", n / realS);
            f.Set($"{name}_raw_s", rawS);
            f.Set($"{name}_raw_rate", n / rawS);
            f.Set($"{name}_ratio", realS / rawS);
            f.Set($"{name}_p50_ms", BenchmarkRunner.Pct(lat, 0.50));
            f.Set($"{name}_p99_ms", BenchmarkRunner.Pct(lat, 0.99));
            f.Set($"{name}_raw_p99_ms", BenchmarkRunner.Pct(rawLat, 0.99));
        }

        f.Set("ingest_stored", db.Read(tx => tx.Records.Count(r => r.Text.StartsWith("今天家访第"))) / 3);
        f.Set("ingest_replies", (db.Read(tx => tx.Outbox.Count()) - outboxBefore) / 3 - n);
    }

    /// <summary>The chat core as the worker builds it, on the system clock.</summary>
    internal static (CareClock Clock, OutboxStore Outbox, UpdateProcessor Processor) ChatCore(CareDb db)
    {
        var time = TimeProvider.System;
        var clock = new CareClock(time, "Asia/Shanghai");
        var outbox = new OutboxStore(db, time);
        var handler = new ChatHandler(db, clock, outbox, new InviteService(db, time), new CareOptions { QuietHours = "00:00-00:00" });
        return (clock, outbox, new UpdateProcessor(db, handler, outbox, time, NullLogger<UpdateProcessor>.Instance, CareBot.Worker.Telegram.TelegramPoller.Channel));
    }

    /// <summary>The documents the real path writes for one update, in one transaction; synced when <paramref name="sync"/> is 1.</summary>
    private static void Raw(CareDb db, CareClock clock, BenchmarkOptions options, int mentors, long id, int sync)
    {
        var i = (int)(id % 1_000_000);
        var today = clock.Today;
        Action<CareTx> write = tx =>
        {
            var record = new CareRecord { ChildId = $"S{(i % options.Children):D7}", AuthorId = 1 + (i % mentors), Kind = CareKind.Visit, LocalDate = today, AtUtc = DateTime.UtcNow, Text = $"原始插入第{i}次，一切都好" };
            tx.Records.Insert(record);
            tx.Audit.Insert(new AuditEntry { AtUtc = record.AtUtc, Actor = $"person:{record.AuthorId}", Action = "record.visit", ChildId = record.ChildId, Detail = $"record:{record.Id}" });
            tx.Outbox.Insert(new OutboxMessage { Key = $"reply:{id}:{TelegramChat.Address(County.MentorChat(1 + (i % mentors)))}:0", PersonId = record.AuthorId, Chat = TelegramChat.Address(County.MentorChat(1 + (i % mentors))), Text = $"✅ 已记录 S{i} 的家访（11月28日）。", CreatedUtc = record.AtUtc, NotBeforeUtc = record.AtUtc });
            tx.Updates.Insert(new ProcessedUpdate { Id = id, AtUtc = DateTime.UtcNow, Attempts = 1 });
            tx.State.Upsert(new StateEntry { Id = "bench.offset", Value = id + 1 });
        };
        if (sync == 1)
        {
            db.Write(write);
        }
        else
        {
            db.WriteDeferred(write);
        }
    }
}

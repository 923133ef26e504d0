using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CareBot.Benchmarks;

/// <summary>What to run and how big. Defaults are the full run; the smoke test shrinks them.</summary>
public sealed class BenchmarkOptions
{
    public const string Usage =
        "usage: CareBot.Benchmarks [all|compose|dispatch|ingest|plan-latency|backup-latency|startup|cluster] [--children N] [--months M] [--rate R] " +
        "[--messages N] [--updates N] [--startup-children N] [--no-startup] [--history-compare] [--json FILE] [--temp DIR] [--provider litedb|postgres]\n" +
        "  --provider postgres: compose, ingest, plan-latency and startup against the PostgreSQL database in Storage__ConnectionString (pg_* figures),\n" +
        "  and cluster: three carebot processes on a new database of that server, the poller killed five times during a broadcast (failover_s, cluster_*).";

    public const string LiteDb = "litedb";
    public const string Postgres = "postgres";

    public string Scenario { get; set; } = "all";
    public int Children { get; set; } = 20_000;
    /// <summary>Months of care history seeded before "today".</summary>
    public int Months { get; set; } = 12;
    public int Rate { get; set; } = 200;
    public int DispatchMessages { get; set; } = 5_000;
    public int IngestUpdates { get; set; } = 10_000;
    public int StartupChildren { get; set; } = 100_000;
    public int StartupMonths { get; set; } = 12;
    public bool Startup { get; set; } = true;
    /// <summary>How long the started worker keeps running after its first poll (to see its start-up log).</summary>
    public TimeSpan StartupLinger { get; set; } = TimeSpan.FromSeconds(6);
    /// <summary>Also plan over a 1-month county of the same size, to compare peak memory with the full history.</summary>
    public bool HistoryCompare { get; set; }
    public string? JsonPath { get; set; }
    public string TempRoot { get; set; } = Path.Combine(Path.GetTempPath(), "carebot-bench");

    /// <summary>Which storage the scenarios run against: <see cref="LiteDb"/> or <see cref="Postgres"/>.</summary>
    public string Provider { get; set; } = LiteDb;

    /// <summary>The PostgreSQL database for <see cref="Postgres"/>; null: the environment variable <c>Storage__ConnectionString</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The connection string to run against, from the option or from <paramref name="environment"/>; none is a <see cref="BenchmarkSetupException"/>.</summary>
    public string PostgresConnection(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var cs = ConnectionString ?? environment(PgBenchmark.ConnectionVariable);
        return string.IsNullOrWhiteSpace(cs)
            ? throw new BenchmarkSetupException($"--provider postgres needs the environment variable {PgBenchmark.ConnectionVariable} (a PostgreSQL connection string, e.g. Host=127.0.0.1;Port=5432;Username=carebot;Database=carebot_bench); it is not set.")
            : cs;
    }

    public bool Runs(string scenario) => Scenario == "all" || Scenario == scenario;

    public static BenchmarkOptions? Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (a)
            {
                case "all" or "compose" or "dispatch" or "ingest" or "plan-latency" or "backup-latency" or "startup" or "cluster": o.Scenario = a; break;
                case "--children": o.Children = Int(); break;
                case "--months": o.Months = Int(); break;
                case "--rate": o.Rate = Int(); break;
                case "--messages": o.DispatchMessages = Int(); break;
                case "--updates": o.IngestUpdates = Int(); break;
                case "--startup-children": o.StartupChildren = Int(); break;
                case "--startup-months": o.StartupMonths = Int(); break;
                case "--no-startup": o.Startup = false; break;
                case "--startup-linger-ms": o.StartupLinger = TimeSpan.FromMilliseconds(Int()); break;
                case "--history-compare": o.HistoryCompare = true; break;
                case "--json": o.JsonPath = Next(); break;
                case "--temp": o.TempRoot = Next(); break;
                case "--provider":
                    var provider = Next().ToLowerInvariant();
                    o.Provider = provider == "postgresql" ? Postgres : provider;
                    if (o.Provider is not (LiteDb or Postgres))
                    {
                        return null;
                    }

                    break;
                default: return null;
            }
        }

        return o;
    }
}

/// <summary>The measured figures, in the order they were taken.</summary>
public sealed class BenchmarkFigures
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly List<KeyValuePair<string, object>> _items = [];

    public void Set(string key, object value)
    {
        var i = _items.FindIndex(p => p.Key == key);
        if (i >= 0)
        {
            _items[i] = new(key, value);
        }
        else
        {
            _items.Add(new(key, value));
        }
    }

    public IReadOnlyList<KeyValuePair<string, object>> Items => _items;

    public double this[string key] => Convert.ToDouble(_items.First(p => p.Key == key).Value, CultureInfo.InvariantCulture);

    public bool Has(string key) => _items.Exists(p => p.Key == key);

    public string ToJson()
    {
        var dict = new Dictionary<string, object>();
        foreach (var (k, v) in _items)
        {
            dict[k] = v is double d ? Math.Round(d, 4) : v;
        }

        return JsonSerializer.Serialize(dict, Indented);
    }

    public string ToTable()
    {
        var sb = new StringBuilder();
        var width = Math.Max(10, _items.Count == 0 ? 10 : _items.Max(p => p.Key.Length));
        sb.Append("| ").Append("figure".PadRight(width)).Append(" | value |\n");
        sb.Append("|-").Append(new string('-', width)).Append("-|-------|\n");
        foreach (var (k, v) in _items)
        {
            var text = v switch
            {
                double d => d.ToString(Math.Abs(d) >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString(),
            };
            sb.Append("| ").Append(k.PadRight(width)).Append(" | ").Append(text).Append(" |\n");
        }

        return sb.ToString();
    }
}

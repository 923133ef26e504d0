using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CareBot.Tests.Shared;

/// <summary>
/// A process-wide throwaway PostgreSQL server for tests. When the environment variable <c>CAREBOT_TEST_PG</c> holds a
/// connection string (a superuser on a running server) it is used; otherwise a cluster is made in a temporary folder
/// (<c>initdb</c>, trust auth, a free loopback port, the socket in the folder), started with <c>pg_ctl</c>, and stopped
/// and deleted when the process exits. Without PostgreSQL installed every use throws: the tests fail, never skip.
/// </summary>
public static class PgServer
{
    private static readonly Lock Gate = new();
    private static Cluster? _cluster;
    private static string? _adminConnectionString;
    private static int _databases;

    /// <summary>A connection string for the server's superuser, on the <c>postgres</c> database.</summary>
    public static string AdminConnectionString
    {
        get
        {
            lock (Gate)
            {
                return _adminConnectionString ??= Start();
            }
        }
    }

    /// <summary>The cluster this process started (null when <c>CAREBOT_TEST_PG</c> names a server of its own).</summary>
    public static Cluster? Local
    {
        get
        {
            _ = AdminConnectionString;
            return _cluster;
        }
    }

    /// <summary>A connection string to a new, empty database with a name of its own.</summary>
    public static string CreateDatabase() => CreateDatabase(null);

    /// <summary>A connection string to a new database copied from <paramref name="template"/> (a database nobody is connected to), or empty when null.</summary>
    public static string CreateDatabase(string? template)
    {
        var admin = AdminConnectionString;
        var name = string.Create(CultureInfo.InvariantCulture, $"carebot_t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}");
        name = name[..Math.Min(name.Length, 60)];
        using (var connection = new NpgsqlConnection(Unpooled(admin)))
        {
            connection.Open();
            using var command = new NpgsqlCommand(template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/> (its connections are closed first).</summary>
    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Unpooled(AdminConnectionString));
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// A cluster of the caller's own (a test that stops and starts its server must not stop everyone's), started with
    /// <paramref name="settings"/> ("name=value", given to the server as -c) and removed when disposed.
    /// </summary>
    public static Cluster StartPrivateCluster(params string[] settings)
    {
        var cluster = Cluster.Create(settings);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Destroy();
        return cluster;
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string Start()
    {
        var given = Environment.GetEnvironmentVariable("CAREBOT_TEST_PG");
        if (!string.IsNullOrWhiteSpace(given))
        {
            return given;
        }

        // The shared server holds no data worth a disk flush: every database is thrown away with it. Without fsync its
        // many small databases are made in milliseconds. Durability is shown on private clusters with fsync on
        // (StartPrivateCluster), whose immediate stops are the power cuts.
        _cluster = Cluster.Create("fsync=off", "synchronous_commit=off", "full_page_writes=off");
        var cluster = _cluster;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Destroy();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => cluster.Destroy();
        return _cluster.ConnectionString;
    }

    /// <summary>A cluster in a temporary folder, run by this process.</summary>
    public sealed class Cluster : IDisposable
    {
        private readonly string _bin;
        private readonly bool _asPostgresUser;
        private readonly string[] _settings;

        private Cluster(string bin, string folder, int port, bool asPostgresUser, string[] settings)
        {
            _bin = bin;
            Folder = folder;
            Port = port;
            _asPostgresUser = asPostgresUser;
            _settings = settings;
        }

        public string Folder { get; }

        public string DataFolder => System.IO.Path.Combine(Folder, "data");

        public int Port { get; }

        public string ConnectionString => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            Pooling = true,
        }.ConnectionString;

        internal static Cluster Create(params string[] settings)
        {
            var bin = FindBinaries();
            SweepStale(bin);
            var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "carebot-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            File.WriteAllText(System.IO.Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            var asPostgresUser = Environment.UserName == "root";
            if (asPostgresUser)
            {
                Run("chown", ["postgres:postgres", folder], asPostgres: false, bin: null);
            }

            var cluster = new Cluster(bin, folder, FreePort(), asPostgresUser, settings);
            try
            {
                cluster.Pg("initdb", ["-D", cluster.DataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
                cluster.StartServer();
            }
            catch
            {
                cluster.Destroy();
                throw;
            }

            return cluster;
        }

        /// <summary>Starts the server (again, after <see cref="StopImmediate"/>) and waits until it takes connections.</summary>
        public void StartServer()
        {
            var options = string.Create(CultureInfo.InvariantCulture,
                $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200{string.Concat(_settings.Select(x => " -c " + x))}");
            Pg("pg_ctl", ["-D", DataFolder, "-l", System.IO.Path.Combine(Folder, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        }

        /// <summary>Stops the server at once, without a checkpoint (what a power cut leaves: only the WAL on disk counts).</summary>
        public void StopImmediate() => Pg("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);

        public void Dispose() => Destroy();

        internal void Destroy()
        {
            try
            {
                if (File.Exists(System.IO.Path.Combine(DataFolder, "postmaster.pid")))
                {
                    StopImmediate();
                }
            }
            catch (InvalidOperationException)
            {
            }

            // The server's last processes may still be closing files just after pg_ctl returns: try a few times.
            for (var attempt = 0; attempt < 20 && Directory.Exists(Folder); attempt++)
            {
                try
                {
                    Directory.Delete(Folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(100);
                }
            }
        }

        /// <summary>
        /// Removes the clusters of test processes that are gone (a test host killed before its exit handler deleted its
        /// folder): the server stopped if it still runs, the folder deleted. A folder without an owner is left alone.
        /// </summary>
        private static void SweepStale(string bin)
        {
            foreach (var folder in Directory.GetDirectories(System.IO.Path.GetTempPath(), "carebot-pg-*"))
            {
                var owner = System.IO.Path.Combine(folder, "owner.pid");
                if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    || pid == Environment.ProcessId || Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
                {
                    continue;
                }

                var stale = new Cluster(bin, folder, 0, Environment.UserName == "root", []);
                stale.Destroy();
            }
        }

        private void Pg(string tool, IReadOnlyList<string> arguments) =>
            Run(System.IO.Path.Combine(_bin, tool), arguments, _asPostgresUser, _bin);

        private static void Run(string file, IReadOnlyList<string> arguments, bool asPostgres, string? bin)
        {
            var start = new ProcessStartInfo
            {
                FileName = asPostgres ? "runuser" : file,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (asPostgres)
            {
                foreach (var a in new[] { "-u", "postgres", "--", file })
                {
                    start.ArgumentList.Add(a);
                }
            }

            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            _ = bin;
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{System.IO.Path.GetFileName(file)} did not finish in 120 s.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{System.IO.Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}{output.Result}");
            }
        }

        private static string FindBinaries()
        {
            try
            {
                var start = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                using var process = Process.Start(start);
                if (process is not null)
                {
                    var dir = process.StandardOutput.ReadToEnd().Trim();
                    process.WaitForExit();
                    if (process.ExitCode == 0 && File.Exists(System.IO.Path.Combine(dir, "initdb")))
                    {
                        return dir;
                    }
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }

            const string root = "/usr/lib/postgresql";
            var found = Directory.Exists(root)
                ? Directory.GetDirectories(root)
                    .Select(d => (Dir: System.IO.Path.Combine(d, "bin"), Version: int.TryParse(System.IO.Path.GetFileName(d), out var v) ? v : -1))
                    .Where(d => File.Exists(System.IO.Path.Combine(d.Dir, "initdb")))
                    .OrderByDescending(d => d.Version)
                    .Select(d => d.Dir)
                    .FirstOrDefault()
                : null;
            return found ?? throw new InvalidOperationException(
                "PostgreSQL is not installed (no initdb from `pg_config --bindir` or in /usr/lib/postgresql/*/bin): "
                + "install it (apt-get install postgresql) or set CAREBOT_TEST_PG to a superuser's connection string.");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}

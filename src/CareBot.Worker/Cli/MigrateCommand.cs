using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Core.Text;
using CareBot.Storage.LiteDb;
using CareBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareBot.Worker.Cli;

/// <summary>
/// <c>carebot migrate --from FILE.db [--password P]</c>: copies a school's LiteDB file (upgraded first if old) into the
/// configured, empty PostgreSQL database, in one transaction, and checks the counts per collection before it commits.
/// A database that is not empty is refused (exit code 2) and nothing changes.
/// </summary>
internal static class MigrateCommand
{
    public static int Run(FileInfo from, string? password, IDictionary<string, string?>? overrides, string language, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(from);
        var settings = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>());
        settings.TryAdd("Serilog:MinimumLevel:Default", "Warning");

        // The settings only: the configured database is opened below, never through the host (which would write the admins).
        using var host = CareHost.CreateBuilder([], settings, language).Build();
        CareSettings.ValidateAll(host.Services);
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (!storage.IsPostgreSQL)
        {
            throw new ConfigurationErrorException(Texts.Get(language, "cli.migrate.not_postgres", storage.Provider));
        }

        if (!from.Exists)
        {
            throw new ConfigurationErrorException(Texts.Get(language, "cli.migrate.no_file", from.FullName));
        }

        var care = host.Services.GetRequiredService<IOptions<CareOptions>>().Value;
        var time = host.Services.GetRequiredService<TimeProvider>();
        // The file's password: --password, else Storage:Password (the school's own setting, e.g. Storage__Password).
        var filePassword = string.IsNullOrEmpty(password) ? storage.Password : password;
        using var source = new LiteCareDb(from.FullName, string.IsNullOrEmpty(filePassword) ? null : filePassword, care.Directory.UpgradeTo);
        using var target = StorageProviders.OpenPostgreSQL(storage, time);
        var expected = source.Read(StorageCopy.Count);
        var copied = target.Write(to =>
        {
            var present = StorageCopy.Count(to).Where(c => c.Value > 0).ToList();
            if (present.Count > 0)
            {
                throw new StorageException("migrate: the database is not empty.")
                {
                    Error = StorageError.NotEmpty,
                    Args = [target.Path, string.Join(", ", present.Select(c => $"{c.Key} {c.Value}"))],
                };
            }

            source.Read(tx => StorageCopy.CopyAll(tx, to));
            var counts = StorageCopy.Count(to);
            var wrong = expected.Where(c => counts.GetValueOrDefault(c.Key) != c.Value).Select(c => c.Key).ToList();
            if (wrong.Count > 0)
            {
                // Rolled back with the copy: the database stays empty.
                throw new InvalidOperationException("migrate: the counts differ after the copy: " + string.Join(", ", wrong));
            }

            to.AuditWrite(time.GetUtcNow().UtcDateTime, "cli", "storage.migrated", null, $"collections:{counts.Count}");
            return counts;
        });

        stdout.WriteLine(Texts.Get(language, "cli.migrate.done", from.FullName, target.Path, string.Join(", ", copied.Select(c => $"{c.Key} {c.Value}"))));
        return ExitCodes.Ok;
    }
}

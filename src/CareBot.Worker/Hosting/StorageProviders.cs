using CareBot.Core;
using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;
using CareBot.Storage.Postgres;

namespace CareBot.Worker.Hosting;

/// <summary>Opens the database the <c>Storage</c> settings name: a LiteDB file (the default) or a PostgreSQL database.</summary>
public static class StorageProviders
{
    /// <param name="upgradeSchool">The school a LiteDB file from before schools is upgraded to.</param>
    public static CareDb Open(StorageOptions storage, string upgradeSchool, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.IsPostgreSQL
            ? OpenPostgreSQL(storage, time)
            : new LiteCareDb(storage.DatabasePath, storage.Password, upgradeSchool);
    }

    /// <summary>The configured PostgreSQL database (for <c>carebot migrate</c>, whatever the worker uses).</summary>
    public static CareDb OpenPostgreSQL(StorageOptions storage, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(time);
        return new PgCareDb(storage.ConnectionString ?? "", time, TimeSpan.FromSeconds(storage.GiveUpAfterSeconds));
    }
}

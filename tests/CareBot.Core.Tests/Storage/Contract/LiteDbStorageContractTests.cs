using CareBot.Core.Storage;
using CareBot.Storage.LiteDb;

namespace CareBot.Core.Tests.Storage.Contract;

/// <summary>The storage contract on LiteDB, in a file of a temporary folder.</summary>
public sealed class LiteDbStorageContractTests : StorageContractTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carebot-contract-").FullName;

    private string File => Path.Combine(_dir, "carebot.db");

    protected override CareDb Open() => new LiteCareDb(File);

    protected override void SetSchemaVersion(int version)
    {
        using var raw = new LiteDB.LiteDatabase($"Filename={File}");
        raw.UserVersion = version;
    }

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}

using LiteDB;

namespace CareBot.Core.Storage;

/// <summary>
/// A consistent copy of the whole database (<c>carebot backup FILE</c>), taken while the worker keeps working: every
/// collection is read inside one read transaction of the live database while no other thread writes (a snapshot),
/// written to FILE.partial as a CareDb of its own (encrypted with the password when given, synced when closed), and
/// renamed to FILE only when complete, so FILE is either absent or whole.
/// </summary>
public static class DatabaseBackup
{
    /// <summary>Writes the copy; <paramref name="file"/> must not exist. Returns the number of documents per collection.</summary>
    public static IReadOnlyDictionary<string, int> Write(CareDb source, string file, string? password = null, IFileLayer? files = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        files ??= OsFileLayer.Instance;
        var full = Path.GetFullPath(file);
        if (files.Exists(full))
        {
            throw new StorageException($"backup: {file} already exists; choose a new file name.") { Error = StorageError.BackupExists, Args = [file] };
        }

        var temp = full + ".partial";
        Remove(files, temp);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using (var target = new CareDb(temp, password, files))
            {
                source.Read(tx =>
                {
                    var live = tx.Raw;
                    var ownTransaction = live.BeginTrans();
                    try
                    {
                        target.Write(copy =>
                        {
                            foreach (var name in live.GetCollectionNames().Order(StringComparer.Ordinal))
                            {
                                var docs = live.GetCollection(name, BsonAutoId.Int64).FindAll().ToList();
                                var to = copy.Raw.GetCollection(name, BsonAutoId.Int64);
                                to.DeleteAll();
                                to.InsertBulk(docs);
                                counts[name] = docs.Count;
                            }

                            copy.Raw.UserVersion = live.UserVersion;
                        });
                    }
                    finally
                    {
                        if (ownTransaction)
                        {
                            live.Rollback();
                        }
                    }
                });
            }

            if (files.Exists(full))
            {
                throw new StorageException($"backup: {file} appeared while the copy was written; choose a new file name.") { Error = StorageError.BackupAppeared, Args = [file] };
            }

            files.Move(temp, full);
            Remove(files, temp + ".lock");
            return counts;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LiteException or StorageException or StorageFailedException)
        {
            Remove(files, temp);
            Remove(files, temp + ".lock");
            throw ex as StorageException ?? new StorageException($"backup: cannot write {file}: {ex.Message}", ex) { Error = StorageError.BackupCannotWrite, Args = [file, ex.Message] };
        }
    }

    private static void Remove(IFileLayer files, string path)
    {
        try
        {
            if (files.Exists(path))
            {
                files.Delete(path);
            }

            var log = DatabaseFiles.LogFileOf(path);
            if (files.Exists(log))
            {
                files.Delete(log);
            }
        }
        catch (IOException)
        {
        }
    }
}

using CareBot.Core.Storage;
using LiteDB;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// A consistent copy of the whole database (<c>carebot backup FILE</c>), taken while the worker keeps working. A
/// database in a file is copied as a file (<see cref="LiteCareDb.CopyDataFileTo"/>): a checkpoint, then the data file in
/// pieces of 1 MiB while the chat goes on writing to the log; memory stays bounded and the database is held only for
/// the checkpoint. The copy is written to FILE.partial, synced, opened as a database to count its documents (so a copy
/// that does not open is never handed out), and renamed to FILE only then: FILE is either absent or whole. An
/// encrypted database gives an encrypted copy (the same password). Only a database kept in memory (tests), or a copy
/// asked with another encryption than the source's, is copied document by document, streamed, in one turn.
/// </summary>
public static class DatabaseBackup
{
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
            if (source is LiteCareDb lite && lite.CanCopyFile(password))
            {
                using (var stream = files.Open(temp))
                {
                    lite.CopyDataFileTo(stream);
                    stream.Flush();
                }

                using var copy = new LiteCareDb(temp, password, files);
                copy.Read(tx =>
                {
                    foreach (var name in tx.Raw().GetCollectionNames())
                    {
                        counts[name] = tx.Raw().GetCollection(name, BsonAutoId.Int64).Count();
                    }
                });
            }
            else
            {
                CopyDocuments(source, temp, password, files, counts);
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

    /// <summary>Document by document, streamed, inside one read of the source (a snapshot: nothing writes meanwhile).</summary>
    private static void CopyDocuments(CareDb source, string temp, string? password, IFileLayer files, SortedDictionary<string, int> counts)
    {
        using var target = new LiteCareDb(temp, password, files);
        if (source is not LiteCareDb)
        {
            // Another provider (PostgreSQL): its documents, typed, with their keys; the copy is a LiteDB file (a way back).
            source.ReadSnapshot(from => target.Write(to =>
            {
                foreach (var (name, count) in StorageCopy.CopyAll(from, to))
                {
                    counts[name] = count;
                }

                return true;
            }));
            return;
        }

        source.Read(tx =>
        {
            var live = tx.Raw();
            var ownTransaction = live.BeginTrans();
            try
            {
                target.Write(copy =>
                {
                    foreach (var name in live.GetCollectionNames().Order(StringComparer.Ordinal))
                    {
                        var to = copy.Raw().GetCollection(name, BsonAutoId.Int64);
                        to.DeleteAll();
                        var n = 0;
                        to.InsertBulk(live.GetCollection(name, BsonAutoId.Int64).FindAll().Select(d =>
                        {
                            n++;
                            return d;
                        }));
                        counts[name] = n;
                    }

                    copy.Raw().UserVersion = live.UserVersion;
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

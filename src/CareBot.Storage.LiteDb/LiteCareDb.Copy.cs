using CareBot.Core.Storage;

namespace CareBot.Storage.LiteDb;

/// <summary>
/// A consistent copy of the data file taken beside the working database (<c>carebot backup</c>). LiteDB writes its
/// data file only when it checkpoints (copies its log into it); every commit goes to the log first. So: one short turn
/// checkpoints (the data file then holds everything committed) and turns off LiteDB's automatic checkpoint; the file is
/// then copied outside the turns in bounded pieces while the chat and the jobs go on writing to the log; a last short
/// turn turns the automatic checkpoint back on and checks that the data file was not written meanwhile.
/// </summary>
public sealed partial class LiteCareDb
{
    /// <summary>LiteDB's automatic checkpoint: when the log grows past this many pages (LiteDB's default).</summary>
    public const int CheckpointPages = 1000;

    private int _copying;

    /// <summary>A backup is copying the data file: no checkpoint may write it until the copy is done.</summary>
    private bool Copying => Volatile.Read(ref _copying) != 0;

    /// <summary>A database in a file whose data file can be copied as it is to make a copy encrypted (or not) as asked.</summary>
    internal bool CanCopyFile(string? password) => _data is not null && _files is not null && Encrypted == !string.IsNullOrEmpty(password);

    /// <summary>
    /// Writes the data file, as it is after a checkpoint now, to <paramref name="target"/> through a buffer of
    /// <paramref name="bufferBytes"/>; the database is held only for the checkpoint at the start and a check at the end.
    /// The copy is a whole LiteDB file (with the source's encryption). Throws <see cref="StorageException"/> when the
    /// data file changed during the copy (the database was closed meanwhile).
    /// </summary>
    internal void CopyDataFileTo(Stream target, int bufferBytes = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_data is null || _files is null)
        {
            throw new InvalidOperationException("Only a database in a file can be copied as a file.");
        }

        long length, writes;
        lock (_writeLock)
        {
            ThrowIfFailed();
            if (Interlocked.Exchange(ref _copying, 1) != 0)
            {
                throw new StorageException("backup: another backup is being written; try again when it is done.") { Error = StorageError.BackupBusy };
            }

            try
            {
                Locked(_ =>
                {
                    _db.Checkpoint();
                    _db.CheckpointSize = 0;
                });
                Sync();
                length = _data.Length;
                writes = _data.Writes;
            }
            catch
            {
                Volatile.Write(ref _copying, 0);
                throw;
            }
        }

        var changed = false;
        try
        {
            using var source = _files.Open(System.IO.Path.GetFullPath(Path));
            var buffer = new byte[bufferBytes];
            for (long done = 0; done < length;)
            {
                var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, length - done));
                if (read == 0)
                {
                    throw new IOException($"{Path} ended at {done} bytes while {length} were expected.");
                }

                target.Write(buffer, 0, read);
                done += read;
            }
        }
        finally
        {
            lock (_writeLock)
            {
                changed = _data.Writes != writes;
                if (!_disposed && _failure is null)
                {
                    Locked(_ => _db.CheckpointSize = CheckpointPages);
                    Sync();
                }

                Volatile.Write(ref _copying, 0);
            }
        }

        if (changed)
        {
            throw new StorageException("backup: the database file changed while it was copied (was the worker stopping?); nothing was written.") { Error = StorageError.BackupChanged };
        }
    }

    /// <summary>A backup cut short (a crash while copying) leaves the automatic checkpoint off in the file: turned back on at open.</summary>
    private void RestoreAutomaticCheckpoints()
    {
        if (_db.CheckpointSize != CheckpointPages)
        {
            _db.CheckpointSize = CheckpointPages;
        }
    }
}

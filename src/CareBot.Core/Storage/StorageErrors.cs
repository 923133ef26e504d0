namespace CareBot.Core.Storage;

/// <summary>A bad database file, password, path or server: exit code 2 with this message.</summary>
public sealed class StorageException(string message, Exception? inner = null, bool inUse = false) : Exception(message, inner)
{
    /// <summary>The file is held by another process (the worker runs; LiteDB direct mode opens the file exclusively).</summary>
    public bool InUse { get; } = inUse;

    /// <summary>What went wrong, so the command line can say it in the admin's language; <see cref="StorageError.Other"/> otherwise.</summary>
    public StorageError Error { get; init; }

    /// <summary>The values the message names (paths, versions), in the order of the text's placeholders.</summary>
    public IReadOnlyList<object?> Args { get; init; } = [];
}

/// <summary>The kinds of <see cref="StorageException"/> the admin sees; each has a text <c>storage.{kind}</c> (snake case).</summary>
public enum StorageError
{
    Other,
    CannotCreateFolder,
    NotEncrypted,
    PasswordMissing,
    PasswordWrong,
    NotADatabase,
    InUse,
    CannotOpen,
    NoPermission,
    NewerSchema,
    BackupExists,
    BackupAppeared,
    BackupCannotWrite,
    BackupBusy,
    BackupChanged,
    ServerUnreachable,
    NotEmpty,
    ServerCannotOpen,
    ServerNewerSchema,
    BadConnectionString,
}

/// <summary>The database stopped (a disk error, a server out of reach too long); nothing more can be saved until the process restarts.</summary>
public sealed class StorageFailedException : Exception
{
    public StorageFailedException(string path, Exception inner)
        : base($"Storage:DatabasePath: {path}: the database stopped after a disk error ({inner?.GetType().Name}: {inner?.Message}); restart the worker.", inner)
    {
    }

    /// <summary>A database server (<paramref name="server"/>: host, port, database) out of reach for too long.</summary>
    public StorageFailedException(string server, Exception inner, bool serverGone)
        : base(serverGone
            ? $"Storage:ConnectionString: {server}: the database server has been out of reach too long ({inner?.Message}); restart the worker."
            : $"Storage:ConnectionString: {server}: the database stopped ({inner?.GetType().Name}: {inner?.Message}); restart the worker.", inner)
    {
    }
}

/// <summary>A unique key (a document's key, an outbox key, a phone, an invite code) is already taken. The turn goes on.</summary>
public sealed class DuplicateKeyException(string collection, Exception? inner = null)
    : Exception($"A document of {collection} with the same key exists.", inner)
{
    public string Collection { get; } = collection;
}

/// <summary>The storage is busy or out of reach for now (a lock wait timed out, the server is gone): try again later.</summary>
public sealed class StorageBusyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The storage refused an operation for a reason of its own (not a disk that stopped): the operation did not happen.</summary>
public sealed class StorageFaultException(string message, Exception? inner = null) : Exception(message, inner);

using Microsoft.Data.Sqlite;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Copies the write-ahead log into the database on a pool thread while creates go on, so that the checkpoint SQLite
/// runs inside a commit once the log reaches <see cref="SqliteDatabase.AutoCheckpointPages"/> finds almost nothing left
/// to sync and copy. That in-commit checkpoint stays as the backstop because only a checkpoint that completes while no
/// write is open lets the log restart from its beginning, and under a steady stream of creates this one never does.
/// What it takes off the writer is the fsync of megabytes of log plus the page copies: 20–30 ms inside one create in
/// every thousand or so. The pass is PASSIVE: it never waits for, or blocks, a reader or the writer.
/// </summary>
internal sealed class WalCheckpointer(string connectionString) : IDisposable
{
    /// <summary>About 300 log pages: a pass then syncs a megabyte or so, and its own two fsyncs are shared widely.</summary>
    private const int RowsPerPass = 100;

    private readonly Lock _gate = new();
    private int _rowsSincePass;
    private int _passQueued;
    private long _lastLogPages;
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <summary>Counts newly written rows and queues a pass once enough have been written since the last one.</summary>
    public void Written(int rows)
    {
        if (Interlocked.Add(ref _rowsSincePass, rows) >= RowsPerPass && Interlocked.CompareExchange(ref _passQueued, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _rowsSincePass, 0);
            ThreadPool.UnsafeQueueUserWorkItem(static checkpointer => checkpointer.Pass(), this, preferLocal: false);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
    }

    private void Pass()
    {
        try
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                using var checkpoint = Open().CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                using var result = checkpoint.ExecuteReader();
                var logPages = result.Read() ? result.GetInt64(1) : 0;
                var growth = logPages >= _lastLogPages ? logPages - _lastLogPages : logPages;
                _lastLogPages = logPages;
                if (logPages + growth >= SqliteDatabase.AutoCheckpointPages)
                {
                    // The in-commit checkpoint is (about to be) due, and it gives up at once while a pass runs: stand
                    // aside for the next rows' commits so one of them completes it and the log restarts from its
                    // beginning (else the log grows on past the threshold).
                    Interlocked.Add(ref _rowsSincePass, -RowsPerPass);
                }
            }
        }
        catch (SqliteException)
        {
            // A failed pass loses nothing: the log keeps every page, and the in-commit checkpoint still runs.
            lock (_gate)
            {
                _connection?.Dispose();
                _connection = null;
            }
        }
        finally
        {
            Volatile.Write(ref _passQueued, 0);
        }
    }

    // The connection's synchronous=NORMAL is what makes the pass fsync the log before it copies it.
    private SqliteConnection Open() => _connection ??= SqliteDatabase.Open(connectionString);
}

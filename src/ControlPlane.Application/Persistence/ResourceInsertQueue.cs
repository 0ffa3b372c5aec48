using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Group commit for new resources, by flat combining. Each Create queues its row, then whichever caller finds the
/// writer free inserts every queued row in a single transaction on a long-lived connection with prepared statements
/// and answers each caller. SQLite admits one writer at a time, so batching is what lets creates scale with concurrent
/// clients; and a lone client writes its own row on its own thread, with no hand-off to a background writer (waking
/// an idle thread costs more than the insert). A duplicate name fails that row only: SQLite undoes just the failed
/// statement, and a row's tags cannot clash (CreateAsync keeps one value per key), so no savepoint is needed per row.
/// </summary>
public sealed class ResourceInsertQueue(IOptions<ControlPlaneOptions> options) : IDisposable
{
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<PendingInsert> _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly BatchWriter _writer = new(SqliteDatabase.ConnectionString(options.Value));
    private readonly WalCheckpointer _checkpointer = new(SqliteDatabase.ConnectionString(options.Value));
    private readonly List<PendingInsert> _batch = new(MaxBatch);

    /// <summary>Inserts the record and its tags; false when its name or ARN is already taken.</summary>
    public Task<bool> InsertAsync(ResourceRecord record, CancellationToken cancellationToken)
    {
        var pending = new PendingInsert(record, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Enqueue(pending);
        WriteQueuedRows();
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _writing.Wait();
        try
        {
            _writer.Dispose();
            _checkpointer.Dispose();
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Writes batches while rows are queued and no other caller is writing. A caller that finds the writer busy leaves
    /// its row to the writer, which looks at the queue again after every release, so no row is left behind.
    /// </summary>
    private void WriteQueuedRows()
    {
        while (!_pending.IsEmpty && _writing.Wait(0))
        {
            try
            {
                while (_batch.Count < MaxBatch && _pending.TryDequeue(out var next))
                {
                    _batch.Add(next);
                }

                _writer.Write(_batch);
                _checkpointer.Written(_batch.Count);
            }
            finally
            {
                _batch.Clear();
                _writing.Release();
            }
        }
    }

    private sealed record PendingInsert(ResourceRecord Record, TaskCompletionSource<bool> Completion);

    private sealed class BatchWriter(string connectionString) : IDisposable
    {
        private SqliteConnection? _connection;
        private SqliteCommand? _insertResource;
        private SqliteCommand? _insertTag;

        public void Write(List<PendingInsert> batch)
        {
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                var results = InsertAll(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException)
            {
                Reset();
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }

        public void Dispose() => Reset();

        private bool[] InsertAll(List<PendingInsert> batch)
        {
            var connection = Open();
            var results = new bool[batch.Count];

            // A lone row without tags is a transaction by itself; BEGIN and COMMIT would only add two statements.
            using var transaction = batch is [{ Record.Tags.Count: 0 }] ? null : connection.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i].Record;
                _insertResource!.Transaction = transaction;
                Bind(_insertResource, record);
                try
                {
                    // Run to completion, not read through RETURNING: a lone row commits when its statement ends, and
                    // SQLite's automatic checkpoint runs only when a statement steps to its end, not when a reader
                    // stops early (the log then grew without bound).
                    _insertResource.ExecuteNonQuery();
                    record.Id = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
                {
                    continue;
                }

                _insertTag!.Transaction = transaction;
                foreach (var tag in record.Tags)
                {
                    _insertTag.Parameters["$resource"].Value = record.Id;
                    _insertTag.Parameters["$key"].Value = tag.Key;
                    _insertTag.Parameters["$value"].Value = tag.Value;
                    _insertTag.ExecuteNonQuery();
                }

                results[i] = true;
            }

            transaction?.Commit();
            return results;
        }

        private static void Bind(SqliteCommand command, ResourceRecord record)
        {
            var parameters = command.Parameters;
            parameters["$account"].Value = record.AccountId;
            parameters["$kind"].Value = (int)record.Kind;
            parameters["$name"].Value = record.Name;
            parameters["$nameKey"].Value = record.NameKey;
            parameters["$arn"].Value = record.Arn;
            parameters["$arnKey"].Value = record.ArnKey;
            parameters["$status"].Value = (object?)record.Status ?? DBNull.Value;
            parameters["$created"].Value = record.CreatedAt;
            parameters["$modified"].Value = record.ModifiedAt;
            parameters["$document"].Value = record.Document;
            parameters["$summary"].Value = record.Summary;
        }

        private SqliteConnection Open()
        {
            if (_connection is not null)
            {
                return _connection;
            }

            var connection = SqliteDatabase.Open(connectionString);
            _insertResource = connection.CreateCommand();
            _insertResource.CommandText =
                "INSERT INTO Resources (AccountId, Kind, Name, NameKey, Arn, ArnKey, Status, CreatedAt, ModifiedAt, Document, Summary, Version) " +
                "VALUES ($account, $kind, $name, $nameKey, $arn, $arnKey, $status, $created, $modified, $document, $summary, 0)";
            foreach (var name in new[] { "$account", "$kind", "$name", "$nameKey", "$arn", "$arnKey", "$status", "$created", "$modified", "$document", "$summary" })
            {
                _insertResource.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _insertTag = connection.CreateCommand();
            _insertTag.CommandText = "INSERT INTO Tags (ResourceId, Key, Value) VALUES ($resource, $key, $value)";
            foreach (var name in new[] { "$resource", "$key", "$value" })
            {
                _insertTag.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _connection = connection;
            return connection;
        }

        private void Reset()
        {
            _insertResource?.Dispose();
            _insertTag?.Dispose();
            _connection?.Dispose();

            (_connection, _insertResource, _insertTag) = (null, null, null);
        }
    }
}

/// <summary>How every connection to the service's database is opened.</summary>
public static class SqliteDatabase
{
    /// <summary>
    /// With WAL (set once, kept in the file), synchronous=NORMAL is durable across a process crash and commits without
    /// an fsync each. SQLite's automatic checkpoint stays: it runs inside the commit that crosses its threshold, while
    /// that writer holds the lock, so it always completes and the log restarts. A checkpoint in the background alone
    /// never caught up with a steady stream of creates, and the log grew without bound; <see cref="WalCheckpointer"/>
    /// only does most of the in-commit checkpoint's work ahead of it. The threshold is 3,000 pages (12 MB of log)
    /// rather than SQLite's 1,000: the log restarts a third as often.
    /// </summary>
    public static readonly string ConnectionPragmas = $"PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint={AutoCheckpointPages};";

    /// <summary>The log's size, in pages, at which a commit runs SQLite's own checkpoint.</summary>
    internal const int AutoCheckpointPages = 3000;

    public static string ConnectionString(ControlPlaneOptions options) => $"Data Source={options.DatabasePath};Pooling=True;Default Timeout=30";

    /// <summary>An open connection of the service's own, outside EF Core, with <see cref="ConnectionPragmas"/> applied.</summary>
    internal static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = ConnectionPragmas;
        pragma.ExecuteNonQuery();
        return connection;
    }
}

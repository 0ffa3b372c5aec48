using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Group commit for new resources. Concurrent Create calls queue their rows; one writer inserts every queued row in a
/// single transaction on a long-lived connection with prepared statements, then answers each caller. SQLite admits one
/// writer at a time, so batching is what lets creates scale with concurrent clients. Each row has its own savepoint:
/// a duplicate name fails that row only.
/// </summary>
public sealed class ResourceInsertQueue(IOptions<ControlPlaneOptions> options) : BackgroundService
{
    private const int MaxBatch = 256;

    private readonly Channel<PendingInsert> _pending = Channel.CreateUnbounded<PendingInsert>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Inserts the record and its tags; false when its name or ARN is already taken.</summary>
    public Task<bool> InsertAsync(ResourceRecord record, CancellationToken cancellationToken)
    {
        var pending = new PendingInsert(record, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The service is shutting down.");
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var writer = new BatchWriter(SqliteDatabase.ConnectionString(options.Value));
        var batch = new List<PendingInsert>(MaxBatch);
        var reader = _pending.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await writer.WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: rows still queued are written before the process ends.
            _pending.Writer.TryComplete();
            while (reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await writer.WriteAsync(batch);
        }
    }

    private sealed record PendingInsert(ResourceRecord Record, TaskCompletionSource<bool> Completion);

    private sealed class BatchWriter(string connectionString) : IAsyncDisposable
    {
        private SqliteConnection? _connection;
        private SqliteCommand? _insertResource;
        private SqliteCommand? _insertTag;

        public async Task WriteAsync(List<PendingInsert> batch)
        {
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                var results = await InsertAllAsync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException)
            {
                await ResetAsync();
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }

        public ValueTask DisposeAsync() => ResetAsync();

        private async Task<bool[]> InsertAllAsync(List<PendingInsert> batch)
        {
            var connection = await OpenAsync();
            var results = new bool[batch.Count];
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i].Record;
                transaction.Save("row");
                try
                {
                    _insertResource!.Transaction = transaction;
                    Bind(_insertResource, record);
                    record.Id = (long)(await _insertResource.ExecuteScalarAsync())!;
                    _insertTag!.Transaction = transaction;
                    foreach (var tag in record.Tags)
                    {
                        _insertTag.Parameters["$resource"].Value = record.Id;
                        _insertTag.Parameters["$key"].Value = tag.Key;
                        _insertTag.Parameters["$value"].Value = tag.Value;
                        await _insertTag.ExecuteNonQueryAsync();
                    }

                    transaction.Release("row");
                    results[i] = true;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
                {
                    transaction.Rollback("row");
                    transaction.Release("row");
                }
            }

            await transaction.CommitAsync();
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

        private async Task<SqliteConnection> OpenAsync()
        {
            if (_connection is not null)
            {
                return _connection;
            }

            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = SqliteDatabase.ConnectionPragmas;
                await pragma.ExecuteNonQueryAsync();
            }

            _insertResource = connection.CreateCommand();
            _insertResource.CommandText =
                "INSERT INTO Resources (AccountId, Kind, Name, NameKey, Arn, ArnKey, Status, CreatedAt, ModifiedAt, Document, Summary, Version) " +
                "VALUES ($account, $kind, $name, $nameKey, $arn, $arnKey, $status, $created, $modified, $document, $summary, 0) RETURNING Id";
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

        private async ValueTask ResetAsync()
        {
            _insertResource?.Dispose();
            _insertTag?.Dispose();
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            (_connection, _insertResource, _insertTag) = (null, null, null);
        }
    }
}

/// <summary>How every connection to the service's database is opened.</summary>
public static class SqliteDatabase
{
    /// <summary>
    /// With WAL (set once, kept in the file), synchronous=NORMAL is durable across a process crash and commits without
    /// an fsync each.
    /// </summary>
    public const string ConnectionPragmas = "PRAGMA synchronous=NORMAL;";

    public static string ConnectionString(ControlPlaneOptions options) => $"Data Source={options.DatabasePath};Pooling=True;Default Timeout=30";
}

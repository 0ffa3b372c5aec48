using System.Collections.Concurrent;
using ControlPlane.Core.Resources;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Reads one resource's document by name: Describe, the hottest call, and the reference checks of creates. Through EF
/// each read opened a pooled connection (behind one lock), prepared its statement again and closed the connection,
/// which cost more than the read itself. Here each connection stays open with its statements prepared once, and idle
/// ones wait in a lock-free queue. No read transaction outlives a call, so checkpoints are never held back.
/// </summary>
public sealed class ResourceDocumentReader(IOptions<ControlPlaneOptions> options) : IDisposable
{
    // Beyond this many idle connections (one per concurrent reader at the peak), extras are closed after use.
    private const int MaxIdle = 16;

    private readonly string _connectionString = SqliteDatabase.ConnectionString(options.Value);
    private readonly ConcurrentQueue<Lookup> _idle = new();

    /// <summary>The document, or null when there is no such resource.</summary>
    public string? Find(string account, ResourceKind kind, string nameKey) => Run(lookup => lookup.Find(account, kind, nameKey));

    public bool Exists(string account, ResourceKind kind, string nameKey) => Run(lookup => lookup.Exists(account, kind, nameKey));

    public void Dispose()
    {
        while (_idle.TryDequeue(out var lookup))
        {
            lookup.Dispose();
        }
    }

    private T Run<T>(Func<Lookup, T> read)
    {
        var lookup = _idle.TryDequeue(out var idle) ? idle : new Lookup(_connectionString);
        T result;
        try
        {
            result = read(lookup);
        }
        catch
        {
            // A connection that failed mid-read is not trusted again.
            lookup.Dispose();
            throw;
        }

        if (_idle.Count < MaxIdle)
        {
            _idle.Enqueue(lookup);
        }
        else
        {
            lookup.Dispose();
        }

        return result;
    }

    private sealed class Lookup : IDisposable
    {
        private const string Where = "WHERE AccountId = $account AND Kind = $kind AND NameKey = $nameKey";

        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _document;
        private readonly SqliteCommand _exists;

        public Lookup(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            _document = Prepare($"SELECT Document FROM Resources {Where}");
            _exists = Prepare($"SELECT 1 FROM Resources {Where}");
        }

        public string? Find(string account, ResourceKind kind, string nameKey) => Bind(_document, account, kind, nameKey).ExecuteScalar() as string;

        public bool Exists(string account, ResourceKind kind, string nameKey) => Bind(_exists, account, kind, nameKey).ExecuteScalar() is not null;

        public void Dispose()
        {
            _document.Dispose();
            _exists.Dispose();
            _connection.Dispose();
        }

        private static SqliteCommand Bind(SqliteCommand command, string account, ResourceKind kind, string nameKey)
        {
            command.Parameters["$account"].Value = account;
            command.Parameters["$kind"].Value = (int)kind;
            command.Parameters["$nameKey"].Value = nameKey;
            return command;
        }

        private SqliteCommand Prepare(string sql)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in new[] { "$account", "$kind", "$nameKey" })
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }
    }
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Applies <see cref="SqliteDatabase.ConnectionPragmas"/> to EF Core's connections. The settings belong to the native
/// handle, which the connection pool reuses, so they are applied once per handle rather than on every open.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private static readonly ConditionalWeakTable<sqlite3, object> Configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsConfiguring(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SqliteDatabase.ConnectionPragmas;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsConfiguring(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = SqliteDatabase.ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static bool NeedsConfiguring(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Configured.TryAdd(handle, handle);
}

using System.Globalization;
using System.Text;
using ControlPlane.Core.Paging;
using ControlPlane.Core.Resources;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Application.Persistence;

/// <summary>One page of a List operation: filters, sort key and the keyset cursor to continue after.</summary>
public sealed record ResourceListQuery(
    string AccountId,
    ResourceKind Kind,
    string SortBy,
    bool Descending,
    int Limit)
{
    public string? NameFragment { get; init; }

    public long? CreatedAfter { get; init; }

    public long? CreatedBefore { get; init; }

    public long? ModifiedAfter { get; init; }

    public long? ModifiedBefore { get; init; }

    public string? Status { get; init; }

    public PageCursor? After { get; init; }
}

/// <summary>A listed resource: its summary and the values its page cursor is made of.</summary>
public sealed record ListedResource(long Id, string NameKey, string? Status, long CreatedAt, string Summary)
{
    public string SortValue(string sortBy) => sortBy switch
    {
        "Name" => NameKey,
        "Status" => Status ?? string.Empty,
        _ => CreatedAt.ToString(CultureInfo.InvariantCulture),
    };
}

internal static class ResourceListReader
{
    /// <summary>
    /// Lists are read with plain SQL: a page of a hundred summaries is the second-hottest call, and the query is a
    /// single index range scan whose SQL is simpler than its LINQ. Keyset order is (sort key, Id).
    /// </summary>
    public static async Task<List<ListedResource>> ReadAsync(ControlPlaneDbContext db, ResourceListQuery query, CancellationToken cancellationToken)
    {
        var sortColumn = query.SortBy switch
        {
            "Name" => "NameKey",
            "Status" => "Status",
            _ => "CreatedAt",
        };
        var sql = new StringBuilder("SELECT Id, NameKey, Status, CreatedAt, Summary FROM Resources WHERE AccountId = $account AND Kind = $kind");
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$account", query.AccountId);
        command.Parameters.AddWithValue("$kind", (int)query.Kind);

        void Filter(string condition, string parameter, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                command.Parameters.AddWithValue(parameter, value);
            }
        }

        Filter("instr(NameKey, $name) > 0", "$name", query.NameFragment?.ToLowerInvariant());
        Filter("CreatedAt > $createdAfter", "$createdAfter", query.CreatedAfter);
        Filter("CreatedAt < $createdBefore", "$createdBefore", query.CreatedBefore);
        Filter("ModifiedAt > $modifiedAfter", "$modifiedAfter", query.ModifiedAfter);
        Filter("ModifiedAt < $modifiedBefore", "$modifiedBefore", query.ModifiedBefore);
        Filter("Status = $status", "$status", query.Status);
        if (query.After is { } cursor)
        {
            var comparison = query.Descending ? "<" : ">";
            sql.Append($" AND ({sortColumn} {comparison} $afterKey OR ({sortColumn} = $afterKey AND Id {comparison} $afterId))");
            command.Parameters.AddWithValue("$afterKey", sortColumn == "CreatedAt" ? long.Parse(cursor.SortValue, CultureInfo.InvariantCulture) : cursor.SortValue);
            command.Parameters.AddWithValue("$afterId", cursor.Id);
        }

        var direction = query.Descending ? "DESC" : "ASC";
        sql.Append($" ORDER BY {sortColumn} {direction}, Id {direction} LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var rows = new List<ListedResource>(query.Limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new ListedResource(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

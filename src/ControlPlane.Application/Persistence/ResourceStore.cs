using ControlPlane.Core.Resources;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Application.Persistence;

/// <summary>The queries the operations run against the resource table.</summary>
public sealed class ResourceStore(ControlPlaneDbContext db)
{
    // Describe is the hottest call: compiled once, it reads only the document column through the unique index.
    private static readonly Func<ControlPlaneDbContext, string, ResourceKind, string, Task<string?>> FindDocumentQuery =
        EF.CompileAsyncQuery((ControlPlaneDbContext context, string account, ResourceKind kind, string nameKey) =>
            context.Resources.Where(r => r.AccountId == account && r.Kind == kind && r.NameKey == nameKey).Select(r => r.Document).FirstOrDefault());

    private static readonly Func<ControlPlaneDbContext, string, ResourceKind, string, Task<bool>> ExistsQuery =
        EF.CompileAsyncQuery((ControlPlaneDbContext context, string account, ResourceKind kind, string nameKey) =>
            context.Resources.Any(r => r.AccountId == account && r.Kind == kind && r.NameKey == nameKey));

    public ControlPlaneDbContext Db => db;

    public static string Key(string name) => name.ToLowerInvariant();

    public Task<string?> FindDocumentAsync(string account, ResourceKind kind, string name) => FindDocumentQuery(db, account, kind, Key(name));

    public Task<bool> ExistsAsync(string account, ResourceKind kind, string name) => ExistsQuery(db, account, kind, Key(name));

    /// <summary>The tracked record, for an update or delete.</summary>
    public Task<ResourceRecord?> FindAsync(string account, ResourceKind kind, string name, CancellationToken cancellationToken) =>
        db.Resources.FirstOrDefaultAsync(r => r.AccountId == account && r.Kind == kind && r.NameKey == Key(name), cancellationToken);

    public Task<ResourceRecord?> FindByArnAsync(string account, string arn, CancellationToken cancellationToken) =>
        db.Resources.Include(r => r.Tags).FirstOrDefaultAsync(r => r.AccountId == account && r.ArnKey == Key(arn), cancellationToken);

    /// <summary>Inserts a new resource; false when the name was taken meanwhile (the unique index decides).</summary>
    public async Task<bool> TryInsertAsync(ResourceRecord record, CancellationToken cancellationToken)
    {
        db.Resources.Add(record);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is SqliteException { SqliteErrorCode: 19 })
        {
            db.Entry(record).State = EntityState.Detached;
            return false;
        }
    }

    /// <summary>Saves tracked changes; false when another writer changed the record first.</summary>
    public async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in db.ChangeTracker.Entries<ResourceRecord>().Where(e => e.State == EntityState.Modified))
        {
            entry.Entity.Version++;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}

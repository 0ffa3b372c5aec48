using ControlPlane.Core.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// The queries the operations run against the resource table. The EF context is taken from the request's services
/// on first use: Describe and Create do not use it, and renting a pooled context (then resetting it on return) cost
/// more than their own statements.
/// </summary>
public sealed class ResourceStore(IServiceProvider requestServices, ResourceInsertQueue inserts, ResourceDocumentReader documents)
{
    private ControlPlaneDbContext? _db;

    public ControlPlaneDbContext Db => _db ??= requestServices.GetRequiredService<ControlPlaneDbContext>();

    public static string Key(string name) => name.ToLowerInvariant();

    public Task<string?> FindDocumentAsync(string account, ResourceKind kind, string name) => Task.FromResult(documents.Find(account, kind, Key(name)));

    public Task<bool> ExistsAsync(string account, ResourceKind kind, string name) => Task.FromResult(documents.Exists(account, kind, Key(name)));

    public Task<List<ListedResource>> ListAsync(ResourceListQuery query, CancellationToken cancellationToken) =>
        ResourceListReader.ReadAsync(Db, query, cancellationToken);

    /// <summary>The tracked record, for an update or delete.</summary>
    public Task<ResourceRecord?> FindAsync(string account, ResourceKind kind, string name, CancellationToken cancellationToken) =>
        Db.Resources.FirstOrDefaultAsync(r => r.AccountId == account && r.Kind == kind && r.NameKey == Key(name), cancellationToken);

    /// <summary>The record with its tags, found through the name index by the type and name the ARN contains.</summary>
    public async Task<ResourceRecord?> FindByArnAsync(string account, string arn, CancellationToken cancellationToken)
    {
        if (ResourceArn.TryParse(arn) is not { } parsed)
        {
            return null;
        }

        var (kind, nameKey, arnKey) = (parsed.Type.Kind, Key(parsed.Name), Key(arn));
        return await Db.Resources.Include(r => r.Tags)
            .FirstOrDefaultAsync(r => r.AccountId == account && r.Kind == kind && r.NameKey == nameKey && r.ArnKey == arnKey, cancellationToken);
    }

    /// <summary>Inserts a new resource; false when the name is taken (the unique index decides).</summary>
    public Task<bool> TryInsertAsync(ResourceRecord record, CancellationToken cancellationToken) => inserts.InsertAsync(record, cancellationToken);

    /// <summary>Saves tracked changes; false when another writer changed the record first.</summary>
    public async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in Db.ChangeTracker.Entries<ResourceRecord>().Where(e => e.State == EntityState.Modified))
        {
            entry.Entity.Version++;
        }

        try
        {
            await Db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            Db.ChangeTracker.Clear();
            return false;
        }
    }
}

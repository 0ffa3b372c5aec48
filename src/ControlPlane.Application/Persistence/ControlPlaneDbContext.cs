using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ControlPlane.Application.Persistence;

public sealed class ControlPlaneDbContext(DbContextOptions<ControlPlaneDbContext> options) : DbContext(options)
{
    public DbSet<ResourceRecord> Resources => Set<ResourceRecord>();

    public DbSet<TagRecord> Tags => Set<TagRecord>();

    public DbSet<ServiceSetting> Settings => Set<ServiceSetting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var resource = modelBuilder.Entity<ResourceRecord>();
        resource.ToTable("Resources");

        // Every B-tree is one more page that each create writes to the log, so there are only those the hot paths
        // need: a model's create writes three (table, name, creation time). An ARN is found through the name it
        // contains, not through an index of its own. The key is a plain rowid, not AUTOINCREMENT, whose counter table
        // cost a fourth page per create (migration LeanerResourceIndexes; EF's model has no say in it). A deleted
        // row's id may be reused, which is harmless as its tags go with it.
        resource.HasIndex(r => new { r.AccountId, r.Kind, r.NameKey }).IsUnique();
        resource.HasIndex(r => new { r.AccountId, r.Kind, r.CreatedAt });
        // Recovery and the orphan sweep look for jobs and endpoints by status; models and endpoint configs have none.
        resource.HasIndex(r => new { r.Kind, r.Status }).HasFilter("\"Status\" IS NOT NULL");
        resource.Property(r => r.Version).IsConcurrencyToken();
        resource.HasMany(r => r.Tags).WithOne().HasForeignKey(t => t.ResourceId).OnDelete(DeleteBehavior.Cascade);

        var tag = modelBuilder.Entity<TagRecord>();
        tag.ToTable("Tags");
        tag.HasKey(t => new { t.ResourceId, t.Key });

        var setting = modelBuilder.Entity<ServiceSetting>();
        setting.ToTable("Settings");
        setting.HasKey(s => s.Name);
    }
}

/// <summary>Lets `dotnet ef` create migrations without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ControlPlaneDbContext>
{
    public ControlPlaneDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ControlPlaneDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

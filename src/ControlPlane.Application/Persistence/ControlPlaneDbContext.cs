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
        resource.HasIndex(r => new { r.AccountId, r.Kind, r.NameKey }).IsUnique();
        resource.HasIndex(r => r.ArnKey).IsUnique();
        resource.HasIndex(r => new { r.AccountId, r.Kind, r.CreatedAt });
        resource.HasIndex(r => new { r.Kind, r.Status });
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

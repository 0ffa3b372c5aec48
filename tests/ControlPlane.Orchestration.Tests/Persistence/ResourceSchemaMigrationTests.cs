using ControlPlane.Application;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Resources;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Tests.Persistence;

/// <summary>A database written by an earlier version of the service, upgraded (and downgraded) by its migrations.</summary>
public sealed class ResourceSchemaMigrationTests : IDisposable
{
    private const string Account = "123456789012";

    private readonly ControlPlaneOptions _options = new() { DataDirectory = Directory.CreateTempSubdirectory("schema-").FullName };

    [Fact]
    public async Task Resources_and_their_tags_survive_the_rebuild_without_autoincrement_and_the_way_back()
    {
        await using (var db = NewContext())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            await db.GetService<IMigrator>().MigrateAsync("Initial");
            db.Resources.AddRange(Model("tagged", ("team", "ml"), ("stage", "dev")), Model("plain"));
            await db.SaveChangesAsync();
        }

        await using (var db = NewContext())
        {
            await db.Database.MigrateAsync();
            Assert.DoesNotContain("AUTOINCREMENT", await TableSqlAsync(db), StringComparison.Ordinal);
            Assert.Equal(
                ["IX_Resources_AccountId_Kind_CreatedAt", "IX_Resources_AccountId_Kind_NameKey", "IX_Resources_Kind_Status"],
                await IndexNamesAsync(db));

            using var inserts = new ResourceInsertQueue(Options.Create(_options));
            using var documents = new ResourceDocumentReader(Options.Create(_options));
            await using var requestServices = new ServiceCollection().AddSingleton(db).BuildServiceProvider();
            var store = new ResourceStore(requestServices, inserts, documents);
            var tagged = await store.FindByArnAsync(Account, Arn("tagged"), CancellationToken.None);
            Assert.Equal(["stage=dev", "team=ml"], tagged!.Tags.Select(t => $"{t.Key}={t.Value}").Order());
            Assert.Null(await store.FindByArnAsync("210987654321", Arn("tagged"), CancellationToken.None));
            Assert.Null(await store.FindByArnAsync(Account, Arn("tagged").Replace(":model/", ":endpoint/", StringComparison.Ordinal), CancellationToken.None));

            // The name's unique index still decides a duplicate, and a new row gets an id of its own.
            Assert.False(await store.TryInsertAsync(Model("TAGGED"), CancellationToken.None));
            var added = Model("added", ("team", "ops"));
            Assert.True(await store.TryInsertAsync(added, CancellationToken.None));
            Assert.True(added.Id > tagged.Id);
            Assert.Equal("""{"ModelName":"added"}""", await store.FindDocumentAsync(Account, ResourceKind.Model, "ADDED"));
            Assert.True(await store.ExistsAsync(Account, ResourceKind.Model, "plain"));
            Assert.False(await store.ExistsAsync(Account, ResourceKind.Endpoint, "plain"));
        }

        await using (var db = NewContext())
        {
            await db.GetService<IMigrator>().MigrateAsync("Initial");
            Assert.Contains("AUTOINCREMENT", await TableSqlAsync(db), StringComparison.Ordinal);
            Assert.Equal(["added", "plain", "tagged"], await db.Resources.Select(r => r.Name).OrderBy(n => n).ToListAsync());
            Assert.Equal(3, await db.Tags.CountAsync());
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_options.DataDirectory, recursive: true);
    }

    private static string Arn(string name) => $"arn:aws:sagemaker:us-east-1:{Account}:model/{name}";

    private static ResourceRecord Model(string name, params (string Key, string Value)[] tags) => new()
    {
        AccountId = Account,
        Kind = ResourceKind.Model,
        Name = name,
        NameKey = ResourceStore.Key(name),
        Arn = Arn(name),
        ArnKey = ResourceStore.Key(Arn(name)),
        CreatedAt = 1_700_000_000_000,
        ModifiedAt = 1_700_000_000_000,
        Document = $$"""{"ModelName":"{{name}}"}""",
        Summary = $$"""{"ModelName":"{{name}}"}""",
        Tags = [.. tags.Select(t => new TagRecord { Key = t.Key, Value = t.Value })],
    };

    private static Task<string> TableSqlAsync(ControlPlaneDbContext db) =>
        db.Database.SqlQueryRaw<string>("SELECT sql AS Value FROM sqlite_master WHERE type = 'table' AND name = 'Resources'").SingleAsync();

    private static Task<List<string>> IndexNamesAsync(ControlPlaneDbContext db) =>
        db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Resources' AND sql IS NOT NULL ORDER BY name").ToListAsync();

    private ControlPlaneDbContext NewContext() =>
        new(new DbContextOptionsBuilder<ControlPlaneDbContext>().UseSqlite(SqliteDatabase.ConnectionString(_options)).Options);
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Brings the database to the current schema before the service takes requests (hosted services start before the
/// server listens) and loads the keys the service keeps in it.
/// </summary>
internal sealed partial class DatabaseInitializer(IServiceProvider services, IOptions<ControlPlaneOptions> options, ServiceKeys keys, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.Value.DatabasePath)!);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDbContext>();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // A control plane and its workers may start together on a new data directory: whichever inserts the key first
        // wins and every process reads that one.
        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await db.Database.ExecuteSqlAsync($"INSERT OR IGNORE INTO Settings (Name, Value) VALUES ({ServiceKeys.PageTokenKeyName}, {candidate})", cancellationToken);
        var setting = await db.Settings.AsNoTracking().SingleAsync(s => s.Name == ServiceKeys.PageTokenKeyName, cancellationToken);

        keys.PageTokenKey = Convert.FromBase64String(setting.Value);
        LogReady(logger, options.Value.DatabasePath);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready at {Path}")]
    private static partial void LogReady(ILogger logger, string path);
}

/// <summary>Secrets generated on first start and kept in the database.</summary>
public sealed class ServiceKeys
{
    internal const string PageTokenKeyName = "PageTokenKey";

    private byte[]? _pageTokenKey;

    public byte[] PageTokenKey
    {
        get => _pageTokenKey ?? throw new InvalidOperationException("The database has not been initialised yet.");
        internal set => _pageTokenKey = value;
    }
}

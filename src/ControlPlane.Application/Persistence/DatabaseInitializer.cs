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

        var setting = await db.Settings.FindAsync([ServiceKeys.PageTokenKeyName], cancellationToken);
        if (setting is null)
        {
            setting = new ServiceSetting { Name = ServiceKeys.PageTokenKeyName, Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
            db.Settings.Add(setting);
            await db.SaveChangesAsync(cancellationToken);
        }

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

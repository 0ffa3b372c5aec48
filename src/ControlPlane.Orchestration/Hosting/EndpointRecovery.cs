using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// After a restart every endpoint that has (or is getting) containers gets its supervisor again, which re-attaches to
/// them; so does the workspace of an endpoint deleted while no supervisor ran, which then removes what is left.
/// </summary>
internal sealed partial class EndpointRecovery(IServiceScopeFactory scopes, IJobLauncher launcher, HostingWorkspace workspace, ILogger<EndpointRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDbContext>();
        var endpoints = await db.Resources.AsNoTracking()
            .Where(r => r.Kind == ResourceKind.Endpoint)
            .Select(r => new { r.AccountId, r.Name, r.Status })
            .ToListAsync(stoppingToken);
        var supervised = endpoints
            .Where(e => e.Status is EndpointStatus.Creating or EndpointStatus.InService or EndpointStatus.Updating)
            .Select(e => (e.AccountId, e.Name))
            .ToHashSet();
        var existing = endpoints.Select(e => (e.AccountId, e.Name)).ToHashSet();
        if (Directory.Exists(workspace.EndpointsRoot))
        {
            foreach (var account in Directory.EnumerateDirectories(workspace.EndpointsRoot))
            {
                supervised.UnionWith(Directory.EnumerateDirectories(account)
                    .Select(d => (Path.GetFileName(account), Path.GetFileName(d)))
                    .Where(e => !existing.Contains(e)));
            }
        }

        foreach (var (accountId, name) in supervised)
        {
            await launcher.LaunchAsync(ResourceKind.Endpoint, accountId, name, stoppingToken);
        }

        if (supervised.Count > 0)
        {
            LogRecovered(logger, supervised.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervising {Count} endpoints again after start-up")]
    private static partial void LogRecovered(ILogger logger, int count);
}

using ControlPlane.Application.Persistence;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;
using ControlPlane.Orchestration.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// After a restart every endpoint that has (or is getting) containers gets its supervisor again, which re-attaches to
/// them; so does the workspace of an endpoint deleted while no supervisor ran, which then removes what is left.
/// </summary>
internal sealed partial class EndpointRecovery(RecoveryLauncher recovery, HostingWorkspace workspace, ILogger<EndpointRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var count = await recovery.RelaunchAsync(FindSupervisedAsync, stoppingToken);
        if (count > 0)
        {
            LogRecovered(logger, count);
        }
    }

    private async Task<IReadOnlyCollection<RecoveredResource>> FindSupervisedAsync(ControlPlaneDbContext db, CancellationToken cancellationToken)
    {
        var endpoints = await db.Resources.AsNoTracking()
            .Where(r => r.Kind == ResourceKind.Endpoint)
            .Select(r => new { r.AccountId, r.Name, r.Status })
            .ToListAsync(cancellationToken);
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

        return [.. supervised.Select(e => new RecoveredResource(ResourceKind.Endpoint, e.AccountId, e.Name))];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervising {Count} endpoints again after start-up")]
    private static partial void LogRecovered(ILogger logger, int count);
}

using System.Diagnostics;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;
using ControlPlane.Orchestration.Hosting;
using ControlPlane.Orchestration.Processing;
using ControlPlane.Orchestration.Training;
using ControlPlane.Orchestration.Transform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Once at start-up, removes the Docker containers and networks of this control plane (<see cref="DockerRuntime.InstanceLabel"/>)
/// that nothing owns any more — what a crash leaves behind: those of jobs no longer InProgress or Stopping, containers
/// no endpoint's state.json records, and anything without owner labels. What is still owned is left to JobRecovery and
/// EndpointRecovery, which re-attach to it. Only what was made before this process started is looked at: anything
/// newer is a workflow's of this process, which may not have recorded it yet. A network sandbox
/// (<see cref="NetworkSandboxPool"/>) is owned by the container that joined it, and goes with it; one nobody joined
/// is left over from a dead process's pool.
/// </summary>
internal sealed partial class OrphanSweep(IServiceProvider services, IServiceScopeFactory scopes, HostingWorkspace workspace, ILogger<OrphanSweep> logger) : BackgroundService
{
    private const string KindLabel = "controlplane.kind";
    private const string AccountLabel = "controlplane.account";
    private const string JobLabel = "controlplane.job";
    private const string EndpointLabel = "controlplane.endpoint";

    private static readonly Dictionary<ResourceKind, string> JobKinds = new()
    {
        [ResourceKind.TrainingJob] = TrainingJobWorkflow.KindSegment,
        [ResourceKind.ProcessingJob] = ProcessingJobWorkflow.KindSegment,
        [ResourceKind.TransformJob] = TransformJobWorkflow.KindSegment,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetRequiredService<IContainerRuntime>() is not DockerRuntime docker)
        {
            return;
        }

        using var self = Process.GetCurrentProcess();
        var startedAt = self.StartTime.ToUniversalTime();
        try
        {
            var objects = await docker.ListInstanceObjectsAsync(stoppingToken);
            // The engine lists container creation times in whole seconds.
            var candidates = objects.Where(o => o.Created.AddSeconds(1) <= startedAt).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            // A joined sandbox is removed with the container that joined it, by that container's handle.
            var joinedSandboxes = objects.Select(o => o.SandboxId).OfType<string>().ToHashSet(StringComparer.Ordinal);

            var liveJobs = await LiveJobsAsync(stoppingToken);
            var endpointContainers = new Dictionary<(string Account, string Name), HashSet<string>>();
            // Containers first: a network cannot be removed while containers are attached to it.
            foreach (var candidate in candidates.OrderBy(o => o.Kind))
            {
                if (joinedSandboxes.Contains(candidate.Id) || await IsOwnedAsync(candidate, liveJobs, endpointContainers, stoppingToken))
                {
                    continue;
                }

                if (candidate.Kind == EngineObjectKind.Network)
                {
                    await docker.RemoveNetworkAsync(candidate.Name, stoppingToken);
                }
                else if (await docker.TryAttachAsync(candidate.Id, stoppingToken) is { } container)
                {
                    await container.RemoveAsync(stoppingToken);
                }

                LogRemoved(logger, candidate.Kind, candidate.Name, candidate.Labels.GetValueOrDefault(KindLabel), candidate.Labels.GetValueOrDefault(JobLabel) ?? candidate.Labels.GetValueOrDefault(EndpointLabel));
            }
        }
        catch (ContainerRuntimeException e)
        {
            // Leftovers cost resources, not correctness: the next start sweeps again.
            LogSweepFailed(logger, e.Message);
        }
    }

    private async Task<HashSet<(string Kind, string Account, string Name)>> LiveJobsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDbContext>();
        var jobs = await db.Resources.AsNoTracking()
            .Where(r => (r.Kind == ResourceKind.TrainingJob || r.Kind == ResourceKind.ProcessingJob || r.Kind == ResourceKind.TransformJob) && (r.Status == JobStatus.InProgress || r.Status == JobStatus.Stopping))
            .Select(r => new { r.Kind, r.AccountId, r.Name })
            .ToListAsync(cancellationToken);
        return [.. jobs.Select(j => (JobKinds[j.Kind], j.AccountId, j.Name))];
    }

    private async Task<bool> IsOwnedAsync(EngineObject candidate, HashSet<(string Kind, string Account, string Name)> liveJobs, Dictionary<(string Account, string Name), HashSet<string>> endpointContainers, CancellationToken cancellationToken)
    {
        if (!candidate.Labels.TryGetValue(KindLabel, out var kind) || !candidate.Labels.TryGetValue(AccountLabel, out var account)
            || (candidate.Labels.GetValueOrDefault(JobLabel) ?? candidate.Labels.GetValueOrDefault(EndpointLabel)) is not { } name)
        {
            return false;
        }

        if (kind != EndpointContext.EndpointKind)
        {
            return liveJobs.Contains((kind, account, name));
        }

        // An endpoint owns exactly the instances its state records (a deleted endpoint's too, until its supervisor removes them).
        if (!endpointContainers.TryGetValue((account, name), out var recorded))
        {
            var state = await EndpointState.LoadAsync(new EndpointContext(account, name, workspace.Root(account, name)).StatePath, cancellationToken);
            recorded = [.. new[] { state.Active, state.Pending }.OfType<DeploymentRecord>().SelectMany(d => d.Variants).SelectMany(v => v.Instances).Select(i => i.ContainerId)];
            endpointContainers[(account, name)] = recorded;
        }

        return recorded.Contains(candidate.Id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed orphaned {Kind} {Name} (owner: {OwnerKind} {Owner}), which nothing owns after a restart")]
    private static partial void LogRemoved(ILogger logger, EngineObjectKind kind, string name, string? ownerKind, string? owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep for orphaned containers stopped: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}

internal enum EngineObjectKind
{
    Container,
    Network,
}

/// <summary>A container or network as the engine lists it, with the network sandbox a container joined.</summary>
internal sealed record EngineObject(EngineObjectKind Kind, string Id, string Name, IReadOnlyDictionary<string, string> Labels, DateTime Created, string? SandboxId);

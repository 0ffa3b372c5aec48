using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>A resource that start-up recovery launches again.</summary>
internal sealed record RecoveredResource(ResourceKind Kind, string AccountId, string Name);

/// <summary>
/// What every start-up recovery does: find in the database (in a scope of its own) what a stopped process left
/// unfinished, and launch each of those again through <see cref="IJobLauncher"/>, whose workflows re-attach or start afresh.
/// </summary>
internal sealed class RecoveryLauncher(IServiceScopeFactory scopes, IJobLauncher launcher)
{
    /// <summary>Launches every resource <paramref name="find"/> returns; returns how many there were.</summary>
    public async Task<int> RelaunchAsync(
        Func<ControlPlaneDbContext, CancellationToken, Task<IReadOnlyCollection<RecoveredResource>>> find, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var resources = await find(scope.ServiceProvider.GetRequiredService<ControlPlaneDbContext>(), cancellationToken);
        foreach (var resource in resources)
        {
            await launcher.LaunchAsync(resource.Kind, resource.AccountId, resource.Name, cancellationToken);
        }

        return resources.Count;
    }
}

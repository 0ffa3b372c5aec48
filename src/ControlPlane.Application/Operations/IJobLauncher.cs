using ControlPlane.Core.Resources;

namespace ControlPlane.Application.Operations;

/// <summary>
/// Starts the execution of a job the control plane has just recorded. The application layer only records jobs; the
/// orchestration layer implements this and runs them.
/// </summary>
public interface IJobLauncher
{
    /// <summary>Schedules the job; a job of a kind the engine does not run yet is left as recorded.</summary>
    Task LaunchAsync(ResourceKind kind, string accountId, string name, CancellationToken cancellationToken);
}

using ControlPlane.Application.Persistence;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;
using ControlPlane.Orchestration.Runtimes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>
/// After a restart (or kill -9) no job is left stuck: every job still InProgress or Stopping is queued again. Its
/// workflow re-attaches to the container if that still runs and finishes it normally; otherwise it starts the job
/// afresh, or ends it Stopped when a stop was requested. A distributed lock keeps it from running twice.
/// The container runtime is chosen here too, at start-up, so that the first job does not wait for it.
/// </summary>
internal sealed partial class JobRecovery(RecoveryLauncher recovery, IServiceProvider services, ILogger<JobRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        services.GetRequiredService<IContainerRuntime>();

        var count = await recovery.RelaunchAsync(FindUnfinishedAsync, stoppingToken);
        if (count > 0)
        {
            LogRecovered(logger, count);
        }
    }

    private static async Task<IReadOnlyCollection<RecoveredResource>> FindUnfinishedAsync(ControlPlaneDbContext db, CancellationToken cancellationToken) =>
        await db.Resources.AsNoTracking()
            .Where(r => (r.Kind == ResourceKind.TrainingJob || r.Kind == ResourceKind.ProcessingJob || r.Kind == ResourceKind.TransformJob) && (r.Status == JobStatus.InProgress || r.Status == JobStatus.Stopping))
            .Select(r => new RecoveredResource(r.Kind, r.AccountId, r.Name))
            .ToListAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Count} unfinished training, processing and transform jobs again after start-up")]
    private static partial void LogRecovered(ILogger logger, int count);
}

using ControlPlane.Application.Operations;
using ControlPlane.Core.Resources;
using ControlPlane.Orchestration.Hosting;
using ControlPlane.Orchestration.Processing;
using ControlPlane.Orchestration.Training;
using ControlPlane.Orchestration.Transform;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>
/// Starts a recorded training or processing job at once in this process when it runs workers and has a slot free
/// (<see cref="ImmediateJobStarts"/>), else queues it in Hangfire, whose workers (here or in worker processes) run it.
/// A job started at once is not queued as well: that copy was fetched and dropped (the job being claimed) within
/// moments, so it guarded nothing, and its write to Hangfire's storage delayed the CreateXxxJob answer and contended
/// with the job's own lock there. A crash of this process during the job is made good by the recovery at start-up, as
/// before. Transform jobs and endpoints are always queued.
/// </summary>
internal sealed class HangfireJobLauncher(IBackgroundJobClient jobs, ImmediateJobStarts immediate, IServiceProvider services) : IJobLauncher
{
    public Task LaunchAsync(ResourceKind kind, string accountId, string name, CancellationToken cancellationToken)
    {
        if (kind == ResourceKind.TrainingJob)
        {
            if (!immediate.TryStart(TrainingJobWorkflow.LockName(accountId, name), token => services.GetRequiredService<TrainingJobWorkflow>().RunNowAsync(accountId, name, token)))
            {
                jobs.Enqueue<TrainingJobWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
            }
        }
        else if (kind == ResourceKind.ProcessingJob)
        {
            if (!immediate.TryStart(ProcessingJobWorkflow.LockName(accountId, name), token => services.GetRequiredService<ProcessingJobWorkflow>().RunNowAsync(accountId, name, token)))
            {
                jobs.Enqueue<ProcessingJobWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
            }
        }
        else if (kind == ResourceKind.TransformJob)
        {
            jobs.Enqueue<TransformJobWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
        }
        else if (kind == ResourceKind.Endpoint)
        {
            jobs.Enqueue<EndpointWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
        }

        return Task.CompletedTask;
    }
}

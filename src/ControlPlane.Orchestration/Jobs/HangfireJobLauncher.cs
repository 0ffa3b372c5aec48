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
/// Queues a recorded job in Hangfire, whose workers (in this process or in worker processes) run it; when this process
/// runs workers, the job also starts here at once (<see cref="ImmediateJobStarts"/>).
/// </summary>
internal sealed class HangfireJobLauncher(IBackgroundJobClient jobs, ImmediateJobStarts immediate, IServiceProvider services) : IJobLauncher
{
    public Task LaunchAsync(ResourceKind kind, string accountId, string name, CancellationToken cancellationToken)
    {
        if (kind == ResourceKind.TrainingJob)
        {
            immediate.TryStart(TrainingJobWorkflow.LockName(accountId, name), token => services.GetRequiredService<TrainingJobWorkflow>().RunNowAsync(accountId, name, token));
            jobs.Enqueue<TrainingJobWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
        }
        else if (kind == ResourceKind.ProcessingJob)
        {
            immediate.TryStart(ProcessingJobWorkflow.LockName(accountId, name), token => services.GetRequiredService<ProcessingJobWorkflow>().RunNowAsync(accountId, name, token));
            jobs.Enqueue<ProcessingJobWorkflow>(workflow => workflow.RunAsync(accountId, name, CancellationToken.None));
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

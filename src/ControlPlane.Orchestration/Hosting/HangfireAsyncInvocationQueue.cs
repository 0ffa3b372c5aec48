using ControlPlane.Application.Operations;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Hosting;
using ControlPlane.Orchestration.Storage;
using Hangfire;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Queues an asynchronous inference: recorded in <see cref="PendingAsyncInvocations"/>, then as a Hangfire job
/// (<see cref="AsyncInvocationWorkflow"/>), both before the caller gets its 202, so it outlives a crash of either
/// process. Its locations are checked first: a job whose input or output cannot be addressed would have nowhere to say so.
/// </summary>
internal sealed class HangfireAsyncInvocationQueue(IBackgroundJobClient jobs, PendingAsyncInvocations pending) : IAsyncInvocationQueue
{
    public async Task<ApiError?> EnqueueAsync(AsyncInvocation invocation, CancellationToken cancellationToken)
    {
        foreach (var (member, uri) in new[] { ("InputLocation", invocation.InputLocation), ("S3OutputPath", invocation.OutputLocation), ("S3FailurePath", invocation.FailureLocation) })
        {
            var location = S3Location.Parse(uri);
            if (location.Error is { } error)
            {
                return ApiError.Validation($"{member}: {error.Message}");
            }

            if (!location.Value!.NamesObject)
            {
                return ApiError.Validation($"{member} {uri} does not name an object.");
            }
        }

        var token = await pending.ClaimAsync(invocation, cancellationToken);
        jobs.Enqueue<AsyncInvocationWorkflow>(workflow => workflow.RunAsync(invocation, token, CancellationToken.None));
        return null;
    }
}

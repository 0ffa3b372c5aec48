using ControlPlane.Application.Operations;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Hosting;
using ControlPlane.Orchestration.Storage;
using Hangfire;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Queues an asynchronous inference as a Hangfire job (<see cref="AsyncInvocationWorkflow"/>), stored before the caller
/// gets its 202, so it outlives a restart of either process. Its locations are checked first: a job whose input or
/// output cannot be addressed would have nowhere to say so.
/// </summary>
internal sealed class HangfireAsyncInvocationQueue(IBackgroundJobClient jobs) : IAsyncInvocationQueue
{
    public ApiError? Enqueue(AsyncInvocation invocation)
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

        jobs.Enqueue<AsyncInvocationWorkflow>(workflow => workflow.RunAsync(invocation, CancellationToken.None));
        return null;
    }
}

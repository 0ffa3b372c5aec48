using ControlPlane.Core.Errors;
using ControlPlane.Core.Hosting;

namespace ControlPlane.Application.Operations;

/// <summary>
/// Keeps an accepted InvokeEndpointAsync until a worker has run it. The application layer resolves the request; the
/// orchestration layer implements this and runs it.
/// </summary>
public interface IAsyncInvocationQueue
{
    /// <summary>Queues the invocation durably; an error when one of its object locations is not a usable S3 URI.</summary>
    Task<ApiError?> EnqueueAsync(AsyncInvocation invocation, CancellationToken cancellationToken);
}

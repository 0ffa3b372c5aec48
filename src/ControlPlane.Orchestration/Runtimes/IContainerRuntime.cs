using ControlPlane.Core.Errors;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Runs SageMaker-style containers. Two implementations: <see cref="DockerRuntime"/> (a Docker engine) and
/// <see cref="ProcessRuntime"/> (a local child process per configured image); <see cref="RuntimeSelector"/> picks one.
/// Problems the caller must act on (an image that cannot be pulled, a spec the runtime refuses) come back as error
/// values whose message is fit for a job's FailureReason; an engine that stops answering is a
/// <see cref="ContainerRuntimeException"/>.
/// </summary>
public interface IContainerRuntime
{
    /// <summary><c>docker</c> or <c>process</c>.</summary>
    string Name { get; }

    /// <summary>Creates and starts the container. The image must be present: call <see cref="PullAsync"/> first.</summary>
    Task<Result<IContainerHandle>> StartAsync(ContainerSpec spec, CancellationToken ct) => StartAsync(spec, Task.FromResult<ApiError?>(null), ct);

    /// <summary>
    /// Creates the container, waits for <paramref name="ready"/> (whatever its program reads being written: the job's
    /// files, which the mounts' host paths must already exist for), then starts it. Docker creates the container in
    /// the meantime. An error from <paramref name="ready"/> is returned instead (and the created container removed).
    /// </summary>
    Task<Result<IContainerHandle>> StartAsync(ContainerSpec spec, Task<ApiError?> ready, CancellationToken ct);

    /// <summary>
    /// Finds a container this runtime started earlier (for instance before the control plane restarted), running or
    /// exited, by its <see cref="IContainerHandle.Id"/>; null when it no longer exists.
    /// </summary>
    Task<IContainerHandle?> TryAttachAsync(string containerId, CancellationToken ct);

    /// <summary>Makes the image available and returns its id (Docker: the image id; Process: the mapped command line).</summary>
    Task<Result<string>> PullAsync(string image, CancellationToken ct);

    /// <summary>
    /// Creates a network that containers join through <see cref="ContainerSpec.Network"/> and on which they reach each
    /// other by <see cref="ContainerSpec.Hostname"/>. An <paramref name="isolated"/> network has no route out of the
    /// host (Docker: an internal bridge); containers with <see cref="ContainerSpec.NetworkIsolation"/> may only join
    /// such a network. Creating a network that exists is not an error. <paramref name="labels"/> name its owner, as
    /// <see cref="ContainerSpec.Labels"/> do for containers.
    /// </summary>
    Task CreateNetworkAsync(string name, bool isolated, IReadOnlyDictionary<string, string> labels, CancellationToken ct);

    /// <summary>Removes the network; a missing network is not an error.</summary>
    Task RemoveNetworkAsync(string name, CancellationToken ct);
}

/// <summary>A started container. Disposing the handle releases it but leaves the container alone (see <see cref="RemoveAsync"/>).</summary>
public interface IContainerHandle : IAsyncDisposable
{
    /// <summary>Pass to <see cref="IContainerRuntime.TryAttachAsync"/> to find the container again.</summary>
    string Id { get; }

    /// <summary>The container ports with the host ports actually bound (on 127.0.0.1).</summary>
    IReadOnlyList<PortBinding> Ports { get; }

    /// <summary>Waits for the container to exit and returns its exit code (128 + signal when a signal ended it).</summary>
    Task<int> WaitForExitAsync(CancellationToken ct);

    /// <summary>SIGTERM, up to <paramref name="gracePeriod"/> to exit, then SIGKILL. Stopping an exited container does nothing.</summary>
    Task StopAsync(TimeSpan gracePeriod, CancellationToken ct);

    /// <summary>The last <paramref name="lines"/> lines of stdout and stderr, oldest first.</summary>
    Task<IReadOnlyList<string>> TailLogAsync(int lines, CancellationToken ct);

    /// <summary>Every stdout and stderr line from the start, then new ones as they come; ends when the container has exited.</summary>
    IAsyncEnumerable<string> FollowLogAsync(CancellationToken ct);

    /// <summary>Removes the container (killing it if it still runs) and its logs; a container already gone is not an error.</summary>
    Task RemoveAsync(CancellationToken ct);
}

using ControlPlane.Orchestration.Runtimes;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>A running container of a variant as its supervisor watches it: where it listens, whether it exited, how its pings went.</summary>
internal sealed class ModelInstance : IAsyncDisposable
{
    private const int ServingPort = 8080;
    private readonly CancellationTokenSource _watch = new();
    private readonly Task<int> _exit;

    public ModelInstance(InstanceRecord record, IContainerHandle handle)
    {
        Record = record;
        Handle = handle;
        Address = handle.Ports.FirstOrDefault(p => p.ContainerPort == ServingPort) is { } port ? $"127.0.0.1:{port.HostPort}" : null;
        _exit = handle.WaitForExitAsync(_watch.Token);
    }

    public InstanceRecord Record { get; }

    public IContainerHandle Handle { get; }

    /// <summary><c>127.0.0.1:port</c> of container port 8080; null for a container that had exited when re-attached.</summary>
    public string? Address { get; }

    public bool HasExited => _exit.IsCompletedSuccessfully || Address is null;

    public int? ExitCode => _exit.IsCompletedSuccessfully ? _exit.Result : null;

    /// <summary>Passed its last ping; only healthy instances are in the routes.</summary>
    public bool Healthy { get; set; }

    public int FailedPings { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _watch.CancelAsync();
        try
        {
            await _exit;
        }
        catch (Exception e) when (e is OperationCanceledException or ContainerRuntimeException)
        {
            // Only the watch ended; the container is left as it is.
        }

        _watch.Dispose();
        await Handle.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Holder containers started ahead of time on the default bridge network, hostname <c>algo-1</c>, each sleeping
/// (Kubernetes' pause container). A single-instance job's container joins one (<c>NetworkMode=container:&lt;id&gt;</c>)
/// and so gets its network, hostname and /etc/hosts without Docker setting up a bridge endpoint at its start: that
/// costs two re-executions of dockerd (libnetwork's prestart hook and its IPv6 sysctl helper), ~300 ms of a bridge
/// container's ~500 ms start on the 2-core dev machine. The holder belongs to the job from its claim on and is removed
/// with the job's container (<see cref="DockerContainerHandle.RemoveAsync(CancellationToken)"/>). The pool is first
/// filled after the first container that fits it starts (the normal way): a control plane that never runs such a job
/// keeps no idle containers. Without an instance id there is no pool: holders must carry it for
/// <see cref="OrphanSweep"/> to remove those a dead process left.
/// </summary>
internal sealed partial class NetworkSandboxPool(DockerClient client, ContainerRuntimeOptions options, ILogger logger) : IAsyncDisposable, IDisposable
{
    /// <summary>Marks a holder, for the orphan sweep and for people reading <c>docker ps</c>.</summary>
    public const string RoleLabel = "controlplane.role";

    public const string Role = "network-sandbox";

    /// <summary>A single-instance job's host.</summary>
    public const string Hostname = "algo-1";

    private const string JoinPrefix = "container:";

    private static readonly TimeSpan StartUpGrace = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentQueue<string> _ready = new();
    private readonly CancellationTokenSource _disposing = new();
    private int _filling;
    private Task _fill = Task.CompletedTask;

    /// <summary>Set once the image turned out to be missing: the pool stays off and says so once.</summary>
    private volatile bool _off;

    private bool Enabled => options.SandboxPoolSize > 0 && options.InstanceId is not null && !_off && !_disposing.IsCancellationRequested;

    /// <summary>
    /// A single-instance job's container: on the default network, not isolated, no published ports (they would have to
    /// be the holder's, set when it was made), hostname <see cref="Hostname"/>.
    /// </summary>
    public static bool Fits(ContainerSpec spec) => spec is { NetworkIsolation: false, Network: null, Ports.Count: 0, Hostname: Hostname };

    /// <summary>Whether the engine listed a holder.</summary>
    public static bool IsHolder(ContainerListResponse container) => container.Labels?.TryGetValue(RoleLabel, out var role) == true && role == Role;

    /// <summary>The network mode that joins <paramref name="holderId"/>'s network namespace.</summary>
    public static string JoinMode(string holderId) => JoinPrefix + holderId;

    /// <summary>The holder a container created with <see cref="JoinMode"/> joined, from its inspected network mode.</summary>
    public static string? HolderOf(string? networkMode) =>
        networkMode is not null && networkMode.StartsWith(JoinPrefix, StringComparison.Ordinal) ? networkMode[JoinPrefix.Length..] : null;

    /// <summary>A started holder, now the caller's to remove; null when none is ready (the caller starts the normal way, it never waits).</summary>
    public string? TryClaim() => Enabled && _ready.TryDequeue(out var id) ? id : null;

    /// <summary>Starts holders in the background until <see cref="ContainerRuntimeOptions.SandboxPoolSize"/> are ready; returns at once.</summary>
    public void Refill()
    {
        if (Enabled && _ready.Count < options.SandboxPoolSize && Interlocked.Exchange(ref _filling, 1) == 0)
        {
            _fill = Task.Run(FillAsync, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync();
        await _fill;
        while (_ready.TryDequeue(out var id))
        {
            await RemoveQuietlyAsync(id);
        }
    }

    /// <summary>The token source only; <see cref="DisposeAsync"/> removes the holders.</summary>
    public void Dispose() => _disposing.Dispose();

    private async Task FillAsync()
    {
        // A refill follows a job's start: its program is starting now, and making a holder (a bridge start, the
        // engine's heaviest, with two re-executions of dockerd) would take the cores from it.
        await Task.Delay(StartUpGrace, _disposing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (true)
        {
            while (Enabled && _ready.Count < options.SandboxPoolSize && await StartHolderAsync() is { } id)
            {
                _ready.Enqueue(id);
            }

            // A claim made after the loop's last check and before the flag is cleared would find no filler running.
            Volatile.Write(ref _filling, 0);
            if (!Enabled || _ready.Count >= options.SandboxPoolSize || Interlocked.Exchange(ref _filling, 1) != 0)
            {
                return;
            }
        }
    }

    /// <summary>A running holder's id; null (and logged) when the engine would not make one.</summary>
    private async Task<string?> StartHolderAsync()
    {
        var ct = _disposing.Token;
        string? id = null;
        try
        {
            id = (await DockerRuntime.Engine(() => client.Containers.CreateContainerAsync(
                new CreateContainerParameters
                {
                    Name = $"cp-sandbox-{Guid.NewGuid():N}"[..23],
                    Image = options.SandboxImage,
                    Entrypoint = ["sleep", "infinity"],
                    Hostname = Hostname,
                    Labels = new Dictionary<string, string> { [DockerRuntime.ManagedLabel] = "true", [DockerRuntime.InstanceLabel] = options.InstanceId!, [RoleLabel] = Role },
                    HostConfig = new HostConfig { NetworkMode = "default", Privileged = false },
                },
                ct))).ID;
            await DockerRuntime.Engine(() => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct));
            if (_disposing.IsCancellationRequested)
            {
                await RemoveQuietlyAsync(id);
                return null;
            }

            return id;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound && id is null)
        {
            _off = true;
            LogImageMissing(logger, options.SandboxImage, DockerRuntime.MessageOf(e));
        }
        catch (Exception e) when (e is DockerApiException or ContainerRuntimeException)
        {
            LogHolderFailed(logger, e.Message);
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
        }

        if (id is not null)
        {
            await RemoveQuietlyAsync(id);
        }

        return null;
    }

    internal async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await DockerContainerHandle.RemoveAsync(client, id, CancellationToken.None);
        }
        catch (Exception e) when (e is DockerApiException or ContainerRuntimeException)
        {
            LogRemoveFailed(logger, id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network sandboxes are off: their image {Image} is not on the engine ({Error}); single-instance jobs start on the default network the normal way")]
    private static partial void LogImageMissing(ILogger logger, string image, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start a network sandbox ({Error}); jobs start the normal way until one is ready")]
    private static partial void LogHolderFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove network sandbox {ContainerId}: {Error}")]
    private static partial void LogRemoveFailed(ILogger logger, string containerId, string error);
}

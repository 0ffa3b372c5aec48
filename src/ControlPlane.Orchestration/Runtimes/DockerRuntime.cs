using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ControlPlane.Core.Errors;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Runs containers on a Docker engine (Docker.DotNet) the way SageMaker runs them: the image pulled from its registry,
/// bind mounts for the job's files, CPU and memory limits, ports published on 127.0.0.1 only, no network at all under
/// network isolation. It never mounts the Docker socket and never runs a container privileged.
/// </summary>
internal sealed partial class DockerRuntime : IContainerRuntime, IDisposable, IAsyncDisposable
{
    /// <summary>Set on every container and network this runtime creates, next to the spec's own labels.</summary>
    public const string ManagedLabel = "controlplane.managed";

    /// <summary>
    /// Which control plane made the container or network (<see cref="ContainerRuntimeOptions.InstanceId"/>), so that
    /// <see cref="OrphanSweep"/> removes only its own: several control planes may share one engine.
    /// </summary>
    public const string InstanceLabel = "controlplane.instance";

    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly ContainerRuntimeOptions _options;
    private readonly ILogger<DockerRuntime> _logger;
    private readonly TimeProvider _time;
    private readonly NetworkSandboxPool _sandboxes;

    /// <summary>Images this runtime pulled: the image id the engine gave and when.</summary>
    private readonly ConcurrentDictionary<string, (string ImageId, DateTimeOffset PulledAt)> _pulled = new(StringComparer.Ordinal);
    private ResourceLimits? _engineCapacity;

    public DockerRuntime(ContainerRuntimeOptions options, ILogger<DockerRuntime> logger, TimeProvider? time = null)
    {
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _configuration = new DockerClientConfiguration(options.DockerEndpoint);
        _client = _configuration.CreateClient();
        _sandboxes = new NetworkSandboxPool(_client, options, logger);
    }

    public string Name => "docker";

    /// <summary>True when the engine answers within <paramref name="timeout"/>.</summary>
    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _client.System.PingAsync(cts.Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or DockerApiException || IsEngineFault(e))
        {
            ct.ThrowIfCancellationRequested();
            return false;
        }
    }

    public async Task<Result<string>> PullAsync(string image, CancellationToken ct)
    {
        // A registry round trip costs more than creating and starting the container: an image pulled recently is
        // trusted without asking the registry or the engine (ImageRefreshInterval bounds how stale a moved tag can be;
        // StartAsync pulls again if the image has gone from the engine since).
        if (_pulled.TryGetValue(image, out var recent) && _time.GetUtcNow() - recent.PulledAt < _options.ImageRefreshInterval)
        {
            return recent.ImageId;
        }

        var result = await PullFromRegistryAsync(image, ct);
        if (result.Succeeded)
        {
            _pulled[image] = (result.Value!, _time.GetUtcNow());
        }

        return result;
    }

    private async Task<Result<string>> PullFromRegistryAsync(string image, CancellationToken ct)
    {
        var reference = ImageReference.Parse(image);
        var auth = _options.Registries.TryGetValue(reference.Registry, out var credentials)
            ? new AuthConfig { Username = credentials.Username, Password = credentials.Password, ServerAddress = reference.Registry }
            : null;
        var progress = new PullProgress();
        string? error;
        try
        {
            await Engine(() => _client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.TagOrDigest }, auth, progress, ct));
            error = progress.Error;
        }
        catch (DockerApiException e)
        {
            error = MessageOf(e);
        }

        if (error is not null)
        {
            // A host without access to the image's registry (no Docker Hub here) can still run an image it already has.
            if (await TryInspectImageAsync(image, ct) is { } local)
            {
                LogPullFailedUsingLocal(_logger, image, error);
                return local.ID;
            }

            return ApiError.Validation($"Cannot pull image {image}: {error}");
        }

        if (await TryInspectImageAsync(image, ct) is not { } pulled)
        {
            return ApiError.Validation($"Cannot pull image {image}: the engine reported success but does not have the image.");
        }

        LogPulled(_logger, image, pulled.ID);
        return pulled.ID;
    }

    public async Task<Result<IContainerHandle>> StartAsync(ContainerSpec spec, Task<ApiError?> ready, CancellationToken ct)
    {
        if (ContainerSpecGuard.Check(spec, _options.DockerEndpoint) is { } refusal)
        {
            return refusal;
        }

        if (spec.NetworkIsolation && spec.Ports.Count > 0)
        {
            return ApiError.Validation($"Container {spec.Name} has network isolation and cannot publish ports.");
        }

        if (spec.NetworkIsolation && spec.Network is { } network)
        {
            // An ordinary bridge routes to the outside world; only an internal one keeps isolated containers in.
            var inspected = await TryInspectNetworkAsync(network, ct);
            if (inspected is not { Internal: true })
            {
                return ApiError.Validation($"Container {spec.Name} has network isolation, so it may only join an isolated network; {network} is {(inspected is null ? "missing" : "not isolated")}.");
            }
        }

        var limits = await CapAsync(spec.Limits, ct);
        var hostsFile = spec.NetworkIsolation && spec.Network is null ? await WriteHostsFileAsync(spec, ct) : null;
        var fitsSandbox = NetworkSandboxPool.Fits(spec);
        if (fitsSandbox && _sandboxes.TryClaim() is { } sandbox)
        {
            if (await StartInSandboxAsync(spec, limits, sandbox, ready, ct) is { } joined)
            {
                return joined;
            }

            if (ready.IsCompleted && await ready is { } notReady)
            {
                return notReady;
            }
        }

        var started = await CreateAndStartAsync(spec, CreateParameters(spec, limits, _options.InstanceId, hostsFile), ready, ct);
        if (fitsSandbox)
        {
            // After the start, not before: making a sandbox would compete with this container's start for the engine.
            _sandboxes.Refill();
        }

        if (!started.Succeeded)
        {
            return started.Error!;
        }

        var id = started.Value!;
        // Only published ports need the engine's word on where they ended up.
        var ports = spec.Ports.Count == 0 ? [] : PortsOf(await Engine(() => _client.Containers.InspectContainerAsync(id, ct)));
        LogStarted(_logger, spec.Name, id, spec.Image);
        return new DockerContainerHandle(_client, id, ports, sandboxId: null);
    }

    /// <summary>
    /// The container started in the network sandbox <paramref name="sandbox"/>, which then belongs to it; null when that
    /// failed (the sandbox is removed and the caller starts the container the normal way: the sandbox may have gone,
    /// e.g. swept by another process of this deployment at its start).
    /// </summary>
    private async Task<DockerContainerHandle?> StartInSandboxAsync(ContainerSpec spec, ResourceLimits limits, string sandbox, Task<ApiError?> ready, CancellationToken ct)
    {
        Result<string> joined;
        try
        {
            joined = await CreateAndStartAsync(spec, CreateParameters(spec, limits, _options.InstanceId, sandboxId: sandbox), ready, ct);
        }
        catch
        {
            await _sandboxes.RemoveQuietlyAsync(sandbox);
            throw;
        }

        _sandboxes.Refill();
        if (joined.Succeeded)
        {
            LogStartedInSandbox(_logger, spec.Name, joined.Value!, spec.Image, sandbox);
            return new DockerContainerHandle(_client, joined.Value!, [], sandbox);
        }

        if (joined.Error != (ready.IsCompletedSuccessfully ? ready.Result : null))
        {
            LogSandboxUnusable(_logger, sandbox, spec.Name, joined.Error!.Message);
        }

        await _sandboxes.RemoveQuietlyAsync(sandbox);
        return null;
    }

    /// <summary>
    /// The started container's id; the engine's refusal, or <paramref name="ready"/>'s error, as an error value (a
    /// container created but not started is removed).
    /// </summary>
    private async Task<Result<string>> CreateAndStartAsync(ContainerSpec spec, CreateContainerParameters parameters, Task<ApiError?> ready, CancellationToken ct)
    {
        string id;
        try
        {
            try
            {
                id = (await Engine(() => _client.Containers.CreateContainerAsync(parameters, ct))).ID;
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound && _pulled.TryRemove(spec.Image, out _))
            {
                // PullAsync trusted a recent pull, but the image has gone from the engine since: pull it again, once.
                var pulled = await PullAsync(spec.Image, ct);
                if (!pulled.Succeeded)
                {
                    return pulled.Error!;
                }

                id = (await Engine(() => _client.Containers.CreateContainerAsync(parameters, ct))).ID;
            }
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return ApiError.Validation($"Cannot create container {spec.Name}: {MessageOf(e)} (images must be pulled before they run).");
        }
        catch (DockerApiException e)
        {
            return ApiError.Validation($"Cannot create container {spec.Name}: {MessageOf(e)}");
        }

        try
        {
            if (await ready is { } notReady)
            {
                await RemoveQuietlyAsync(id);
                return notReady;
            }

            await Engine(() => _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct));
        }
        catch (DockerApiException e)
        {
            await RemoveQuietlyAsync(id);
            return ApiError.Validation($"Cannot start container {spec.Name}: {MessageOf(e)}");
        }
        catch
        {
            await RemoveQuietlyAsync(id);
            throw;
        }

        return id;
    }

    public async Task<IContainerHandle?> TryAttachAsync(string containerId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(containerId) || containerId.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var container = await Engine(() => _client.Containers.InspectContainerAsync(containerId, ct));
            return new DockerContainerHandle(_client, container.ID, PortsOf(container), NetworkSandboxPool.HolderOf(container.HostConfig?.NetworkMode));
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    public async Task CreateNetworkAsync(string name, bool isolated, IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        try
        {
            await Engine(() => _client.Networks.CreateNetworkAsync(
                new NetworksCreateParameters
                {
                    Name = name,
                    Driver = "bridge",
                    Internal = isolated,
                    CheckDuplicate = true,
                    Labels = EngineLabels(labels, _options.InstanceId),
                },
                ct));
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await TryInspectNetworkAsync(name, ct);
            if (existing is not null && existing.Internal != isolated)
            {
                throw new ContainerRuntimeException($"Network {name} already exists {(existing.Internal ? "isolated" : "not isolated")}.", e);
            }
        }
    }

    public async Task RemoveNetworkAsync(string name, CancellationToken ct)
    {
        try
        {
            await Engine(() => _client.Networks.DeleteNetworkAsync(name, ct));
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (DockerApiException e)
        {
            throw new ContainerRuntimeException($"Cannot remove network {name}: {MessageOf(e)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sandboxes.DisposeAsync();
        _sandboxes.Dispose();
        _client.Dispose();
        _configuration.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The containers and networks labelled with this control plane's instance id (none without one), running or not.
    /// When there are network sandboxes, each other container is inspected for the one it joined (the engine's
    /// listing does not say).
    /// </summary>
    internal async Task<IReadOnlyList<EngineObject>> ListInstanceObjectsAsync(CancellationToken ct)
    {
        if (_options.InstanceId is not { } instanceId)
        {
            return [];
        }

        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{InstanceLabel}={instanceId}"] = true } };
        var containers = await Engine(() => _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, ct));
        var networks = await Engine(() => _client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filters }, ct));
        var anySandbox = containers.Any(NetworkSandboxPool.IsHolder);
        var objects = new List<EngineObject>();
        foreach (var c in containers)
        {
            var sandbox = anySandbox && !NetworkSandboxPool.IsHolder(c) && await TryAttachAsync(c.ID, ct) is DockerContainerHandle { SandboxId: { } joined } ? joined : null;
            objects.Add(new EngineObject(EngineObjectKind.Container, c.ID, c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID, ReadOnly(c.Labels), c.Created, sandbox));
        }

        objects.AddRange(networks.Select(n => new EngineObject(EngineObjectKind.Network, n.ID, n.Name, ReadOnly(n.Labels), n.Created, SandboxId: null)));
        return objects;
    }

    /// <param name="spec">The container.</param>
    /// <param name="limits">Its limits, capped to the engine's machine.</param>
    /// <param name="instanceId">This control plane's instance id, for the orphan sweep's label.</param>
    /// <param name="hostsFile">For a container without any network: the /etc/hosts to bind; Docker's networking is then
    /// disabled (see <see cref="WriteHostsFileAsync"/>).</param>
    /// <param name="sandboxId">The network sandbox to join (<see cref="NetworkSandboxPool"/>): the container then has
    /// its network namespace, hostname and /etc/hosts (Docker refuses a hostname of its own with that network mode).</param>
    internal static CreateContainerParameters CreateParameters(ContainerSpec spec, ResourceLimits limits, string? instanceId, string? hostsFile = null, string? sandboxId = null)
    {
        var mounts = spec.Mounts.Select(m => new Mount { Type = "bind", Source = Path.GetFullPath(m.HostPath), Target = m.ContainerPath, ReadOnly = m.ReadOnly });
        if (hostsFile is not null)
        {
            mounts = mounts.Append(new Mount { Type = "bind", Source = hostsFile, Target = "/etc/hosts", ReadOnly = true });
        }

        var ports = spec.Ports.ToDictionary(p => $"{p.ContainerPort}/tcp", p => p);
        var labels = EngineLabels(spec.Labels, instanceId);
        return new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Hostname = sandboxId is null ? spec.Hostname : null,
            Entrypoint = spec.Entrypoint is { Count: > 0 } entrypoint ? [.. entrypoint] : null,
            Cmd = spec.Arguments.Count > 0 ? [.. spec.Arguments] : null,
            Env = [.. spec.Environment.Select(e => $"{e.Key}={e.Value}")],
            Labels = labels,
            ExposedPorts = ports.Keys.ToDictionary(k => k, _ => default(EmptyStruct)),
            NetworkDisabled = hostsFile is not null,
            HostConfig = new HostConfig
            {
                Mounts = [.. mounts],
                NanoCPUs = (long)Math.Round(limits.Cpus * 1e9),
                Memory = limits.MemoryBytes,
                // Equal to Memory: no swap on top of the limit, as on an instance.
                MemorySwap = limits.MemoryBytes,
                NetworkMode = sandboxId is not null ? NetworkSandboxPool.JoinMode(sandboxId)
                    : spec.NetworkIsolation && spec.Network is null ? "none" : spec.Network ?? "default",
                PortBindings = ports.ToDictionary(
                    p => p.Key,
                    p => (IList<Docker.DotNet.Models.PortBinding>)[new() { HostIP = "127.0.0.1", HostPort = p.Value.HostPort == 0 ? "" : p.Value.HostPort.ToString(CultureInfo.InvariantCulture) }]),
                Privileged = false,
                // The logs API needs a driver it can read back; rotation keeps a chatty job from filling the disk.
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "64m", ["max-file"] = "4" } },
            },
            NetworkingConfig = spec.Network is { } network
                ? new NetworkingConfig
                {
                    EndpointsConfig = new Dictionary<string, EndpointSettings>
                    {
                        [network] = new() { Aliases = spec.Hostname is { } hostname ? [hostname] : null },
                    },
                }
                : null,
        };
    }

    private static IReadOnlyDictionary<string, string> ReadOnly(IDictionary<string, string>? labels) =>
        labels is null ? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty : labels.AsReadOnly();

    private static Dictionary<string, string> EngineLabels(IReadOnlyDictionary<string, string> labels, string? instanceId)
    {
        var all = new Dictionary<string, string>(labels) { [ManagedLabel] = "true" };
        if (instanceId is not null)
        {
            all[InstanceLabel] = instanceId;
        }

        return all;
    }

    internal static IReadOnlyList<PortBinding> PortsOf(ContainerInspectResponse container)
    {
        var ports = new List<PortBinding>();
        foreach (var (key, bindings) in container.NetworkSettings?.Ports ?? new Dictionary<string, IList<Docker.DotNet.Models.PortBinding>>())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (bindings is null || !int.TryParse(slash < 0 ? key : key[..slash], CultureInfo.InvariantCulture, out var containerPort))
            {
                continue;
            }

            foreach (var binding in bindings)
            {
                if (int.TryParse(binding.HostPort, CultureInfo.InvariantCulture, out var hostPort))
                {
                    ports.Add(new PortBinding(containerPort, hostPort));
                    break;
                }
            }
        }

        return ports;
    }

    /// <summary>The error text out of an engine response body (<c>{"message": "..."}</c>), or the body itself.</summary>
    internal static string MessageOf(DockerApiException e)
    {
        try
        {
            using var body = JsonDocument.Parse(e.ResponseBody);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("message", out var message))
            {
                return message.GetString() ?? e.ResponseBody;
            }
        }
        catch (JsonException)
        {
        }

        return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.StatusCode.ToString() : e.ResponseBody.Trim();
    }

    internal static bool IsEngineFault(Exception e) => e is HttpRequestException or IOException or SocketException or TimeoutException;

    /// <summary>Runs an engine call, turning "the engine did not answer" into <see cref="ContainerRuntimeException"/>.</summary>
    internal static async Task<T> Engine<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsEngineFault(e))
        {
            throw new ContainerRuntimeException($"The Docker engine did not answer: {e.Message}", e);
        }
    }

    internal static async Task Engine(Func<Task> call) => await Engine(async () =>
    {
        await call();
        return true;
    });

    /// <summary>Docker refuses limits above what the engine's machine has; the instance-type table may ask for more.</summary>
    private async Task<ResourceLimits> CapAsync(ResourceLimits limits, CancellationToken ct)
    {
        if (_engineCapacity is null)
        {
            var info = await Engine(() => _client.System.GetSystemInfoAsync(ct));
            _engineCapacity = new ResourceLimits(info.NCPU, info.MemTotal);
        }

        return new ResourceLimits(Math.Min(limits.Cpus, _engineCapacity.Cpus), Math.Min(limits.MemoryBytes, _engineCapacity.MemoryBytes));
    }

    /// <summary>
    /// An isolated container without a network needs no network set up by Docker, whose "none" network still costs
    /// two re-executions of dockerd per start (libnetwork's prestart hook and its IPv6 sysctl helper; about 400 ms on a
    /// 2-core host, most of the engine's start time). With networking disabled, the OCI runtime gives the container a
    /// network namespace of its own with only loopback, up; Docker then writes no /etc/hosts, so this one, as Docker's
    /// for network "none" plus the hostname on loopback, is bound read-only next to the container's work directory.
    /// </summary>
    private static async Task<string> WriteHostsFileAsync(ContainerSpec spec, CancellationToken ct)
    {
        var path = Path.Join(Path.GetFullPath(spec.WorkDirectory), $"{spec.Name}.hosts");
        var hostname = spec.Hostname is { Length: > 0 } name ? $"127.0.0.1\t{name}\n" : string.Empty;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{hostname}", ct);
        return path;
    }

    private async Task<ImageInspectResponse?> TryInspectImageAsync(string image, CancellationToken ct)
    {
        try
        {
            return await Engine(() => _client.Images.InspectImageAsync(image, ct));
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<NetworkResponse?> TryInspectNetworkAsync(string name, CancellationToken ct)
    {
        try
        {
            return await Engine(() => _client.Networks.InspectNetworkAsync(name, ct));
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None);
        }
        catch (Exception e) when (e is DockerApiException || IsEngineFault(e))
        {
            LogCleanupFailed(_logger, e, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Image} ({ImageId})")]
    private static partial void LogPulled(ILogger logger, string image, string imageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pulling {Image} failed ({Error}); using the image already on the engine")]
    private static partial void LogPullFailedUsingLocal(ILogger logger, string image, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Name} ({ContainerId}) from {Image}")]
    private static partial void LogStarted(ILogger logger, string name, string containerId, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Name} ({ContainerId}) from {Image} in network sandbox {SandboxId}")]
    private static partial void LogStartedInSandbox(ILogger logger, string name, string containerId, string image, string sandboxId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network sandbox {SandboxId} could not take container {Name} ({Error}); starting it the normal way")]
    private static partial void LogSandboxUnusable(ILogger logger, string sandboxId, string name, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove container {ContainerId} after a failed start")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string containerId);

    /// <summary>Collects the pull's error: the engine reports most pull failures inside a 200 response stream, not as a status.</summary>
    private sealed class PullProgress : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error?.Message is { Length: > 0 } message)
            {
                Error = message;
            }
            else if (value.ErrorMessage is { Length: > 0 } legacy)
            {
                Error = legacy;
            }
        }
    }
}

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>What to run, in <c>docker run</c> terms.</summary>
/// <param name="Name">The container name, unique on the engine: letters, digits, <c>_ . -</c>, starting with a letter or digit.</param>
/// <param name="Image">The image reference, e.g. <c>127.0.0.1:5000/my-trainer:1</c>.</param>
/// <param name="Entrypoint">Replaces the image's ENTRYPOINT (and drops its CMD) when not null.</param>
/// <param name="Arguments">Replaces the image's CMD when not empty (<c>train</c>, <c>serve</c>, ContainerArguments).</param>
/// <param name="Environment">Environment variables for the container.</param>
/// <param name="Mounts">Host directories or files bound into the container.</param>
/// <param name="Network">A network made with <see cref="IContainerRuntime.CreateNetworkAsync"/> to join, or null for the default.</param>
/// <param name="Hostname">The container's hostname, also its name on <paramref name="Network"/> (<c>algo-1</c>, ...).</param>
/// <param name="Limits">CPU and memory limits, usually <see cref="ResourceLimits.ForInstanceType(string?)"/>.</param>
/// <param name="NetworkIsolation">No network at all (Docker <c>NetworkMode=none</c>), or only an isolated <paramref name="Network"/>.</param>
/// <param name="Ports">Container ports to publish on 127.0.0.1.</param>
/// <param name="Labels">Engine labels (<c>controlplane.job=...</c>), for finding and cleaning up containers.</param>
/// <param name="WorkDirectory">The host directory holding the job's <c>opt/ml</c> tree; the Process runtime runs there.</param>
public sealed record ContainerSpec(
    string Name,
    string Image,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<VolumeMount> Mounts,
    string? Network,
    string? Hostname,
    ResourceLimits Limits,
    bool NetworkIsolation,
    IReadOnlyList<PortBinding> Ports,
    IReadOnlyDictionary<string, string> Labels,
    string WorkDirectory);

/// <summary>A host path bound at <paramref name="ContainerPath"/>.</summary>
public sealed record VolumeMount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>A container TCP port published on 127.0.0.1:<paramref name="HostPort"/>.</summary>
/// <param name="ContainerPort">The port the program listens on.</param>
/// <param name="HostPort">The loopback port; 0 in a spec lets the runtime pick a free one (the handle reports it).</param>
public sealed record PortBinding(int ContainerPort, int HostPort);

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ControlPlane.Core.Errors;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// Runs a configured local program in place of an image, for machines without Docker. The program runs in the spec's
/// <see cref="ContainerSpec.WorkDirectory"/> and finds its <c>/opt/ml</c> tree at <c>$CONTROLPLANE_ML_ROOT</c>
/// (= <c>&lt;WorkDirectory&gt;/opt/ml</c>): programs meant for this runtime read that variable, defaulting to /opt/ml.
/// Mounts under /opt/ml become symbolic links in that tree; read-only, CPU and memory limits, hostnames, networks and
/// network isolation cannot be enforced on a plain process and are not. Published ports: the program is told its port
/// in <c>SAGEMAKER_BIND_TO_PORT</c> (for container port 8080, as SageMaker's multi-container hosting does) and in
/// <c>CONTROLPLANE_PORT_&lt;container port&gt;</c>.
/// <para>
/// Each container is <c>sh</c> running the program with its output appended to <c>&lt;WorkDirectory&gt;/&lt;Name&gt;.log</c>
/// and its exit code written to <c>&lt;Name&gt;.exitcode</c>, in a session of its own: it neither holds a pipe to the
/// control plane nor gets its terminal's signals, so it outlives a control-plane restart and can be re-attached.
/// </para>
/// </summary>
internal sealed partial class ProcessRuntime(ContainerRuntimeOptions options, ILogger<ProcessRuntime> logger) : IContainerRuntime
{
    public const string MlRootVariable = "CONTROLPLANE_ML_ROOT";

    private const string ContainerMlRoot = "/opt/ml";

    /// <summary>
    /// $1 log, $2 exit-code file, the rest the program. SIGTERM is passed on to the program (as Docker delivers it to
    /// PID 1); <c>wait</c> returns early when a trapped signal arrives, hence the loop until the program is really gone.
    /// </summary>
    private const string Wrapper = """
        log="$1"; exit_file="$2"; shift 2
        exec </dev/null >>"$log" 2>&1
        child=
        trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
        "$@" &
        child=$!
        while :; do
          wait "$child"; rc=$?
          kill -0 "$child" 2>/dev/null || break
        done
        printf '%s\n' "$rc" >"$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"
        exit "$rc"
        """;

    public string Name => "process";

    public Task<Result<string>> PullAsync(string image, CancellationToken ct) =>
        Task.FromResult<Result<string>>(options.ProcessCommandFor(image) is { } command ? string.Join(' ', command) : NotAvailable(image));

    public async Task<Result<IContainerHandle>> StartAsync(ContainerSpec spec, Task<ApiError?> ready, CancellationToken ct)
    {
        if (ContainerSpecGuard.Check(spec, options.DockerEndpoint) is { } refusal)
        {
            return refusal;
        }

        // Nothing to make ahead here: a process starts in a few ms.
        if (await ready is { } notReady)
        {
            return notReady;
        }

        if (options.ProcessCommandFor(spec.Image) is not { } command)
        {
            return NotAvailable(spec.Image);
        }

        if (string.IsNullOrWhiteSpace(spec.WorkDirectory))
        {
            return ApiError.Validation($"Container {spec.Name} has no work directory; the Process runtime runs programs there.");
        }

        var workDirectory = Path.GetFullPath(spec.WorkDirectory);
        var mlRoot = Path.Join(workDirectory, "opt", "ml");
        Directory.CreateDirectory(mlRoot);
        var files = new ContainerFiles(Path.Join(workDirectory, spec.Name));
        if (ProcessContainerHandle.ReadState(files) is { } previous && LinuxProcess.IsAlive(previous.Pid, previous.StartTime))
        {
            return ApiError.Validation($"Container name {spec.Name} is already in use in {workDirectory}.");
        }

        foreach (var mount in spec.Mounts)
        {
            if (MapMount(mount, mlRoot) is { } error)
            {
                return ApiError.Validation($"Container {spec.Name}: {error}");
            }
        }

        if (spec.NetworkIsolation)
        {
            LogIsolationNotEnforced(logger, spec.Name);
        }

        var ports = spec.Ports.Select(p => p with { HostPort = p.HostPort == 0 ? FreeLoopbackPort() : p.HostPort }).ToList();
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh")
        {
            WorkingDirectory = workDirectory,
            UseShellExecute = false,
        };
        if (start.FileName != "/bin/sh")
        {
            start.ArgumentList.Add("/bin/sh");
        }

        foreach (var argument in (string[])["-c", Wrapper, "controlplane-container", files.Log, files.ExitCode])
        {
            start.ArgumentList.Add(argument);
        }

        // Like Docker: an entrypoint replaces the image's (here: the configured command); arguments follow either.
        var program = (spec.Entrypoint is { Count: > 0 } entrypoint ? entrypoint : command).Concat(spec.Arguments).ToList();
        foreach (var argument in program)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[MlRootVariable] = mlRoot;
        foreach (var port in ports)
        {
            start.Environment[$"CONTROLPLANE_PORT_{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}"] = port.HostPort.ToString(CultureInfo.InvariantCulture);
            if (port.ContainerPort == 8080 && !spec.Environment.ContainsKey("SAGEMAKER_BIND_TO_PORT"))
            {
                start.Environment["SAGEMAKER_BIND_TO_PORT"] = port.HostPort.ToString(CultureInfo.InvariantCulture);
            }
        }

        File.Delete(files.ExitCode);
        await File.WriteAllBytesAsync(files.Log, [], ct);
        var process = Process.Start(start) ?? throw new ContainerRuntimeException($"Could not start {start.FileName}.");
        if (LinuxProcess.StartTime(process.Id) is not { } startTime)
        {
            // It is already gone (or a zombie): only possible when sh itself failed, since the wrapper waits for the program.
            await process.WaitForExitAsync(ct);
            var code = process.ExitCode;
            process.Dispose();
            return ApiError.Validation($"Container {spec.Name} exited at once with code {code.ToString(CultureInfo.InvariantCulture)}.");
        }

        var state = new ProcessContainerState(process.Id, startTime, ports);
        await File.WriteAllTextAsync(files.State, JsonSerializer.Serialize(state), ct);
        LogStarted(logger, spec.Name, process.Id, string.Join(' ', program));
        return new ProcessContainerHandle(state, files, process);
    }

    public Task<IContainerHandle?> TryAttachAsync(string containerId, CancellationToken ct)
    {
        if (!ProcessContainerHandle.TryParseId(containerId, out var pid, out var startTime, out var files)
            || ProcessContainerHandle.ReadState(files) is not { } state
            || state.Pid != pid || state.StartTime != startTime)
        {
            return Task.FromResult<IContainerHandle?>(null);
        }

        // Running, or exited and its exit code recorded: both are the container; anything else is gone.
        if (!LinuxProcess.IsAlive(pid, startTime) && !File.Exists(files.ExitCode))
        {
            return Task.FromResult<IContainerHandle?>(null);
        }

        return Task.FromResult<IContainerHandle?>(new ProcessContainerHandle(state, files, process: null));
    }

    /// <summary>Networks do not exist for plain processes; they all share the host's.</summary>
    public Task CreateNetworkAsync(string name, bool isolated, IReadOnlyDictionary<string, string> labels, CancellationToken ct) => Task.CompletedTask;

    public Task RemoveNetworkAsync(string name, CancellationToken ct) => Task.CompletedTask;

    private static ApiError NotAvailable(string image) =>
        ApiError.Validation($"Image {image} is not available on the Process runtime (configure {ContainerRuntimeOptions.SectionName}:ProcessImages:{image}).");

    /// <summary>Makes the mount's host path appear at its place in the job's ml tree; null on success, else why not.</summary>
    private static string? MapMount(VolumeMount mount, string mlRoot)
    {
        var containerPath = Path.GetFullPath(mount.ContainerPath);
        if (containerPath != ContainerMlRoot && !containerPath.StartsWith(ContainerMlRoot + "/", StringComparison.Ordinal))
        {
            return $"mount target {mount.ContainerPath} is outside {ContainerMlRoot}; the Process runtime can only map paths under it.";
        }

        var target = Path.Join(mlRoot, containerPath[ContainerMlRoot.Length..]).TrimEnd('/');
        var source = Path.GetFullPath(mount.HostPath).TrimEnd('/');
        if (source == target)
        {
            return null;
        }

        var sourceIsDirectory = Directory.Exists(source);
        if (!sourceIsDirectory && !File.Exists(source))
        {
            return $"mount source {mount.HostPath} does not exist.";
        }

        var existing = new FileInfo(target);
        if (existing.LinkTarget is not null)
        {
            existing.Delete();
        }
        else if (Directory.Exists(target))
        {
            if (Directory.EnumerateFileSystemEntries(target).Any())
            {
                return $"{target} already has files, so {mount.HostPath} cannot be mapped onto it.";
            }

            Directory.Delete(target);
        }
        else if (existing.Exists)
        {
            return $"{target} is a file, so {mount.HostPath} cannot be mapped onto it.";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (sourceIsDirectory)
        {
            Directory.CreateSymbolicLink(target, source);
        }
        else
        {
            File.CreateSymbolicLink(target, source);
        }

        return null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {Name} asks for network isolation, which the Process runtime cannot enforce")]
    private static partial void LogIsolationNotEnforced(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Name} as process {Pid}: {CommandLine}")]
    private static partial void LogStarted(ILogger logger, string name, int pid, string commandLine);
}

/// <summary>The files of one Process-runtime container, next to each other in its work directory.</summary>
internal sealed record ContainerFiles(string BasePath)
{
    public string Log => BasePath + ".log";

    public string ExitCode => BasePath + ".exitcode";

    public string State => BasePath + ".state.json";
}

/// <summary>What a re-attach needs that the id does not carry.</summary>
internal sealed record ProcessContainerState(int Pid, long StartTime, IReadOnlyList<PortBinding> Ports);

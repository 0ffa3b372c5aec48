using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// A container on the Docker engine. Holds only the id and the network sandbox it joined, if any (which goes with it):
/// the engine is the state, so a handle can be rebuilt at any time.
/// </summary>
internal sealed class DockerContainerHandle(DockerClient client, string id, IReadOnlyList<PortBinding> ports, string? sandboxId) : IContainerHandle
{
    public string Id => id;

    public IReadOnlyList<PortBinding> Ports => ports;

    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        try
        {
            var response = await DockerRuntime.Engine(() => client.Containers.WaitContainerAsync(id, ct));
            return (int)response.StatusCode;
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerRuntimeException($"Container {id} no longer exists; its exit code is lost.", e);
        }
    }

    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken ct)
    {
        var seconds = (uint)Math.Max(0, Math.Ceiling(gracePeriod.TotalSeconds));
        try
        {
            if (seconds == 0)
            {
                // Docker.DotNet leaves t=0 out of the query (it skips default values) and the engine would wait its own 10 s.
                await DockerRuntime.Engine(() => client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, ct));
                await WaitForExitAsync(ct);
                return;
            }

            // The engine sends the image's stop signal (SIGTERM), waits, then SIGKILLs; the call returns once it is down.
            await DockerRuntime.Engine(() => client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, ct));
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Killing a container that is not running.
        }
    }

    public async Task<IReadOnlyList<string>> TailLogAsync(int lines, CancellationToken ct)
    {
        if (lines <= 0)
        {
            return [];
        }

        var result = new List<string>();
        var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(CultureInfo.InvariantCulture) };
        await foreach (var line in ReadLogAsync(parameters, ct))
        {
            result.Add(line);
        }

        // Docker counts the tail per line it stored; a last line without a newline can make it one short or long.
        return result.Count > lines ? result[^lines..] : result;
    }

    public IAsyncEnumerable<string> FollowLogAsync(CancellationToken ct) =>
        ReadLogAsync(new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = true }, ct);

    /// <summary>The network sandbox (<see cref="NetworkSandboxPool"/>) whose network the container joined, if any.</summary>
    public string? SandboxId => sandboxId;

    public async Task RemoveAsync(CancellationToken ct)
    {
        await RemoveAsync(client, id, ct);
        if (sandboxId is not null)
        {
            // After the container: its network namespace is the sandbox's.
            await RemoveAsync(client, sandboxId, ct);
        }
    }

    /// <summary>Removes a container, killing it if it runs; one already gone (or being removed) is not an error.</summary>
    internal static async Task RemoveAsync(DockerClient client, string containerId, CancellationToken ct)
    {
        try
        {
            await DockerRuntime.Engine(() => client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct));
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or a removal is already under way.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>stdout and stderr demultiplexed, each cut into lines on its own, in the order the engine sends the frames.</summary>
    private async IAsyncEnumerable<string> ReadLogAsync(ContainerLogsParameters parameters, [EnumeratorCancellation] CancellationToken ct)
    {
        MultiplexedStream stream;
        try
        {
            stream = await DockerRuntime.Engine(() => client.Containers.GetContainerLogsAsync(id, false, parameters, ct));
        }
        catch (DockerContainerNotFoundException)
        {
            yield break;
        }

        using var owned = stream;
        // A socket read does not always observe the token; closing the stream ends it for sure.
        await using var registration = ct.Register(stream.Dispose);
        var stdout = new LineAssembler();
        var stderr = new LineAssembler();
        var buffer = new byte[16 * 1024];
        var lines = new List<string>();
        while (await ReadAsync(stream, buffer, ct) is { EOF: false } read)
        {
            (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Add(buffer.AsSpan(0, read.Count), lines);
            foreach (var line in lines)
            {
                yield return line;
            }

            lines.Clear();
        }

        if (stdout.Flush() is { } lastOut)
        {
            yield return lastOut;
        }

        if (stderr.Flush() is { } lastErr)
        {
            yield return lastErr;
        }
    }

    private static async Task<MultiplexedStream.ReadResult> ReadAsync(MultiplexedStream stream, byte[] buffer, CancellationToken ct)
    {
        try
        {
            return await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (Exception e) when (DockerRuntime.IsEngineFault(e))
        {
            throw new ContainerRuntimeException($"The Docker engine stopped sending a container log: {e.Message}", e);
        }
    }
}

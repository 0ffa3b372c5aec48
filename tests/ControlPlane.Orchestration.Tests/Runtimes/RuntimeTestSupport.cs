using System.Net;
using System.Net.Sockets;
using System.Text;
using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.Runtimes;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.Orchestration.Tests.Runtimes;

/// <summary>Specs, waits and small host-side helpers shared by the runtime tests.</summary>
internal static class RuntimeTestSupport
{
    public const string RunLabel = "controlplane.test-run";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string EchoTrainerDirectory => Path.Join(RepositoryRoot, "deploy", "test-images", "echo-trainer");

    public static string EchoTrainerScript => Path.Join(EchoTrainerDirectory, "echo_trainer.py");

    public static CancellationToken TimeoutToken() => new CancellationTokenSource(Timeout).Token;

    public static ContainerSpec Spec(string runId, string name, string image, params string[] arguments) => new(
        Name: $"cpt-{runId}-{name}",
        Image: image,
        Entrypoint: null,
        Arguments: arguments,
        Environment: new Dictionary<string, string>(),
        Mounts: [],
        Network: null,
        Hostname: null,
        Limits: new ResourceLimits(1, 256L * 1024 * 1024),
        NetworkIsolation: false,
        Ports: [],
        Labels: new Dictionary<string, string> { [RunLabel] = runId, ["controlplane.job"] = name },
        WorkDirectory: NewDirectory(runId));

    public static string NewDirectory(string runId)
    {
        var path = Path.Join(Path.GetTempPath(), $"cpt-{runId}", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static T Ok<T>(Result<T> result)
    {
        Assert.True(result.Succeeded, $"Expected success, got {result.Error}");
        return result.Value!;
    }

    public static ApiError Failed<T>(Result<T> result)
    {
        Assert.False(result.Succeeded, "Expected an error value, got success");
        return result.Error!;
    }

    public static async Task<IContainerHandle> StartAsync(IContainerRuntime runtime, ContainerSpec spec) =>
        Ok(await runtime.StartAsync(spec, TimeoutToken()));

    /// <summary>Runs the container to its end: exit code and every log line.</summary>
    public static async Task<(int ExitCode, List<string> Log)> RunAsync(IContainerRuntime runtime, ContainerSpec spec)
    {
        await using var handle = await StartAsync(runtime, spec);
        var exitCode = await handle.WaitForExitAsync(TimeoutToken());
        var log = new List<string>();
        await foreach (var line in handle.FollowLogAsync(TimeoutToken()))
        {
            log.Add(line);
        }

        return (exitCode, log);
    }

    /// <summary>Waits until the log has a line that satisfies <paramref name="match"/>.</summary>
    public static async Task<string> WaitForLogAsync(IContainerHandle handle, Func<string, bool> match)
    {
        await foreach (var line in handle.FollowLogAsync(TimeoutToken()))
        {
            if (match(line))
            {
                return line;
            }
        }

        throw new Xunit.Sdk.XunitException("The log ended without the expected line: " + string.Join(" | ", await handle.TailLogAsync(20, TimeoutToken())));
    }

    public static async Task<string> GetWithRetryAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await client.GetStringAsync(url);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    public static ProcessRuntime NewProcessRuntime(IReadOnlyDictionary<string, IReadOnlyList<string>> images) =>
        new(new ContainerRuntimeOptions { ProcessImages = images }, NullLogger<ProcessRuntime>.Instance);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "ControlPlane.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ControlPlane.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A tiny HTTP server on the host, on all interfaces, for containers to try to reach.</summary>
internal sealed class HostHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Any, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HostHttpServer()
    {
        _listener.Start();
        _loop = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer, _stop.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhost!"), _stop.Token);
        }
    }
}

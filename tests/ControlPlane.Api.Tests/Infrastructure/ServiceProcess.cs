using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// The real service as a separate process on a free loopback port, with its own temporary data directory. Tests
/// talk to it over HTTP only; <see cref="RestartAsync"/> stops it and starts it again on the same data.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string[] _extraArguments;
    private Process? _process;

    private ServiceProcess(string dataDirectory, string[] extraArguments)
    {
        DataDirectory = dataDirectory;
        _extraArguments = extraArguments;
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>What the service printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Waits until the service has printed <paramref name="text"/> (for instance, that its job workers run).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The service did not print '{text}':\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public static Task<ServiceProcess> StartAsync(params string[] extraArguments) =>
        StartInAsync(Path.Combine(Path.GetTempPath(), "controlplane-tests", Guid.NewGuid().ToString("N")), extraArguments);

    /// <summary>A service on a given data directory, which another service process may share.</summary>
    public static async Task<ServiceProcess> StartInAsync(string dataDirectory, params string[] extraArguments)
    {
        Directory.CreateDirectory(dataDirectory);
        var service = new ServiceProcess(dataDirectory, extraArguments);
        await service.LaunchAsync();
        return service;
    }

    public async Task RestartAsync(bool kill = false)
    {
        await StopAsync(kill);
        await LaunchAsync();
    }

    /// <summary>
    /// kill -9 of the service alone, as a crash: the programs it started (Process-runtime jobs) live on.
    /// <paramref name="whileDown"/> runs between the crash and the restart.
    /// </summary>
    public async Task CrashAndRestartAsync(Func<Task>? whileDown = null)
    {
        if (_process is not null)
        {
            Http.Dispose();
            using var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        if (whileDown is not null)
        {
            await whileDown();
        }

        await LaunchAsync();
    }

    public async Task StopAsync(bool kill = false)
    {
        if (_process is null)
        {
            return;
        }

        Http.Dispose();
        if (!_process.HasExited)
        {
            if (kill)
            {
                _process.Kill(entireProcessTree: true);
            }
            else
            {
                // SIGTERM: the host shuts down gracefully.
                using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(kill: true);
        await RemoveDockerLeftoversAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a child process, or a directory another service of the test removed.
        }
    }

    /// <summary>
    /// The kill leaves what the service had on Docker (labelled with its instance id): its network sandbox, and the
    /// containers of a job whose end it had just recorded (they are removed after that). A restarted service would
    /// sweep them; this one's data directory is about to go.
    /// </summary>
    private async Task RemoveDockerLeftoversAsync()
    {
        var instanceIdPath = Path.Combine(DataDirectory, "instance-id");
        var runtime = Array.IndexOf(_extraArguments, "--ControlPlane:Containers:Runtime");
        if (!File.Exists(instanceIdPath) || (runtime >= 0 && runtime + 1 < _extraArguments.Length && _extraArguments[runtime + 1] == "process"))
        {
            return;
        }

        var label = $"label=controlplane.instance={(await File.ReadAllTextAsync(instanceIdPath)).Trim()}";
        try
        {
            await RemoveAllAsync(["ps", "-aq", "--filter", label], ["rm", "-f"]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No docker CLI: a machine without Docker has nothing to clean.
            return;
        }

        await RemoveAllAsync(["network", "ls", "-q", "--filter", label], ["network", "rm"]);
    }

    /// <summary>
    /// Removes what <paramref name="list"/> lists until it lists nothing. A removal may fail meanwhile without harm: the
    /// engine may still be finishing one the killed service began ("removal ... is already in progress").
    /// </summary>
    private static async Task RemoveAllAsync(string[] list, string[] remove)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var listed = (await HostingService.DockerAsync(list)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (listed.Length == 0)
            {
                return;
            }

            var (exitCode, _, error) = await HostingService.TryDockerAsync([.. remove, .. listed]);
            Assert.True(exitCode == 0 || DateTime.UtcNow < deadline, $"docker {string.Join(' ', remove)} {string.Join(' ', listed)}: {error}");
            if (exitCode != 0)
            {
                await Task.Delay(200);
            }
        }
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        start.ArgumentList.Add(RepositoryPaths.ServiceAssembly);
        // The inference gateway is launched only by the tests that use it (HostingService).
        foreach (var argument in new[] { "--urls", "http://127.0.0.1:0", "--ControlPlane:DataDirectory", DataDirectory, "--ControlPlane:Gateway:Launch", "false" }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Collect(e.Data, listening);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data, listening);
        _process.Exited += (sender, _) =>
        {
            // Exited can come before the last lines were read: wait for the output to end, so the message has them.
            ((Process)sender!).WaitForExit();
            listening.TrySetException(new InvalidOperationException($"The service exited before listening:\n{Output}"));
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Generous: on a machine shared by several builds a cold start can take a minute or more.
        BaseAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(180));
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    private void Collect(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

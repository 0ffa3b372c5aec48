using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>
/// moto_server (Python moto's S3 emulation) on a free loopback port, started for a test class and killed after it.
/// The executable is MOTO_SERVER if set, else moto_server on PATH, else the pyenv shim.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Options for a store on this server; buckets are created on demand and parts are S3's smallest.</summary>
    public S3StoreOptions StoreOptions(bool createMissingBuckets = true) => new()
    {
        ServiceUrl = Endpoint.ToString(),
        ForcePathStyle = true,
        Region = "us-east-1",
        AccessKey = "test",
        SecretKey = "test",
        CreateMissingBuckets = createMissingBuckets,
        PartSizeBytes = S3StoreOptions.MinPartSizeBytes,
    };

    public async Task InitializeAsync()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync();
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode}:\n{Output()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"moto_server did not answer on {Endpoint} within 60 s:\n{Output()}");
    }

    private static string Executable()
    {
        if (Environment.GetEnvironmentVariable("MOTO_SERVER") is { Length: > 0 } configured)
        {
            return configured;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "moto_server"))
            .FirstOrDefault(File.Exists);
        return onPath ?? "/root/.pyenv/shims/moto_server";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}

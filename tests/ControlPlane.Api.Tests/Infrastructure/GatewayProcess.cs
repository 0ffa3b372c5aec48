using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>The inference gateway run on its own, as a deployment with a separate gateway runs it.</summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process) => _process = process;

    public HttpClient Http { get; private set; } = null!;

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

    public static async Task<GatewayProcess> StartAsync(Uri controlPlane)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(Path.GetDirectoryName(RepositoryPaths.ServiceAssembly)!, "ControlPlane.Gateway.dll"), "--urls", "http://127.0.0.1:0", "--ControlPlane:Url", controlPlane.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var gateway = new GatewayProcess(new Process { StartInfo = start });
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway._process.OutputDataReceived += (_, e) => gateway.Collect(e.Data, listening);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Collect(e.Data, listening);
        gateway._process.Start();
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        gateway.Http = HostingService.GatewayClient(await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
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

        if (Listening().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}

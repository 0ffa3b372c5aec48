using System.Diagnostics;
using System.Globalization;
using ControlPlane.Http.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ControlPlane.Api.Hosting;

/// <summary>
/// The quick start's inference gateway: once the control plane listens, it launches ControlPlane.Gateway (built beside
/// it) as a child process pointed at itself, relays its output prefixed <c>[gateway]</c>, starts it again if it exits,
/// and stops it on shutdown; the gateway also ends by itself when this process dies. <c>ControlPlane:Gateway:Launch</c>
/// false turns this off (the gateway then runs on its own); <c>ControlPlane:Gateway:Urls</c> is where it listens, and
/// every other key of that section is passed on as the gateway's <c>Gateway:</c> setting. The gateway gets this
/// process's <c>ControlPlane:Authentication</c> settings, so it accepts the same access keys.
/// </summary>
internal sealed partial class GatewayLauncher(IConfiguration configuration, IServer server, IHostApplicationLifetime lifetime, ILogger<GatewayLauncher> logger) : BackgroundService
{
    public const string SectionName = "ControlPlane:Gateway";
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var section = configuration.GetSection(SectionName);
        if (!bool.Parse(section["Launch"] ?? "true"))
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var controlPlane = server.Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal));
        while (!stoppingToken.IsCancellationRequested)
        {
            using var gateway = Process.Start(StartInfo(section, configuration.GetSection(AuthenticationOptions.SectionName), controlPlane))!;
            gateway.OutputDataReceived += (_, e) => Relay(e.Data);
            gateway.ErrorDataReceived += (_, e) => Relay(e.Data);
            gateway.BeginOutputReadLine();
            gateway.BeginErrorReadLine();
            try
            {
                await gateway.WaitForExitAsync(stoppingToken);
                LogExited(logger, gateway.ExitCode);
                await Task.Delay(RestartDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                gateway.Kill();
                await gateway.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static ProcessStartInfo StartInfo(IConfigurationSection section, IConfigurationSection authentication, string controlPlane)
    {
        // Under dotnet (dotnet run, the tests) the gateway runs with the same host; a published control plane (the
        // container image is self-contained) starts the gateway's own executable beside it.
        var underDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        var start = new ProcessStartInfo(underDotnet ? Environment.ProcessPath! : Path.Combine(AppContext.BaseDirectory, "ControlPlane.Gateway"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (underDotnet)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ControlPlane.Gateway.dll"));
        }

        foreach (var argument in new[]
        {
            "--urls", section["Urls"] ?? "http://127.0.0.1:5081",
            "--ControlPlane:Url", controlPlane,
            "--Gateway:ParentProcessId", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in section.GetChildren().Where(s => s.Key is not ("Launch" or "Urls") && s.Value is not null))
        {
            start.ArgumentList.Add($"--Gateway:{setting.Key}");
            start.ArgumentList.Add(setting.Value!);
        }

        // The gateway authenticates callers as this process does. Secrets go through its environment, which only this
        // user can read, never its command line.
        foreach (var (key, value) in authentication.AsEnumerable().Where(s => s.Value is not null))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    private static void Relay(string? line)
    {
        if (line is not null)
        {
            Console.Out.WriteLine($"[gateway] {line}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The inference gateway exited with code {ExitCode}; starting it again")]
    private static partial void LogExited(ILogger logger, int exitCode);
}

using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway;

/// <summary>A gateway launched by the control plane (the quick start) ends with it, even when the control plane was killed.</summary>
internal sealed class ParentProcessWatch(IOptions<GatewayOptions> options, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ParentProcessId is not { } parentId)
        {
            return;
        }

        using var parent = Process.GetProcessById(parentId);
        await parent.WaitForExitAsync(stoppingToken);
        lifetime.StopApplication();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Endpoints outlive the control plane: a gateway run on its own keeps serving its last routes while the control
/// plane is down, and a restarted control plane re-attaches to the running containers and supervises them again.
/// </summary>
public sealed class HostingRestartTests
{
    [Fact]
    public async Task A_standalone_gateway_serves_while_the_control_plane_is_down_and_the_restarted_one_supervises_the_endpoint_again()
    {
        await DockerHostingFixture.Published.Value;
        var port = HostingService.FreePort();
        await using var hosting = await HostingService.StartWithoutGatewayAsync(
            DockerHostingFixture.Image, "--ControlPlane:Containers:Runtime", "docker", "--ControlPlane:Gateway:Launch", "false", "--urls", $"http://127.0.0.1:{port}");
        await using var gateway = await GatewayProcess.StartAsync(hosting.Service.BaseAddress);
        var name = Requests.Unique("restart");
        await hosting.DeployAsync(name, new JsonObject { ["tag"] = "survivor" });
        await Task.Delay(500);
        var container = Assert.Single(await HostingService.DockerContainersAsync(name));
        Assert.Equal(HttpStatusCode.OK, (await hosting.InvokeAsync(name, "before", gateway: gateway.Http)).Status);

        using (var kill = Process.Start("kill", ["-KILL", hosting.Service.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Task.Delay(1000);
        var whileDown = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => hosting.InvokeAsync(name, "while down", gateway: gateway.Http)));
        using var asyncWhileDown = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{name}/async-invocations");
        asyncWhileDown.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-InputLocation", "s3://bucket/in.csv");
        using var refusedWhileDown = await gateway.Http.SendAsync(asyncWhileDown);
        await hosting.Service.RestartAsync();
        await Task.Delay(2000);
        var described = await hosting.WaitForSettledAsync(name);
        var afterRestart = await hosting.InvokeAsync(name, "after", gateway: gateway.Http);
        await HostingService.DockerAsync("kill", container);
        var healed = false;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); !healed && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var running = await HostingService.DockerAsync("ps", "-q", "--filter", $"label=controlplane.endpoint={name}");
            healed = running.Trim().Length > 0 && !container.StartsWith(running.Trim(), StringComparison.Ordinal) && (await hosting.InvokeAsync(name, "healed", gateway: gateway.Http)).Status == HttpStatusCode.OK;
        }

        Assert.All(whileDown, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        // An asynchronous inference needs the control plane to queue it: without it the caller is told so, not 202.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedWhileDown.StatusCode);
        Assert.Equal("ServiceUnavailable", refusedWhileDown.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        Assert.Equal("survivor", afterRestart.Json["tag"]!.GetValue<string>());
        Assert.Contains($"re-attached to container", hosting.Service.Output, StringComparison.Ordinal);
        Assert.True(healed, hosting.Service.Output);
    }
}

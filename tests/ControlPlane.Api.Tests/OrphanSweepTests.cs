using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// A crashed control plane leaves containers and networks behind; the restarted one removes those labelled with its
/// instance id that nothing owns (among them a network sandbox its pool had ready), keeps what its endpoints still
/// run, and leaves other control planes' alone.
/// </summary>
public sealed class OrphanSweepTests
{
    private const string BaseImage = "127.0.0.1:5000/controlplane/base:bookworm";

    [Fact]
    public async Task After_a_crash_the_restarted_control_plane_removes_its_unowned_containers_and_networks_keeps_its_endpoints_serving_and_leaves_another_instances_alone()
    {
        await DockerHostingFixture.Published.Value;
        await using var hosting = await HostingService.StartAsync(DockerHostingFixture.Image, "--ControlPlane:Containers:Runtime", "docker");
        var endpoint = Requests.Unique("sweep");
        await hosting.DeployAsync(endpoint, new JsonObject { ["tag"] = "kept" });
        var served = Assert.Single(await HostingService.DockerContainersAsync(endpoint));
        var instance = (await File.ReadAllTextAsync(Path.Combine(hosting.Service.DataDirectory, "instance-id"))).Trim();
        var job = Requests.Unique("gone-job");
        var orphanOfAJob = await RunLabelledAsync(instance, "training-jobs", "controlplane.job", job);
        var unrecordedEndpointInstance = await RunLabelledAsync(instance, "endpoints", "controlplane.endpoint", endpoint);
        var orphanNetwork = $"cp-test-{job}";
        await HostingService.DockerAsync(["network", "create", .. Labels(instance, "training-jobs", "controlplane.job", job), orphanNetwork]);
        var otherInstance = await RunLabelledAsync(Guid.NewGuid().ToString("N"), "training-jobs", "controlplane.job", job);
        // A ready network sandbox of the pool: the role label and no owner.
        var staleSandbox = (await HostingService.DockerAsync(
            "run", "-d", "--hostname", "algo-1", "--label", "controlplane.managed=true", "--label", $"controlplane.instance={instance}",
            "--label", "controlplane.role=network-sandbox", BaseImage, "sleep", "infinity")).Trim()[..12];
        try
        {
            // The engine dates containers to the second: be sure they are older than the next process.
            await Task.Delay(1100);
            await hosting.Service.CrashAndRestartAsync();
            await hosting.ConnectGatewayAsync();
            await hosting.Service.WaitForOutputAsync($"Removed orphaned Network {orphanNetwork}", TimeSpan.FromSeconds(60));

            var remaining = await AllContainersAsync();
            Assert.DoesNotContain(orphanOfAJob, remaining);
            Assert.DoesNotContain(unrecordedEndpointInstance, remaining);
            Assert.DoesNotContain(staleSandbox, remaining);
            Assert.Contains(otherInstance, remaining);
            Assert.Contains(served, remaining);
            Assert.Equal("true", (await HostingService.DockerAsync("inspect", "-f", "{{.State.Running}}", served)).Trim());
            Assert.DoesNotContain(orphanNetwork, await HostingService.DockerAsync("network", "ls", "--format", "{{.Name}}"), StringComparison.Ordinal);
            Assert.Equal("InService", (await hosting.WaitForSettledAsync(endpoint))["EndpointStatus"]!.GetValue<string>());
            var invoked = await hosting.InvokeAsync(endpoint, "after the sweep");
            Assert.Equal(HttpStatusCode.OK, invoked.Status);
            Assert.Equal("kept", invoked.Json["tag"]!.GetValue<string>());
            Assert.Equal([served], await HostingService.DockerContainersAsync(endpoint));
        }
        finally
        {
            await HostingService.DockerAsync("rm", "-f", otherInstance);
        }
    }

    private static string[] Labels(string instance, string kind, string ownerLabel, string owner) =>
    [
        "--label", "controlplane.managed=true", "--label", $"controlplane.instance={instance}", "--label", $"controlplane.kind={kind}",
        "--label", "controlplane.account=123456789012", "--label", $"{ownerLabel}={owner}",
    ];

    /// <summary>A sleeping container with a control plane's labels, as one of its workflows would have left it; its short id.</summary>
    private static async Task<string> RunLabelledAsync(string instance, string kind, string ownerLabel, string owner) =>
        (await HostingService.DockerAsync(["run", "-d", .. Labels(instance, kind, ownerLabel, owner), BaseImage, "sleep", "600"])).Trim()[..12];

    private static async Task<string[]> AllContainersAsync() =>
        (await HostingService.DockerAsync("ps", "-aq")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

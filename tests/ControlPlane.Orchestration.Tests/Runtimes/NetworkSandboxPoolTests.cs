using ControlPlane.Orchestration.Runtimes;
using Docker.DotNet.Models;
using ContainerSpec = ControlPlane.Orchestration.Runtimes.ContainerSpec;
using PortBinding = ControlPlane.Orchestration.Runtimes.PortBinding;
using Microsoft.Extensions.Logging.Abstractions;
using static ControlPlane.Orchestration.Tests.Runtimes.RuntimeTestSupport;

namespace ControlPlane.Orchestration.Tests.Runtimes;

/// <summary>
/// A single-instance job's container joins a network sandbox started ahead of time (no bridge set-up at its start),
/// looks to its program as on its own bridge endpoint, and takes the sandbox along when it is removed; anything else,
/// or a start without a ready sandbox, starts the normal way at once. Each test has a runtime of its own with its own
/// instance id, whose containers it removes at the end.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class NetworkSandboxPoolTests(DockerEnvironment docker) : IAsyncLifetime
{
    private readonly string _instanceId = $"cpt-{docker.RunId}-{Guid.NewGuid():N}"[..28];
    private DockerRuntime _runtime = null!;

    public Task InitializeAsync()
    {
        _runtime = NewRuntime();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _runtime.DisposeAsync();
        foreach (var container in await InstanceContainersAsync())
        {
            await docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    [Fact]
    public async Task A_single_instance_container_joins_a_ready_sandbox_keeps_hostname_hosts_and_network_and_takes_the_sandbox_along()
    {
        await using var server = new HostHttpServer();
        var gateway = (await docker.Client.Networks.InspectNetworkAsync("bridge")).IPAM.Config[0].Gateway;
        var sandbox = await FillAsync();

        var spec = HostSpec("joined", "resolve:algo-1", $"fetch-retry:http://{gateway}:{server.Port}/");
        var handle = await StartAsync(_runtime, spec);
        var exitCode = await handle.WaitForExitAsync(TimeoutToken());
        var log = await handle.TailLogAsync(10, TimeoutToken());

        Assert.Equal(0, exitCode);
        Assert.Equal("algo-1", log[0]);
        Assert.StartsWith("resolved algo-1 172.", log[1], StringComparison.Ordinal);
        Assert.Equal("fetch ok host!", log[2]);
        var inspected = await docker.Client.Containers.InspectContainerAsync(handle.Id);
        Assert.Equal($"container:{sandbox}", inspected.HostConfig.NetworkMode);
        Assert.Equal(log[1]["resolved algo-1 ".Length..], (await docker.Client.Containers.InspectContainerAsync(sandbox)).NetworkSettings.Networks["bridge"].IPAddress);

        // The pool makes a new one after the claim.
        var refilled = await WaitForReadySandboxAsync();
        Assert.NotEqual(sandbox, refilled);

        await handle.RemoveAsync(TimeoutToken());
        var left = (await InstanceContainersAsync()).Select(c => c.ID).ToList();
        Assert.DoesNotContain(handle.Id, left);
        Assert.DoesNotContain(sandbox, left);
        Assert.Contains(refilled, left);
    }

    [Fact]
    public async Task Isolated_multi_host_port_publishing_and_other_hosts_containers_start_on_their_own_and_leave_the_sandbox_ready()
    {
        var sandbox = await FillAsync();
        var network = docker.NetworkName($"sbx-{Guid.NewGuid():N}"[..16]);
        await _runtime.CreateNetworkAsync(network, isolated: false, new Dictionary<string, string>(), TimeoutToken());
        try
        {
            var specs = new[]
            {
                (HostSpec("isolated", "resolve:algo-1") with { NetworkIsolation = true }, "none"),
                (HostSpec("cluster", "resolve:algo-1") with { Network = network }, network),
                (HostSpec("ports", "resolve:algo-1") with { Ports = [new PortBinding(8080, 0)] }, "default"),
                (HostSpec("second-host", "resolve:algo-2") with { Hostname = "algo-2" }, "default"),
            };
            foreach (var (spec, networkMode) in specs)
            {
                await using var handle = await StartAsync(_runtime, spec);
                Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
                Assert.Equal(spec.Hostname, (await handle.TailLogAsync(10, TimeoutToken()))[0]);
                Assert.Equal(networkMode, (await docker.Client.Containers.InspectContainerAsync(handle.Id)).HostConfig.NetworkMode);
                await handle.RemoveAsync(TimeoutToken());
            }

            Assert.Equal([sandbox], (await InstanceContainersAsync()).Where(IsSandbox).Select(c => c.ID));
        }
        finally
        {
            await _runtime.RemoveNetworkAsync(network, TimeoutToken());
        }
    }

    [Fact]
    public async Task Without_a_ready_sandbox_a_container_starts_the_normal_way_at_once_and_the_pool_fills_after_it()
    {
        // The pool has not been filled yet: nothing is ready.
        await using var handle = await StartAsync(_runtime, HostSpec("unpooled", "resolve:algo-1"));

        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
        var log = await handle.TailLogAsync(10, TimeoutToken());
        Assert.Equal("algo-1", log[0]);
        Assert.StartsWith("resolved algo-1 172.", log[1], StringComparison.Ordinal);
        Assert.Equal("default", (await docker.Client.Containers.InspectContainerAsync(handle.Id)).HostConfig.NetworkMode);
        await WaitForReadySandboxAsync();
        await handle.RemoveAsync(TimeoutToken());
    }

    [Fact]
    public async Task A_sandbox_that_has_gone_behind_the_pools_back_is_replaced_by_a_normal_start()
    {
        var sandbox = await FillAsync();
        await docker.Client.Containers.RemoveContainerAsync(sandbox, new ContainerRemoveParameters { Force = true });

        await using var handle = await StartAsync(_runtime, HostSpec("fallback", "resolve:algo-1"));

        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
        Assert.StartsWith("resolved algo-1 172.", (await handle.TailLogAsync(10, TimeoutToken()))[1], StringComparison.Ordinal);
        Assert.Equal("default", (await docker.Client.Containers.InspectContainerAsync(handle.Id)).HostConfig.NetworkMode);
        await handle.RemoveAsync(TimeoutToken());
    }

    [Fact]
    public async Task Without_its_image_the_pool_stays_off_and_containers_start_the_normal_way()
    {
        await _runtime.DisposeAsync();
        _runtime = NewRuntime($"controlplane-test/no-such-sandbox-image:{docker.RunId}");
        await RunFittingAsync();

        await using var handle = await StartAsync(_runtime, HostSpec("no-image", "resolve:algo-1"));

        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
        Assert.Equal("default", (await docker.Client.Containers.InspectContainerAsync(handle.Id)).HostConfig.NetworkMode);
        await Task.Delay(500);
        Assert.DoesNotContain(await InstanceContainersAsync(), IsSandbox);
        await handle.RemoveAsync(TimeoutToken());
    }

    [Fact]
    public async Task A_sandboxed_container_found_again_by_its_id_still_takes_its_sandbox_along()
    {
        var sandbox = await FillAsync();
        await using var started = await StartAsync(_runtime, HostSpec("reattached", "sleep:30"));
        await using var restarted = NewRuntime(poolSize: 0);

        var found = await restarted.TryAttachAsync(started.Id, TimeoutToken());

        Assert.NotNull(found);
        await found.RemoveAsync(TimeoutToken());
        var left = (await InstanceContainersAsync()).Select(c => c.ID).ToList();
        Assert.DoesNotContain(started.Id, left);
        Assert.DoesNotContain(sandbox, left);
    }

    /// <summary>The pool's first sandbox, made after a container that fits it started (the normal way); its id.</summary>
    private async Task<string> FillAsync()
    {
        await RunFittingAsync();
        return await WaitForReadySandboxAsync();
    }

    private async Task RunFittingAsync()
    {
        await using var first = await StartAsync(_runtime, HostSpec($"first-{Guid.NewGuid():N}"[..14], "exit:0"));
        await first.WaitForExitAsync(TimeoutToken());
        await first.RemoveAsync(TimeoutToken());
    }

    private static bool IsSandbox(ContainerListResponse container) => container.Labels.TryGetValue("controlplane.role", out var role) && role == "network-sandbox";

    private DockerRuntime NewRuntime(string? image = null, int poolSize = 1)
    {
        var options = new ContainerRuntimeOptions { InstanceId = _instanceId, SandboxPoolSize = poolSize };
        return new DockerRuntime(image is null ? options : options with { SandboxImage = image }, NullLogger<DockerRuntime>.Instance);
    }

    /// <summary>A single-instance job's container that prints its hostname, then runs the echo trainer's steps.</summary>
    private ContainerSpec HostSpec(string name, params string[] steps) => docker.Spec(name, ["sh", .. steps]) with
    {
        Hostname = "algo-1",
        Entrypoint = ["/bin/sh", "-c", "hostname; exec /usr/bin/python3 -u /opt/program/echo_trainer.py \"$@\""],
    };

    private async Task<IList<ContainerListResponse>> InstanceContainersAsync() =>
        await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"controlplane.instance={_instanceId}"] = true } },
        });

    /// <summary>The id of a running sandbox that no container has joined.</summary>
    private async Task<string> WaitForReadySandboxAsync()
    {
        var deadline = DateTime.UtcNow + RuntimeTestSupport.Timeout;
        while (true)
        {
            var containers = await InstanceContainersAsync();
            var joined = new HashSet<string>();
            foreach (var container in containers.Where(c => !IsSandbox(c)))
            {
                if (NetworkSandboxPool.HolderOf((await docker.Client.Containers.InspectContainerAsync(container.ID)).HostConfig.NetworkMode) is { } holder)
                {
                    joined.Add(holder);
                }
            }

            if (containers.FirstOrDefault(c => IsSandbox(c) && c.State == "running" && !joined.Contains(c.ID)) is { } ready)
            {
                // The pool counts it ready once the engine's answer to the start is back, a moment after the engine lists it running.
                await Task.Delay(200);
                return ready.ID;
            }

            Assert.True(DateTime.UtcNow < deadline, "No network sandbox became ready.");
            await Task.Delay(100);
        }
    }
}

using System.Diagnostics;
using ControlPlane.Orchestration.Runtimes;
using static ControlPlane.Orchestration.Tests.Runtimes.RuntimeTestSupport;

namespace ControlPlane.Orchestration.Tests.Runtimes;

[Collection(DockerCollection.Name)]
public sealed class DockerRuntimeTests(DockerEnvironment docker)
{
    private IContainerRuntime Runtime => docker.Runtime;

    [Fact]
    public async Task Pull_fetches_an_image_from_the_local_plain_http_registry()
    {
        var imageId = Ok(await Runtime.PullAsync(docker.PullOnlyImage, TimeoutToken()));

        var image = await docker.Client.Images.InspectImageAsync(docker.PullOnlyImage);
        Assert.Equal(image.ID, imageId);
    }

    [Fact]
    public async Task Pull_of_a_missing_image_is_an_error_value_naming_the_image()
    {
        var missing = $"{DockerEnvironment.Registry}/controlplane-test/does-not-exist:{docker.RunId}";

        var error = Failed(await Runtime.PullAsync(missing, TimeoutToken()));

        Assert.StartsWith($"Cannot pull image {missing}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pull_uses_the_image_on_the_engine_when_its_registry_cannot_serve_it()
    {
        // deploy/setup.sh builds this image locally; its registry (Docker Hub) is unreachable here or does not have it.
        var imageId = Ok(await Runtime.PullAsync("controlplane/base:bookworm", TimeoutToken()));

        Assert.Equal((await docker.Client.Images.InspectImageAsync("controlplane/base:bookworm")).ID, imageId);
    }

    [Fact]
    public async Task A_container_reports_its_exit_code_and_its_stdout_and_stderr_lines()
    {
        await using var handle = await StartAsync(Runtime, docker.Spec("exit", "print:hello", "stderr:oops", "sleep:0.2", "print:last", "exit:3"));

        Assert.Equal(3, await handle.WaitForExitAsync(TimeoutToken()));
        var followed = new List<string>();
        await foreach (var line in handle.FollowLogAsync(TimeoutToken()))
        {
            followed.Add(line);
        }

        // stdout and stderr are separate pipes: lines written at the same moment may swap, hence the sleep before "last".
        Assert.Equal(["hello", "oops"], followed.Take(2).Order());
        Assert.Equal("last", followed[2]);
        Assert.Equal(["last"], await handle.TailLogAsync(1, TimeoutToken()));
        Assert.Equal(followed, await handle.TailLogAsync(10, TimeoutToken()));
    }

    [Fact]
    public async Task Environment_and_arguments_reach_the_program_and_an_entrypoint_replaces_the_images()
    {
        var spec = docker.Spec("env", "env:GREETING", "args") with { Environment = new Dictionary<string, string> { ["GREETING"] = "hi there" } };
        var (exitCode, log) = await RunAsync(Runtime, spec);
        Assert.Equal(0, exitCode);
        Assert.Equal(["GREETING=hi there", "args: env:GREETING args"], log);

        var withEntrypoint = docker.Spec("entrypoint", "print:from-arguments") with
        {
            Entrypoint = ["/usr/bin/python3", "/opt/program/echo_trainer.py", "print:from-entrypoint"],
        };
        (exitCode, log) = await RunAsync(Runtime, withEntrypoint);
        Assert.Equal(0, exitCode);
        Assert.Equal(["from-entrypoint", "from-arguments"], log);
    }

    [Fact]
    public async Task Mounts_are_writable_or_read_only_as_the_spec_says()
    {
        var input = NewDirectory(docker.RunId);
        var model = NewDirectory(docker.RunId);
        await File.WriteAllTextAsync(Path.Join(input, "input.txt"), "input data");
        var spec = docker.Spec("mounts", "read:/opt/ml/input/data/train/input.txt", "write:/opt/ml/model/model.txt:trained", "try-write:/opt/ml/input/data/train/x") with
        {
            Mounts = [new VolumeMount(input, "/opt/ml/input/data/train", ReadOnly: true), new VolumeMount(model, "/opt/ml/model", ReadOnly: false)],
        };

        var (exitCode, log) = await RunAsync(Runtime, spec);

        Assert.Equal(0, exitCode);
        Assert.Equal(["input data", "wrote /opt/ml/model/model.txt", "write refused: Read-only file system"], log);
        Assert.Equal("trained", await File.ReadAllTextAsync(Path.Join(model, "model.txt")));
        Assert.False(File.Exists(Path.Join(input, "x")));
    }

    [Fact]
    public async Task A_published_port_is_reachable_on_loopback_at_the_port_the_handle_reports()
    {
        var spec = docker.Spec("port", "serve") with { Ports = [new PortBinding(8080, 0)], Hostname = "web-1" };
        await using var handle = await StartAsync(Runtime, spec);

        var port = Assert.Single(handle.Ports);
        Assert.Equal(8080, port.ContainerPort);
        Assert.NotEqual(0, port.HostPort);
        Assert.Equal("hello from web-1\n", await GetWithRetryAsync($"http://127.0.0.1:{port.HostPort}/ping"));
        var inspected = await docker.Client.Containers.InspectContainerAsync(handle.Id);
        Assert.All(inspected.HostConfig.PortBindings["8080/tcp"], binding => Assert.Equal("127.0.0.1", binding.HostIP));

        // A zero grace period kills at once (the server, as PID 1 without a handler, would ignore SIGTERM).
        var clock = Stopwatch.StartNew();
        await handle.StopAsync(TimeSpan.Zero, TimeoutToken());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
        Assert.Equal(137, await handle.WaitForExitAsync(TimeoutToken()));
    }

    [Fact]
    public async Task Network_isolation_leaves_the_container_without_a_route_to_the_host_but_with_loopback_and_its_hostname()
    {
        await using var server = new HostHttpServer();
        var bridge = await docker.Client.Networks.InspectNetworkAsync("bridge");
        var url = $"http://{bridge.IPAM.Config[0].Gateway}:{server.Port}/";

        var open = RunAsync(Runtime, docker.Spec("reach-host", $"fetch-retry:{url}"));
        var isolated = docker.Spec("isolated", $"fetch:{url}", "loopback", "resolve:algo-1") with { NetworkIsolation = true, Hostname = "algo-1" };
        var (isolatedExit, isolatedLog) = await RunAsync(Runtime, isolated);
        var (openExit, openLog) = await open;

        // The same request from a container with the default network proves the host does answer.
        Assert.Equal(0, openExit);
        Assert.Equal(["fetch ok host!"], openLog);
        Assert.Equal(0, isolatedExit);
        Assert.Equal(3, isolatedLog.Count);
        Assert.StartsWith("fetch failed", isolatedLog[0], StringComparison.Ordinal);
        // Programs that talk to themselves over localhost or look their own host name up still can.
        Assert.Equal(["loopback ok", "resolved algo-1 127.0.0.1"], isolatedLog.Skip(1));
        var inspected = await docker.Client.Containers.InspectContainerAsync(isolated.Name);
        Assert.Equal("none", inspected.HostConfig.NetworkMode);
    }

    [Fact]
    public async Task Containers_on_a_shared_network_reach_each_other_by_hostname()
    {
        var network = docker.NetworkName("cluster");
        await Runtime.CreateNetworkAsync(network, isolated: false, new Dictionary<string, string>(), TimeoutToken());
        await Runtime.CreateNetworkAsync(network, isolated: false, new Dictionary<string, string>(), TimeoutToken());
        await using var server = await StartAsync(Runtime, docker.Spec("algo-1", "serve") with { Network = network, Hostname = "algo-1" });

        var (exitCode, log) = await RunAsync(Runtime, docker.Spec("algo-2", "fetch-retry:http://algo-1:8080/") with { Network = network, Hostname = "algo-2" });

        Assert.Equal(0, exitCode);
        Assert.Equal(["fetch ok hello from algo-1"], log);
        await server.RemoveAsync(TimeoutToken());
        await Runtime.RemoveNetworkAsync(network, TimeoutToken());
        await Runtime.RemoveNetworkAsync(network, TimeoutToken());
    }

    [Fact]
    public async Task Isolated_containers_may_join_only_an_isolated_network_where_they_still_reach_each_other()
    {
        var open = docker.NetworkName("open");
        var isolated = docker.NetworkName("isolated");
        await Runtime.CreateNetworkAsync(open, isolated: false, new Dictionary<string, string>(), TimeoutToken());
        await Runtime.CreateNetworkAsync(isolated, isolated: true, new Dictionary<string, string>(), TimeoutToken());

        var refused = Failed(await Runtime.StartAsync(docker.Spec("on-open", "exit:0") with { Network = open, NetworkIsolation = true }, TimeoutToken()));
        Assert.Contains("may only join an isolated network", refused.Message, StringComparison.Ordinal);

        await using var server = await StartAsync(Runtime, docker.Spec("iso-1", "serve") with { Network = isolated, Hostname = "algo-1", NetworkIsolation = true });
        var (exitCode, log) = await RunAsync(Runtime, docker.Spec("iso-2", "fetch-retry:http://algo-1:8080/") with { Network = isolated, Hostname = "algo-2", NetworkIsolation = true });
        Assert.Equal(0, exitCode);
        Assert.Equal(["fetch ok hello from algo-1"], log);
        Assert.True((await docker.Client.Networks.InspectNetworkAsync(isolated)).Internal);
        await server.StopAsync(TimeSpan.Zero, TimeoutToken());
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_and_a_program_that_handles_it_exits_within_the_grace_period()
    {
        await using var handle = await StartAsync(Runtime, docker.Spec("sigterm", "trap", "print:ready", "sleep:60"));
        await WaitForLogAsync(handle, line => line == "ready");

        var clock = Stopwatch.StartNew();
        await handle.StopAsync(TimeSpan.FromSeconds(10), TimeoutToken());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"stop took {clock.Elapsed}");
        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
        Assert.Equal(["ready", "got SIGTERM"], await handle.TailLogAsync(5, TimeoutToken()));
    }

    [Fact]
    public async Task Stop_kills_a_program_that_ignores_SIGTERM_after_the_grace_period()
    {
        await using var handle = await StartAsync(Runtime, docker.Spec("stubborn", "ignore-term", "print:ready", "sleep:60"));
        await WaitForLogAsync(handle, line => line == "ready");

        var clock = Stopwatch.StartNew();
        await handle.StopAsync(TimeSpan.FromSeconds(1), TimeoutToken());

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(137, await handle.WaitForExitAsync(TimeoutToken()));
    }

    [Fact]
    public async Task A_dropped_handle_is_found_again_by_its_id_running_or_exited()
    {
        var spec = docker.Spec("reattach", "trap", "print:started", "sleep:60") with { Ports = [new PortBinding(8080, 0)] };
        string id;
        IReadOnlyList<PortBinding> ports;
        await using (var handle = await StartAsync(Runtime, spec))
        {
            id = handle.Id;
            ports = handle.Ports;
            await WaitForLogAsync(handle, line => line == "started");
        }

        await using var attached = await Runtime.TryAttachAsync(id, TimeoutToken());
        Assert.NotNull(attached);
        Assert.Equal(id, attached.Id);
        Assert.Equal(ports, attached.Ports);
        Assert.Equal(["started"], await attached.TailLogAsync(10, TimeoutToken()));
        await attached.StopAsync(TimeSpan.FromSeconds(10), TimeoutToken());

        await using var exited = await Runtime.TryAttachAsync(id, TimeoutToken());
        Assert.NotNull(exited);
        Assert.Equal(0, await exited.WaitForExitAsync(TimeoutToken()));
        await exited.RemoveAsync(TimeoutToken());
        await exited.RemoveAsync(TimeoutToken());

        Assert.Null(await Runtime.TryAttachAsync(id, TimeoutToken()));
        Assert.Null(await Runtime.TryAttachAsync("no-such-container", TimeoutToken()));
    }

    [Fact]
    public async Task Limits_from_the_spec_are_applied_and_the_container_is_never_privileged()
    {
        var limits = new ResourceLimits(0.5, 128L * 1024 * 1024);
        await using var handle = await StartAsync(Runtime, docker.Spec("limits", "exit:0") with { Limits = limits });

        var inspected = await docker.Client.Containers.InspectContainerAsync(handle.Id);

        Assert.Equal(500_000_000, inspected.HostConfig.NanoCPUs);
        Assert.Equal(128L * 1024 * 1024, inspected.HostConfig.Memory);
        Assert.False(inspected.HostConfig.Privileged);
        Assert.Equal("true", inspected.Config.Labels[DockerRuntime.ManagedLabel]);
        Assert.Equal("limits", inspected.Config.Labels["controlplane.job"]);
        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
    }

    [Fact]
    public async Task Limits_above_what_the_engine_has_are_capped_instead_of_refused()
    {
        await using var handle = await StartAsync(Runtime, docker.Spec("big", "exit:0") with { Limits = new ResourceLimits(4096, long.MaxValue / 2) });

        var inspected = await docker.Client.Containers.InspectContainerAsync(handle.Id);
        var info = await docker.Client.System.GetSystemInfoAsync();

        Assert.Equal(info.NCPU * 1_000_000_000, inspected.HostConfig.NanoCPUs);
        Assert.Equal(info.MemTotal, inspected.HostConfig.Memory);
    }

    [Theory]
    [InlineData("/var/run/docker.sock")]
    [InlineData("/run/docker.sock")]
    [InlineData("/var/run")]
    [InlineData("/run/")]
    [InlineData("/")]
    public async Task A_spec_that_would_expose_the_Docker_socket_is_refused(string hostPath)
    {
        var spec = docker.Spec("socket", "exit:0") with { Mounts = [new VolumeMount(hostPath, "/var/run/docker.sock", ReadOnly: true)] };

        var error = Failed(await Runtime.StartAsync(spec, TimeoutToken()));

        Assert.Contains("would expose the Docker socket", error.Message, StringComparison.Ordinal);
        Assert.Null(await Runtime.TryAttachAsync(spec.Name, TimeoutToken()));
    }

    [Fact]
    public async Task An_image_pulled_recently_that_has_gone_from_the_engine_is_pulled_again_when_a_container_starts()
    {
        var image = docker.PullOnlyImage;
        Ok(await Runtime.PullAsync(image, TimeoutToken()));
        await docker.Client.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters { NoPrune = true }, TimeoutToken());

        // Within the refresh interval the runtime asks nobody, so the start is what finds the image gone.
        Ok(await Runtime.PullAsync(image, TimeoutToken()));
        var (exitCode, log) = await RunAsync(Runtime, docker.Spec("refresh", "print:ran") with { Image = image });

        Assert.Equal(0, exitCode);
        Assert.Equal(["ran"], log);
    }

    [Fact]
    public async Task Starting_an_image_that_is_not_on_the_engine_is_an_error_value()
    {
        var error = Failed(await Runtime.StartAsync(docker.Spec("no-image", "exit:0") with { Image = $"{DockerEnvironment.Registry}/controlplane-test/absent:{docker.RunId}" }, TimeoutToken()));

        Assert.Contains("must be pulled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_is_created_at_once_but_started_only_once_its_files_are_ready()
    {
        var spec = docker.Spec("ready-later", "read:/opt/ml/ready.txt");
        Directory.CreateDirectory(Path.Join(spec.WorkDirectory, "ml"));
        spec = spec with { Mounts = [new VolumeMount(Path.Join(spec.WorkDirectory, "ml"), "/opt/ml", ReadOnly: true)] };
        var ready = new TaskCompletionSource<ControlPlane.Core.Errors.ApiError?>();

        var starting = Runtime.StartAsync(spec, ready.Task, TimeoutToken());
        var created = await WaitForContainerAsync(spec.Name);
        Assert.Equal("created", created.State.Status);
        await File.WriteAllTextAsync(Path.Join(spec.WorkDirectory, "ml", "ready.txt"), "written while it was created");
        ready.SetResult(null);
        await using var handle = Ok(await starting);

        Assert.Equal(0, await handle.WaitForExitAsync(TimeoutToken()));
        Assert.Equal(["written while it was created"], await handle.TailLogAsync(10, TimeoutToken()));
    }

    [Fact]
    public async Task A_container_whose_files_could_not_be_made_ready_is_removed_and_the_reason_returned()
    {
        var spec = docker.Spec("never-ready", "exit:0");
        var ready = new TaskCompletionSource<ControlPlane.Core.Errors.ApiError?>();

        var starting = Runtime.StartAsync(spec, ready.Task, TimeoutToken());
        await WaitForContainerAsync(spec.Name);
        ready.SetResult(ControlPlane.Core.Errors.ApiError.Validation("ClientError: Channel train: nothing there"));
        var error = Failed(await starting);

        Assert.Equal("ClientError: Channel train: nothing there", error.Message);
        Assert.Null(await Runtime.TryAttachAsync(spec.Name, TimeoutToken()));
    }

    private async Task<Docker.DotNet.Models.ContainerInspectResponse> WaitForContainerAsync(string name)
    {
        var deadline = DateTime.UtcNow + RuntimeTestSupport.Timeout;
        while (true)
        {
            try
            {
                return await docker.Client.Containers.InspectContainerAsync(name);
            }
            catch (Docker.DotNet.DockerContainerNotFoundException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

using System.Diagnostics;
using ControlPlane.Orchestration.Runtimes;
using static ControlPlane.Orchestration.Tests.Runtimes.RuntimeTestSupport;

namespace ControlPlane.Orchestration.Tests.Runtimes;

public sealed class ProcessRuntimeTests : IDisposable
{
    private const string Image = "127.0.0.1:5000/controlplane-test/echo-trainer:test";

    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    private readonly IContainerRuntime _runtime = NewProcessRuntime(new Dictionary<string, IReadOnlyList<string>>
    {
        // Mapped without its tag: every tag of the repository runs the same script.
        ["127.0.0.1:5000/controlplane-test/echo-trainer"] = ["python3", "-u", EchoTrainerScript],
    });

    public void Dispose()
    {
        var temp = Path.Join(Path.GetTempPath(), $"cpt-{_runId}");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task A_process_reports_its_exit_code_and_its_output_lines()
    {
        var (exitCode, log) = await RunAsync(_runtime, Spec("exit", "train", "print:hello", "stderr:oops", "exit:3"));

        Assert.Equal(3, exitCode);
        Assert.Equal(["mode train", "hello", "oops"], log);
    }

    [Fact]
    public async Task Environment_arguments_and_the_ml_root_reach_the_program()
    {
        var spec = Spec("env", "env:GREETING", "env:CONTROLPLANE_ML_ROOT", "args") with { Environment = new Dictionary<string, string> { ["GREETING"] = "hi there" } };

        var (exitCode, log) = await RunAsync(_runtime, spec);

        Assert.Equal(0, exitCode);
        Assert.Equal(["GREETING=hi there", $"CONTROLPLANE_ML_ROOT={Path.Join(spec.WorkDirectory, "opt", "ml")}", "args: env:GREETING env:CONTROLPLANE_ML_ROOT args"], log);
    }

    [Fact]
    public async Task An_entrypoint_replaces_the_configured_command()
    {
        var spec = Spec("entrypoint", "print:from-arguments") with { Entrypoint = ["python3", EchoTrainerScript, "print:from-entrypoint"] };

        var (exitCode, log) = await RunAsync(_runtime, spec);

        Assert.Equal(0, exitCode);
        Assert.Equal(["from-entrypoint", "from-arguments"], log);
    }

    [Fact]
    public async Task Mounts_under_opt_ml_appear_in_the_work_directorys_ml_tree()
    {
        var input = NewDirectory(_runId);
        await File.WriteAllTextAsync(Path.Join(input, "input.txt"), "input data");
        var spec = Spec("mounts", "read:/opt/ml/input/data/train/input.txt", "write:/opt/ml/model/model.txt:trained") with
        {
            Mounts = [new VolumeMount(input, "/opt/ml/input/data/train", ReadOnly: true)],
        };
        Directory.CreateDirectory(Path.Join(spec.WorkDirectory, "opt", "ml", "model"));

        var (exitCode, log) = await RunAsync(_runtime, spec);

        Assert.Equal(0, exitCode);
        Assert.Equal(["input data", "wrote /opt/ml/model/model.txt"], log);
        Assert.Equal("trained", await File.ReadAllTextAsync(Path.Join(spec.WorkDirectory, "opt", "ml", "model", "model.txt")));
    }

    [Fact]
    public async Task A_mount_outside_opt_ml_is_an_error_value()
    {
        var spec = Spec("outside", "exit:0") with { Mounts = [new VolumeMount(NewDirectory(_runId), "/data", ReadOnly: false)] };

        var error = Failed(await _runtime.StartAsync(spec, TimeoutToken()));

        Assert.Contains("outside /opt/ml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_a_configured_command_is_not_available()
    {
        const string other = "127.0.0.1:5000/somebody-else:1";

        var pull = Failed(await _runtime.PullAsync(other, TimeoutToken()));
        var start = Failed(await _runtime.StartAsync(Spec("unmapped", "exit:0") with { Image = other }, TimeoutToken()));

        Assert.StartsWith($"Image {other} is not available on the Process runtime", pull.Message, StringComparison.Ordinal);
        Assert.Equal(pull.Message, start.Message);
        Assert.Equal($"python3 -u {EchoTrainerScript}", Ok(await _runtime.PullAsync(Image, TimeoutToken())));
    }

    [Fact]
    public async Task A_published_port_is_passed_to_the_program_and_reachable_on_loopback()
    {
        await using var handle = await StartAsync(_runtime, Spec("port", "serve") with { Ports = [new PortBinding(8080, 0)] });

        var port = Assert.Single(handle.Ports);
        Assert.NotEqual(0, port.HostPort);
        Assert.StartsWith("hello from ", await GetWithRetryAsync($"http://127.0.0.1:{port.HostPort}/ping"), StringComparison.Ordinal);
        await handle.StopAsync(TimeSpan.Zero, TimeoutToken());
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_and_a_program_that_handles_it_exits_within_the_grace_period()
    {
        await using var handle = await StartAsync(_runtime, Spec("sigterm", "trap", "print:ready", "sleep:60"));
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
        await using var handle = await StartAsync(_runtime, Spec("stubborn", "ignore-term", "print:ready", "sleep:60"));
        await WaitForLogAsync(handle, line => line == "ready");

        var clock = Stopwatch.StartNew();
        await handle.StopAsync(TimeSpan.FromSeconds(1), TimeoutToken());

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(137, await handle.WaitForExitAsync(TimeoutToken()));
    }

    [Fact]
    public async Task A_dropped_handle_is_found_again_by_its_id_running_or_exited()
    {
        var spec = Spec("reattach", "trap", "print:started", "sleep:60") with { Ports = [new PortBinding(8080, 0)] };
        string id;
        IReadOnlyList<PortBinding> ports;
        await using (var handle = await StartAsync(_runtime, spec))
        {
            id = handle.Id;
            ports = handle.Ports;
            await WaitForLogAsync(handle, line => line == "started");
        }

        // A new runtime, as after a control-plane restart.
        var restarted = NewProcessRuntime(new Dictionary<string, IReadOnlyList<string>>());
        await using var attached = await restarted.TryAttachAsync(id, TimeoutToken());
        Assert.NotNull(attached);
        Assert.Equal(id, attached.Id);
        Assert.Equal(ports, attached.Ports);
        Assert.Equal(["started"], await attached.TailLogAsync(10, TimeoutToken()));
        await attached.StopAsync(TimeSpan.FromSeconds(10), TimeoutToken());
        Assert.Equal(0, await attached.WaitForExitAsync(TimeoutToken()));

        await using var exited = await restarted.TryAttachAsync(id, TimeoutToken());
        Assert.NotNull(exited);
        Assert.Equal(0, await exited.WaitForExitAsync(TimeoutToken()));
        Assert.Equal(["started", "got SIGTERM"], await exited.TailLogAsync(10, TimeoutToken()));
        await exited.RemoveAsync(TimeoutToken());

        Assert.Null(await restarted.TryAttachAsync(id, TimeoutToken()));
        var parts = id.Split(':', 3);
        Assert.Null(await restarted.TryAttachAsync($"{parts[0]}:{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 1}:{parts[2]}", TimeoutToken()));
        Assert.Null(await restarted.TryAttachAsync("not-an-id", TimeoutToken()));
    }

    [Fact]
    public async Task A_program_that_cannot_be_found_fails_with_exit_code_127_and_says_why()
    {
        var (exitCode, log) = await RunAsync(_runtime, Spec("missing", "x") with { Entrypoint = ["/nonexistent/program"] });

        Assert.Equal(127, exitCode);
        Assert.Contains(log, line => line.Contains("/nonexistent/program", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_spec_mounting_the_Docker_socket_is_refused_here_too()
    {
        var spec = Spec("socket", "exit:0") with { Mounts = [new VolumeMount("/var/run/docker.sock", "/opt/ml/docker.sock", ReadOnly: true)] };

        var error = Failed(await _runtime.StartAsync(spec, TimeoutToken()));

        Assert.Contains("would expose the Docker socket", error.Message, StringComparison.Ordinal);
    }

    private ContainerSpec Spec(string name, params string[] arguments) => RuntimeTestSupport.Spec(_runId, name, Image, arguments);
}

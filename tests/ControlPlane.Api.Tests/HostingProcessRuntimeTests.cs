using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>Endpoints on the Process runtime: the scripted server runs as local processes, served through the gateway the same way.</summary>
public sealed class HostingProcessRuntimeTests : IAsyncLifetime
{
    private const string Image = "local/scripted-server:1";
    private HostingService _hosting = null!;

    public async Task InitializeAsync() => _hosting = await HostingService.StartAsync(
        Image,
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 -u {Path.Combine(HostingService.ServerDirectory, "scripted_server.py")}");

    public async Task DisposeAsync() => await _hosting.DisposeAsync();

    [Fact]
    public async Task An_endpoint_on_the_Process_runtime_serves_through_the_gateway_and_its_processes_end_on_delete()
    {
        var name = Requests.Unique("process");
        var described = await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "local" }, instances: 2);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _hosting.InvokeAsync(name, "x")));
        var failure = await _hosting.InvokeAsync(name, "!status 500");
        var routes = JsonNode.Parse(await _hosting.Service.Http.GetStringAsync("/internal/routes"))!;
        var instances = routes["endpoints"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!["variants"]![0]!["instances"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();

        await Expect.OkAsync(_hosting.Wire.InvokeAsync("DeleteEndpoint", Requests.Named("EndpointName", name)));
        var stopped = false;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15); !stopped && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            stopped = instances.All(address => !Accepts(address));
        }

        await Task.Delay(1000);
        var afterDelete = await _hosting.InvokeAsync(name, "x");

        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        Assert.Equal(2, described["ProductionVariants"]![0]!["CurrentInstanceCount"]!.GetValue<int>());
        Assert.All(results, r => Assert.Equal(("local", "x"), (r.Json["tag"]!.GetValue<string>(), r.Json["body"]!.GetValue<string>())));
        Assert.Equal(500, failure.Json["OriginalStatusCode"]!.GetValue<int>());
        Assert.Equal(2, instances.Count);
        Assert.True(stopped, "The instances' processes still accept connections after DeleteEndpoint.");
        Assert.Equal("ValidationError", afterDelete.ErrorCode);
    }

    [Fact]
    public async Task InvokeEndpointWithResponseStream_delivers_each_flushed_part_as_an_event_and_ends_broken_or_silent_streams_with_ModelStreamError()
    {
        var name = Requests.Unique("stream");
        await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "streaming" });

        await WireScripts.RunAsync(_hosting.Service, _hosting.Gateway.BaseAddress!, "boto3_runtime_stream.py", name);
    }

    [Fact]
    public async Task InvokeEndpointAsync_queues_the_input_object_and_a_worker_writes_the_models_answer_or_its_failure_to_S3()
    {
        var name = Requests.Unique("async");
        var plain = Requests.Unique("sync");
        var asyncInference = new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/async-out", ["S3FailurePath"] = "s3://bucket/async-failures" },
        };
        var deployed = await Task.WhenAll(
            _hosting.DeployAsync(name, new JsonObject { ["tag"] = "async" }, asyncInference: asyncInference),
            _hosting.DeployAsync(plain, new JsonObject { ["tag"] = "sync" }));

        await WireScripts.RunAsync(_hosting.Service, _hosting.Gateway.BaseAddress!, "boto3_runtime_async.py", name, plain, _hosting.Service.DataDirectory);

        Assert.Equal("s3://bucket/async-out", deployed[0]["AsyncInferenceConfig"]!["OutputConfig"]!["S3OutputPath"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_update_to_a_configuration_without_AsyncInferenceConfig_ends_asynchronous_inference_on_the_endpoint()
    {
        var name = Requests.Unique("unasync");
        var plainConfig = name + "-plain";
        await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "before" }, asyncInference: new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/unasync" },
        });
        var before = await InvokeAsynchronouslyAsync(name);
        await _hosting.CreateConfigAsync(plainConfig, new VariantSpec("AllTraffic", name));

        await Expect.OkAsync(_hosting.Wire.InvokeAsync("UpdateEndpoint", new JsonObject { ["EndpointName"] = name, ["EndpointConfigName"] = plainConfig }));
        var updated = await _hosting.WaitForSettledAsync(name);
        var after = await InvokeAsynchronouslyAsync(name);

        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        Assert.Equal(("InService", plainConfig), (updated["EndpointStatus"]!.GetValue<string>(), updated["EndpointConfigName"]!.GetValue<string>()));
        Assert.False(updated.ContainsKey("AsyncInferenceConfig"), updated.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
        Assert.Contains("is not configured for asynchronous inference", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> InvokeAsynchronouslyAsync(string endpoint)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/async-invocations");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-InputLocation", "s3://bucket/unasync-in/row.csv");
        var response = await _hosting.Gateway.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task The_aws_CLI_invokes_through_the_gateway_synchronously_and_asynchronously()
    {
        var name = Requests.Unique("cli");
        await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "cli" }, asyncInference: new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/cli-async" },
        });

        await WireScripts.RunAsync(_hosting.Service, _hosting.Gateway.BaseAddress!, "aws_cli_runtime.py", name, _hosting.Service.DataDirectory);
    }

    [Fact]
    public async Task An_asynchronous_inference_cut_off_by_a_crash_of_the_control_plane_is_answered_after_its_restart()
    {
        var name = Requests.Unique("crash");
        await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "crash" }, asyncInference: new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/crash-out" },
        });
        var input = Path.Combine(_hosting.Service.DataDirectory, "s3", "bucket", "crash-in", "slow.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        await File.WriteAllTextAsync(input, "!sleep 3");
        var pending = Path.Combine(_hosting.Service.DataDirectory, "async-invocations");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{name}/async-invocations");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-InputLocation", "s3://bucket/crash-in/slow.csv");
        using var accepted = await _hosting.Gateway.SendAsync(request);
        var output = accepted.Headers.GetValues("X-Amzn-SageMaker-OutputLocation").Single();
        var outputFile = Path.Combine(_hosting.Service.DataDirectory, "s3", output["s3://".Length..]);
        await Task.Delay(1500); // the worker has sent it; the model sleeps 3 s before it answers
        var pendingBeforeCrash = Directory.GetFiles(pending).Length;
        await _hosting.Service.CrashAndRestartAsync();
        var answered = false;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40); !answered && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            answered = File.Exists(outputFile);
        }

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(1, pendingBeforeCrash);
        Assert.False(File.Exists(outputFile[..^".out".Length] + "-error.out"), "The invocation failed instead.");
        Assert.True(answered, $"No answer at {output} after the restart:\n{_hosting.Service.Output}");
        Assert.Contains("\"body\": \"!sleep 3\"", await File.ReadAllTextAsync(outputFile), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(pending));
    }

    [Fact]
    public async Task The_JavaScript_SDK_v3_runtime_client_invokes_and_streams_through_the_gateway_and_sees_typed_errors()
    {
        var name = Requests.Unique("js");
        await _hosting.DeployAsync(name, new JsonObject { ["tag"] = "js" }, asyncInference: new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/js-async" },
        });

        await NodeScripts.RunAsync(_hosting.Service, _hosting.Gateway.BaseAddress!, "runtime-v3.mjs", name);
    }

    private static bool Accepts(string address)
    {
        using var client = new TcpClient();
        try
        {
            var parts = address.Split(':');
            client.Connect(IPAddress.Parse(parts[0]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

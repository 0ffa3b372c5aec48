using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>One control plane with its gateway on Docker for the hosting tests of a class; each test deploys its own endpoints.</summary>
public sealed class DockerHostingFixture : IAsyncLifetime
{
    public const string Image = "127.0.0.1:5000/controlplane-tests/scripted-server:1";

    /// <summary>Built and pushed once per test run: every class that needs it shares the one tag.</summary>
    public static readonly Lazy<Task> Published = new(() => TestImages.BuildAndPushAsync(HostingService.ServerDirectory, Image));

    public HostingService Hosting { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Published.Value;
        Hosting = await HostingService.StartAsync(Image, "--ControlPlane:Containers:Runtime", "docker");
    }

    public async Task DisposeAsync()
    {
        if (Hosting is not null)
        {
            await Hosting.DisposeAsync();
        }
    }
}

/// <summary>
/// Endpoints run bring-your-own model containers on Docker (deploy/test-images/scripted-server) and InvokeEndpoint
/// reaches them through the inference gateway (contract 3.5, 4, 5.2): status transitions and failure reasons, routing
/// by weight and Target-Variant, healing, blue/green updates under traffic, live scaling and deletion.
/// </summary>
public sealed class HostingDockerTests(DockerHostingFixture fixture) : IClassFixture<DockerHostingFixture>
{
    private HostingService Hosting => fixture.Hosting;

    [Fact]
    public async Task An_endpoint_goes_InService_and_answers_boto3_and_plain_HTTP_through_the_gateway()
    {
        var name = Requests.Unique("basic");
        var described = await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "basic" });

        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        var variant = described["ProductionVariants"]![0]!;
        Assert.Equal("AllTraffic", variant["VariantName"]!.GetValue<string>());
        Assert.Equal(1, variant["CurrentInstanceCount"]!.GetValue<int>());
        Assert.Equal(1, variant["DesiredInstanceCount"]!.GetValue<int>());
        Assert.Equal(1.0, variant["CurrentWeight"]!.GetValue<double>());
        Assert.Equal(1.0, variant["DesiredWeight"]!.GetValue<double>());
        Assert.Equal(DockerHostingFixture.Image, variant["DeployedImages"]![0]!["SpecifiedImage"]!.GetValue<string>());

        await WireScripts.RunAsync(Hosting.Service, Hosting.Gateway.BaseAddress!, "boto3_runtime.py", name);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{name}/invocations") { Content = new StringContent("{\"x\": 1}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Custom-Attributes", "c=1");
        request.Headers.TryAddWithoutValidation("X-Not-For-The-Model", "secret");
        using var response = await Hosting.Gateway.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"x\": 1}", answer["body"]!.GetValue<string>());
        Assert.Equal("basic", answer["tag"]!.GetValue<string>());
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal("seen=c=1", response.Headers.GetValues("X-Amzn-SageMaker-Custom-Attributes").Single());
        Assert.Equal("AllTraffic", response.Headers.GetValues("x-Amzn-Invoked-Production-Variant").Single());
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        Assert.False(response.Headers.Contains("X-Not-Forwarded"), "The container's other headers are not returned.");
        Assert.DoesNotContain("x-not-for-the-model", answer["headers"]!.AsArray().Select(h => h!.GetValue<string>()));
    }

    [Fact]
    public async Task InvokeEndpointWithResponseStream_streams_a_container_answer_to_boto3_part_by_part()
    {
        var name = Requests.Unique("stream");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "stream" });

        await WireScripts.RunAsync(Hosting.Service, Hosting.Gateway.BaseAddress!, "boto3_runtime_stream.py", name);
    }

    [Fact]
    public async Task InvokeEndpointAsync_has_a_worker_send_the_input_object_to_a_container_and_write_its_answer()
    {
        var name = Requests.Unique("async");
        var plain = Requests.Unique("sync");
        await Task.WhenAll(
            Hosting.DeployAsync(name, new JsonObject { ["tag"] = "async" }, asyncInference: new JsonObject
            {
                ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/async-out", ["S3FailurePath"] = "s3://bucket/async-failures" },
            }),
            Hosting.DeployAsync(plain, new JsonObject { ["tag"] = "sync" }));

        await WireScripts.RunAsync(Hosting.Service, Hosting.Gateway.BaseAddress!, "boto3_runtime_async.py", name, plain, Hosting.Service.DataDirectory);
    }

    [Fact]
    public async Task Model_errors_are_ModelError_424_and_bad_calls_are_ValidationErrors()
    {
        var name = Requests.Unique("errors");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "errors" });

        var status400 = await Hosting.InvokeAsync(name, "!status 400");
        var status500 = await Hosting.InvokeAsync(name, "!status 500");
        var hang = await Hosting.InvokeAsync(name, "!sleep 30");
        var unknown = await Hosting.InvokeAsync("never-created", "x");
        var variant = await Hosting.InvokeAsync(name, "x", variant: "NoSuchVariant");
        using var large = await Hosting.Gateway.PostAsync($"/endpoints/{name}/invocations", new ByteArrayContent(new byte[(6 * 1024 * 1024) + 1]));

        Assert.Equal(HttpStatusCode.FailedDependency, status500.Status);
        Assert.Equal("ModelError", status500.ErrorCode);
        Assert.Equal(500, status500.Json["OriginalStatusCode"]!.GetValue<int>());
        Assert.Equal("model says 500", status500.Json["OriginalMessage"]!.GetValue<string>());
        Assert.StartsWith("Received server error (500) from primary with message \"model says 500\".", status500.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(400, status400.Json["OriginalStatusCode"]!.GetValue<int>());
        Assert.StartsWith("Received client error (400)", status400.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.FailedDependency, hang.Status);
        Assert.Equal("ModelError", hang.ErrorCode);
        Assert.Contains("timed out", hang.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("ValidationError", unknown.ErrorCode);
        Assert.Equal("Endpoint never-created of account 123456789012 not found.", unknown.Json["message"]!.GetValue<string>());
        Assert.Equal("ValidationError", variant.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, large.StatusCode);
        Assert.Equal("ValidationError", large.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(HttpStatusCode.OK, (await Hosting.InvokeAsync(name, "still fine")).Status);
    }

    [Fact]
    public async Task Two_variants_weighted_80_20_share_1000_calls_by_weight_and_Target_Variant_picks_one()
    {
        var name = Requests.Unique("split");
        await Hosting.CreateModelAsync($"{name}-a", new JsonObject { ["tag"] = "a" });
        await Hosting.CreateModelAsync($"{name}-b", new JsonObject { ["tag"] = "b" });
        await Hosting.CreateConfigAsync(name, new VariantSpec("Big", $"{name}-a", Weight: 4), new VariantSpec("Small", $"{name}-b", Weight: 1));
        await Expect.OkAsync(Hosting.Wire.InvokeAsync("CreateEndpoint", Requests.Endpoint(name, name)));
        var described = await Hosting.WaitForSettledAsync(name);
        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());

        var served = new Dictionary<string, int> { ["Big"] = 0, ["Small"] = 0 };
        for (var i = 0; i < 1000; i++)
        {
            var result = await Hosting.InvokeAsync(name, "x");
            Assert.Equal(HttpStatusCode.OK, result.Status);
            Assert.Equal(result.Variant == "Big" ? "a" : "b", result.Json["tag"]!.GetValue<string>());
            served[result.Variant!]++;
        }

        var targeted = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Hosting.InvokeAsync(name, "x", variant: "Small")));

        Assert.InRange(served["Big"], 760, 840);
        Assert.All(targeted, t => Assert.Equal(("Small", "b"), (t.Variant, t.Json["tag"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_killed_instance_is_replaced_and_invocations_succeed_again_within_seconds()
    {
        var name = Requests.Unique("heal");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "heal" }, instances: 2);
        var before = await HostingService.DockerContainersAsync(name);
        Assert.Equal(2, before.Count);

        await HostingService.DockerAsync("kill", before[0]);
        var failures = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            failures += (await Hosting.InvokeAsync(name, "x")).Status == HttpStatusCode.OK ? 0 : 1;
        }

        var healed = await WaitForAsync(async () =>
        {
            var running = (await HostingService.DockerAsync("ps", "-q", "--filter", $"label=controlplane.endpoint={name}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var described = await Hosting.Wire.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", name));
            return running.Length == 2 && !running.Contains(before[0][..12]) && described.Body["ProductionVariants"]![0]!["CurrentInstanceCount"]!.GetValue<int>() == 2;
        }, TimeSpan.FromSeconds(20));

        Assert.True(healed, Hosting.Service.Output);
        Assert.Equal(0, failures);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(before[0], await HostingService.DockerContainersAsync(name));
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Hosting.InvokeAsync(name, "x"))), r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }

    [Fact]
    public async Task UpdateEndpoint_under_continuous_traffic_moves_to_the_new_model_without_a_failed_invocation()
    {
        var name = Requests.Unique("bluegreen");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "blue" }, instances: 2);
        var blue = await HostingService.DockerContainersAsync(name);
        await Hosting.CreateModelAsync($"{name}-green", new JsonObject { ["tag"] = "green", ["startup_delay"] = 1 });
        await Hosting.CreateConfigAsync($"{name}-green", new VariantSpec("AllTraffic", $"{name}-green", 2));

        using var traffic = new CancellationTokenSource();
        var calls = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var results = new List<InvocationResult>();
            while (!traffic.IsCancellationRequested)
            {
                results.Add(await Hosting.InvokeAsync(name, "x"));
            }

            return results;
        })));
        await Task.Delay(500);
        await Expect.OkAsync(Hosting.Wire.InvokeAsync("UpdateEndpoint", new JsonObject { ["EndpointName"] = name, ["EndpointConfigName"] = $"{name}-green" }));
        var updating = await Hosting.Wire.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", name));
        var described = await Hosting.WaitForSettledAsync(name);
        await Task.Delay(500);
        await traffic.CancelAsync();
        var results = (await calls).SelectMany(r => r).ToList();

        Assert.Equal("Updating", updating.Body["EndpointStatus"]!.GetValue<string>());
        Assert.Equal($"{name}-green", updating.Body["PendingDeploymentSummary"]!["EndpointConfigName"]!.GetValue<string>());
        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        Assert.Equal($"{name}-green", described["EndpointConfigName"]!.GetValue<string>());
        Assert.Null(described["PendingDeploymentSummary"]);
        Assert.DoesNotContain(results, r => r.Status != HttpStatusCode.OK);
        var tags = results.Select(r => r.Json["tag"]!.GetValue<string>()).ToList();
        Assert.Equal("blue", tags[0]);
        Assert.Equal("green", tags[^1]);
        Assert.True(results.Count > 50, $"only {results.Count} calls during the update");
        var remaining = await HostingService.DockerContainersAsync(name);
        Assert.Equal(2, remaining.Count);
        Assert.Empty(remaining.Intersect(blue));
    }

    [Fact]
    public async Task A_failing_update_rolls_back_and_the_endpoint_stays_InService_on_the_old_configuration()
    {
        var name = Requests.Unique("rollback");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "old" });
        await Hosting.CreateModelAsync($"{name}-broken", new JsonObject { ["crash"] = 3 });
        await Hosting.CreateConfigAsync($"{name}-broken", new VariantSpec("AllTraffic", $"{name}-broken"));

        await Expect.OkAsync(Hosting.Wire.InvokeAsync("UpdateEndpoint", new JsonObject { ["EndpointName"] = name, ["EndpointConfigName"] = $"{name}-broken" }));
        var during = await Hosting.InvokeAsync(name, "x");
        var described = await Hosting.WaitForSettledAsync(name);
        var after = await Hosting.InvokeAsync(name, "x");

        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        Assert.Equal(name, described["EndpointConfigName"]!.GetValue<string>());
        Assert.Null(described["PendingDeploymentSummary"]);
        var reason = described["FailureReason"]!.GetValue<string>();
        Assert.Contains("exited with code 3", reason, StringComparison.Ordinal);
        Assert.Contains("fatal: the model cannot be loaded", reason, StringComparison.Ordinal);
        Assert.Equal("old", during.Json["tag"]!.GetValue<string>());
        Assert.Equal("old", after.Json["tag"]!.GetValue<string>());
        Assert.Single(await HostingService.DockerContainersAsync(name));
    }

    [Fact]
    public async Task UpdateEndpointWeightsAndCapacities_changes_counts_and_weights_live()
    {
        var name = Requests.Unique("scale");
        await Hosting.CreateModelAsync($"{name}-a", new JsonObject { ["tag"] = "a" });
        await Hosting.CreateModelAsync($"{name}-b", new JsonObject { ["tag"] = "b" });
        await Hosting.CreateConfigAsync(name, new VariantSpec("A", $"{name}-a"), new VariantSpec("B", $"{name}-b", 2));
        await Expect.OkAsync(Hosting.Wire.InvokeAsync("CreateEndpoint", Requests.Endpoint(name, name)));
        await Hosting.WaitForSettledAsync(name);

        var change = new JsonObject
        {
            ["EndpointName"] = name,
            ["DesiredWeightsAndCapacities"] = new JsonArray(
                new JsonObject { ["VariantName"] = "A", ["DesiredWeight"] = 1.0, ["DesiredInstanceCount"] = 2 },
                new JsonObject { ["VariantName"] = "B", ["DesiredWeight"] = 0.0, ["DesiredInstanceCount"] = 1 }),
        };
        await Expect.OkAsync(Hosting.Wire.InvokeAsync("UpdateEndpointWeightsAndCapacities", change));
        var described = await Hosting.WaitForSettledAsync(name);
        await Task.Delay(1000);
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Hosting.InvokeAsync(name, "x")));
        var targeted = await Hosting.InvokeAsync(name, "x", variant: "B");

        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        var variants = described["ProductionVariants"]!.AsArray().ToDictionary(v => v!["VariantName"]!.GetValue<string>());
        Assert.Equal((2, 2, 1.0, 1.0), (variants["A"]!["CurrentInstanceCount"]!.GetValue<int>(), variants["A"]!["DesiredInstanceCount"]!.GetValue<int>(), variants["A"]!["CurrentWeight"]!.GetValue<double>(), variants["A"]!["DesiredWeight"]!.GetValue<double>()));
        Assert.Equal((1, 1, 0.0, 0.0), (variants["B"]!["CurrentInstanceCount"]!.GetValue<int>(), variants["B"]!["DesiredInstanceCount"]!.GetValue<int>(), variants["B"]!["CurrentWeight"]!.GetValue<double>(), variants["B"]!["DesiredWeight"]!.GetValue<double>()));
        Assert.All(results, r => Assert.Equal("A", r.Variant));
        Assert.Equal("b", targeted.Json["tag"]!.GetValue<string>());
        Assert.Equal(3, (await HostingService.DockerContainersAsync(name)).Count);
    }

    [Fact]
    public async Task DeleteEndpoint_removes_its_containers_and_invocations_become_ValidationErrors()
    {
        var name = Requests.Unique("delete");
        await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "delete" }, instances: 2);
        Assert.Equal(2, (await HostingService.DockerContainersAsync(name)).Count);

        await Expect.OkAsync(Hosting.Wire.InvokeAsync("DeleteEndpoint", Requests.Named("EndpointName", name)));
        var gone = await WaitForAsync(async () => (await HostingService.DockerContainersAsync(name)).Count == 0, TimeSpan.FromSeconds(15));
        await Task.Delay(1000);
        var invocation = await Hosting.InvokeAsync(name, "x");
        var described = await Hosting.Wire.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", name));

        Assert.True(gone, Hosting.Service.Output);
        Assert.Equal(HttpStatusCode.BadRequest, invocation.Status);
        Assert.Equal("ValidationError", invocation.ErrorCode);
        Assert.Equal("ValidationException", described.ErrorCode);
        Assert.False(Directory.Exists(Path.Combine(Hosting.Service.DataDirectory, "endpoints", "123456789012", name)));
    }

    [Fact]
    public async Task A_model_that_crashes_at_start_fails_the_endpoint_with_its_last_log_lines()
    {
        var name = Requests.Unique("crash");
        var described = await Hosting.DeployAsync(name, new JsonObject { ["crash"] = 4 });

        Assert.Equal("Failed", described["EndpointStatus"]!.GetValue<string>());
        var reason = described["FailureReason"]!.GetValue<string>();
        Assert.StartsWith("The primary container for production variant AllTraffic did not pass the ping health check: it exited with code 4.", reason, StringComparison.Ordinal);
        Assert.Contains("fatal: the model cannot be loaded", reason, StringComparison.Ordinal);
        Assert.Empty(await HostingService.DockerContainersAsync(name));
        Assert.Equal("ValidationError", (await Hosting.InvokeAsync(name, "x")).ErrorCode);
    }

    [Fact]
    public async Task A_model_that_never_passes_its_ping_fails_the_endpoint_when_the_startup_window_ends()
    {
        var name = Requests.Unique("noping");
        var described = await Hosting.DeployAsync(name, new JsonObject { ["ping_status"] = 503 });

        Assert.Equal("Failed", described["EndpointStatus"]!.GetValue<string>());
        Assert.StartsWith("The primary container for production variant AllTraffic did not pass the ping health check within 10 seconds.", described["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await HostingService.DockerContainersAsync(name));
    }

    [Fact]
    public async Task A_slow_starting_model_goes_InService_once_it_answers_its_ping()
    {
        var name = Requests.Unique("slow");
        var described = await Hosting.DeployAsync(name, new JsonObject { ["tag"] = "slow", ["startup_delay"] = 4 });

        Assert.Equal("InService", described["EndpointStatus"]!.GetValue<string>());
        Assert.Equal("slow", (await Hosting.InvokeAsync(name, "x")).Json["tag"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_endpoint_with_the_pull_error()
    {
        var name = Requests.Unique("nopull");
        await Hosting.CreateModelAsync(name, new JsonObject(), image: "127.0.0.1:5000/controlplane-tests/no-such-image:1");
        await Hosting.CreateConfigAsync(name, new VariantSpec("AllTraffic", name));
        await Expect.OkAsync(Hosting.Wire.InvokeAsync("CreateEndpoint", Requests.Endpoint(name, name)));
        var described = await Hosting.WaitForSettledAsync(name);

        Assert.Equal("Failed", described["EndpointStatus"]!.GetValue<string>());
        Assert.StartsWith("The image '127.0.0.1:5000/controlplane-tests/no-such-image:1' of production variant AllTraffic could not be pulled:", described["FailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}

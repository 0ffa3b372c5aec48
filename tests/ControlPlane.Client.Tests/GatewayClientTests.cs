using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;
using ControlPlane.Client.Model;
using ControlPlane.Client.Runtime;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// The runtime client against the real inference gateway, which the control plane launched, with authentication off:
/// unsigned calls reach the model (the scripted server on the Process runtime), and a model's error status comes back
/// as a typed ModelError with the model's own status and text.
/// </summary>
public sealed class UnsignedGatewayClientTests(UnsignedGateway gateway) : IClassFixture<UnsignedGateway>
{
    [Fact]
    public async Task An_unsigned_InvokeEndpoint_reaches_the_model_and_its_answer_comes_back()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());

        using var answer = await runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "1.5,2.5"));

        Assert.Equal(("unsigned", "1.5,2.5"), await GatewayCalls.EchoAsync(answer));
        Assert.Equal(("text/csv", "AllTraffic"), (answer.ContentType, answer.InvokedProductionVariant));
    }

    [Fact]
    public async Task A_model_answering_500_is_a_ModelErrorException_with_the_models_status_and_message()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());

        var error = await Assert.ThrowsAsync<ModelErrorException>(() => runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "!status 500")));

        GatewayCalls.AssertModelError(error, 500, gateway.Endpoint);
    }

    [Fact]
    public async Task InvokeEndpointWithResponseStream_yields_each_part_the_model_flushed_as_it_arrives()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());
        var started = Stopwatch.StartNew();

        using var answer = await runtime.InvokeEndpointWithResponseStreamAsync(GatewayCalls.StreamInvocation(gateway.Endpoint, "!stream 3 0.4", accept: "application/jsonlines"));
        var parts = new List<(string Text, TimeSpan At)>();
        await foreach (var part in answer.Body)
        {
            parts.Add((Encoding.UTF8.GetString(part.Bytes), started.Elapsed));
        }

        Assert.Equal([1, 2, 3], parts.Select(p => int.Parse(p.Text.Split(' ')[1], CultureInfo.InvariantCulture)));
        Assert.All(parts, p => Assert.EndsWith(" of 3 for application/jsonlines\n", p.Text, StringComparison.Ordinal));
        Assert.True(parts[0].At < parts[2].At - TimeSpan.FromMilliseconds(600), $"The first part came at {parts[0].At}, the last at {parts[2].At}: not as the model wrote them.");
        Assert.Equal(("text/csv", "AllTraffic", HttpStatusCode.OK), (answer.ContentType, answer.InvokedProductionVariant, answer.HttpStatusCode));
    }

    [Fact]
    public async Task A_streamed_answer_the_model_breaks_off_ends_in_a_ModelStreamErrorException_StreamBroken_after_the_parts_sent()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());

        using var answer = await runtime.InvokeEndpointWithResponseStreamAsync(GatewayCalls.StreamInvocation(gateway.Endpoint, "!stream-break 2"));
        var parts = new List<string>();
        var error = await Assert.ThrowsAsync<ModelStreamErrorException>(async () =>
        {
            await foreach (var part in answer.Body)
            {
                parts.Add(Encoding.UTF8.GetString(part.Bytes));
            }
        });

        Assert.StartsWith("part 1 of 2", string.Concat(parts), StringComparison.Ordinal);
        Assert.Equal(("ModelStreamError", "StreamBroken"), (error.ErrorCode, error.StreamErrorCode));
    }

    [Fact]
    public async Task A_streamed_answer_the_model_stops_feeding_ends_in_ModelInvocationTimeExceeded_after_the_invocation_timeout()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());
        var started = Stopwatch.StartNew();

        using var answer = await runtime.InvokeEndpointWithResponseStreamAsync(GatewayCalls.StreamInvocation(gateway.Endpoint, "!stream-stall 8"));
        var error = await Assert.ThrowsAsync<ModelStreamErrorException>(async () =>
        {
            await foreach (var part in answer.Body)
            {
                Assert.Equal("part 1 of 1 for None\n", Encoding.UTF8.GetString(part.Bytes));
            }
        });

        Assert.Equal("ModelInvocationTimeExceeded", error.StreamErrorCode);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task InvokeEndpointAsyncAsync_answers_where_the_result_will_be_and_the_model_s_answer_is_written_there()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());
        var input = Path.Combine(gateway.Hosting.Service.DataDirectory, "s3", "bucket", "client-async-in", "row.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        await File.WriteAllTextAsync(input, "7,8");

        var queued = await runtime.InvokeEndpointAsyncAsync(new InvokeEndpointAsyncRequest
        {
            EndpointName = gateway.Endpoint,
            InputLocation = "s3://bucket/client-async-in/row.csv",
            ContentType = "text/csv",
            InferenceId = "client-1",
            RequestTTLSeconds = 120,
        });
        var output = Path.Combine(gateway.Hosting.Service.DataDirectory, "s3", "bucket", "client-async", "client-1.out");
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); !File.Exists(output) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.Accepted, queued.HttpStatusCode);
        Assert.Equal(("client-1", "s3://bucket/client-async/client-1.out", "s3://bucket/client-async/client-1-error.out"), (queued.InferenceId, queued.OutputLocation, queued.FailureLocation));
        Assert.True(File.Exists(output), $"No answer at {queued.OutputLocation}.");
        Assert.Equal("7,8", JsonNode.Parse(await File.ReadAllTextAsync(output))!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeEndpointAsyncAsync_with_a_RequestTTLSeconds_out_of_range_is_a_ValidationErrorException()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());

        var error = await Assert.ThrowsAsync<ValidationErrorException>(() => runtime.InvokeEndpointAsyncAsync(new InvokeEndpointAsyncRequest
        {
            EndpointName = gateway.Endpoint,
            InputLocation = "s3://bucket/client-async-in/row.csv",
            RequestTTLSeconds = 5,
        }));

        Assert.Contains("requestTTLSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateways_event_stream_reads_back_whole_and_a_single_altered_byte_fails_its_checksum()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{gateway.Endpoint}/invocations-response-stream")
        {
            Content = new StringContent("!stream 2 0", Encoding.UTF8, "text/plain"),
        };
        using var response = await gateway.Hosting.Gateway.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        var altered = raw.ToArray();
        altered[^5] ^= 0x20; // the last payload byte of the last message

        var parts = await ReadAllAsync(raw);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(altered));

        Assert.Equal("application/vnd.amazon.eventstream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("text/plain; charset=utf-8", response.Headers.GetValues("X-Amzn-SageMaker-Content-Type").Single());
        Assert.Equal("part 1 of 2 for None\npart 2 of 2 for None\n", string.Concat(parts));
        Assert.Equal("An event stream message failed its checksum.", refused.Message);

        static async Task<List<string>> ReadAllAsync(byte[] bytes)
        {
            var texts = new List<string>();
            await foreach (var part in EventStreamReader.ReadPayloadPartsAsync(new MemoryStream(bytes), HttpStatusCode.OK, null, CancellationToken.None))
            {
                texts.Add(Encoding.UTF8.GetString(part.Bytes));
            }

            return texts;
        }
    }

    [Fact]
    public async Task A_model_answering_500_to_a_streaming_call_is_a_ModelErrorException_before_any_part()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options());

        var error = await Assert.ThrowsAsync<ModelErrorException>(() => runtime.InvokeEndpointWithResponseStreamAsync(GatewayCalls.StreamInvocation(gateway.Endpoint, "!status 500")));

        GatewayCalls.AssertModelError(error, 500, gateway.Endpoint);
    }
}

/// <summary>
/// Both clients signed against the real service with <c>Mode=sigv4</c>: the control-plane client deploys an endpoint
/// (every call accepted), the runtime client invokes it through the real gateway, a model error is a typed ModelError,
/// a wrong secret is an <see cref="AuthenticationException"/> with AWS's code on either API, and another account's
/// client meets the endpoint as one that does not exist.
/// </summary>
public sealed class SignedGatewayClientTests(SignedGateway gateway) : IClassFixture<SignedGateway>
{
    [Fact]
    public async Task The_signed_control_plane_client_deployed_the_endpoint_and_the_signed_runtime_client_invokes_it()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Alpha));

        using var answer = await runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "3,4"));

        Assert.Equal(EndpointStatus.InService, gateway.Deployed.EndpointStatus);
        Assert.Equal(("signed", "3,4"), await GatewayCalls.EchoAsync(answer));
    }

    [Fact]
    public async Task A_model_answering_400_to_a_signed_call_is_a_ModelErrorException_with_the_models_status_and_message()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Alpha));

        var error = await Assert.ThrowsAsync<ModelErrorException>(() => runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "!status 400")));

        GatewayCalls.AssertModelError(error, 400, gateway.Endpoint);
    }

    [Fact]
    public async Task A_signed_InvokeEndpointWithResponseStream_is_accepted_and_streams_the_models_parts()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Alpha));

        using var answer = await runtime.InvokeEndpointWithResponseStreamAsync(GatewayCalls.StreamInvocation(gateway.Endpoint, "!stream 2 0"));
        var text = new StringBuilder();
        await foreach (var part in answer.Body)
        {
            text.Append(Encoding.UTF8.GetString(part.Bytes));
        }

        Assert.Equal("part 1 of 2 for None\npart 2 of 2 for None\n", text.ToString());
    }

    [Fact]
    public async Task A_signed_InvokeEndpointAsync_reaches_the_control_plane_as_the_callers_account()
    {
        using var alpha = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Alpha));
        using var bravo = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Bravo));
        var request = new InvokeEndpointAsyncRequest { EndpointName = gateway.Endpoint, InputLocation = "s3://bucket/in.csv" };

        var own = await Assert.ThrowsAsync<ValidationErrorException>(() => alpha.InvokeEndpointAsyncAsync(request));
        var other = await Assert.ThrowsAsync<ValidationErrorException>(() => bravo.InvokeEndpointAsyncAsync(request));

        Assert.Contains("is not configured for asynchronous inference", own.Message, StringComparison.Ordinal);
        Assert.Equal($"Endpoint {gateway.Endpoint} of account {TestAccessKey.Bravo.AccountId} not found.", other.Message);
    }

    [Fact]
    public async Task A_wrong_secret_is_an_AuthenticationException_with_the_InvalidSignatureException_code_on_either_API()
    {
        var wrong = TestAccessKey.Alpha with { SecretAccessKey = "not-the-secret" };
        using var controlPlane = new SageMakerClient(gateway.Options(wrong));
        using var runtime = new SageMakerRuntimeClient(gateway.Options(wrong));

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => controlPlane.ListEndpointsAsync(new ListEndpointsInput()));
        var refusedInvocation = await Assert.ThrowsAsync<AuthenticationException>(() => runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "1")));

        Assert.Equal(("InvalidSignatureException", HttpStatusCode.Forbidden), (refused.ErrorCode, refused.StatusCode));
        Assert.Equal(("InvalidSignatureException", HttpStatusCode.Forbidden), (refusedInvocation.ErrorCode, refusedInvocation.StatusCode));
        Assert.False(string.IsNullOrEmpty(refusedInvocation.RequestId), "The gateway's refusal carries a request id.");
    }

    [Fact]
    public async Task Another_accounts_runtime_client_gets_a_ValidationErrorException_as_for_an_endpoint_that_does_not_exist()
    {
        using var runtime = new SageMakerRuntimeClient(gateway.Options(TestAccessKey.Bravo));

        var error = await Assert.ThrowsAsync<ValidationErrorException>(() => runtime.InvokeEndpointAsync(GatewayCalls.Invocation(gateway.Endpoint, "1")));

        Assert.Equal($"Endpoint {gateway.Endpoint} of account {TestAccessKey.Bravo.AccountId} not found.", error.Message);
    }
}

/// <summary>The control plane with authentication off and its gateway; one endpoint deployed over the wire protocol.</summary>
public sealed class UnsignedGateway : IAsyncLifetime
{
    public HostingService Hosting { get; private set; } = null!;

    public string Endpoint { get; } = Shapes.Unique("unsigned");

    public ControlPlaneClientOptions Options() => GatewayCalls.Options(Hosting, null);

    public async Task InitializeAsync()
    {
        Hosting = await HostingService.StartAsync(GatewayCalls.ServerImage, GatewayCalls.ProcessRuntime);
        var described = await Hosting.DeployAsync(Endpoint, new JsonObject { ["tag"] = "unsigned" }, asyncInference: new JsonObject
        {
            ["OutputConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/client-async" },
        });
        Assert.True(described["EndpointStatus"]?.GetValue<string>() == "InService", described.ToJsonString());
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
/// The control plane with <c>Mode=sigv4</c> (ALPHA and BRAVO) and its gateway; ALPHA's endpoint deployed with the signed
/// C# client and awaited with its waiter.
/// </summary>
public sealed class SignedGateway : IAsyncLifetime
{
    public HostingService Hosting { get; private set; } = null!;

    public string Endpoint { get; } = Shapes.Unique("signed");

    public DescribeEndpointOutput Deployed { get; private set; } = null!;

    public ControlPlaneClientOptions Options(TestAccessKey key) => GatewayCalls.Options(Hosting, key);

    public async Task InitializeAsync()
    {
        Hosting = await HostingService.StartSignedAsync(GatewayCalls.ServerImage, [TestAccessKey.Alpha, TestAccessKey.Bravo], GatewayCalls.ProcessRuntime);
        using var client = new SageMakerClient(Options(TestAccessKey.Alpha));
        await client.CreateModelAsync(new CreateModelInput
        {
            ModelName = Endpoint,
            PrimaryContainer = new ContainerDefinition { Image = GatewayCalls.ServerImage, ModelDataUrl = await Hosting.WriteModelDataAsync(Endpoint, new JsonObject { ["tag"] = "signed" }) },
            ExecutionRoleArn = Shapes.Role,
        });
        await client.CreateEndpointConfigAsync(Shapes.EndpointConfig(Endpoint, Endpoint));
        await client.CreateEndpointAsync(new CreateEndpointInput { EndpointName = Endpoint, EndpointConfigName = Endpoint });
        var waited = await client.Waiters.WaitUntilEndpointInServiceAsync(
            new DescribeEndpointInput { EndpointName = Endpoint },
            new WaiterOptions { Delay = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(90) });
        Deployed = waited.Response!;
    }

    public async Task DisposeAsync()
    {
        if (Hosting is not null)
        {
            await Hosting.DisposeAsync();
        }
    }
}

/// <summary>What the gateway tests share: the scripted server on the Process runtime, client options, the model's echo.</summary>
internal static class GatewayCalls
{
    public const string ServerImage = "local/scripted-server:1";

    public static readonly string[] ProcessRuntime =
    [
        "--ControlPlane:Containers:Runtime", "process",
        $"--ControlPlane:Containers:ProcessImages:{ServerImage}=/usr/bin/python3 -u {Path.Combine(HostingService.ServerDirectory, "scripted_server.py")}",
    ];

    /// <summary>Both APIs of the service, signed with <paramref name="key"/> when given; no retries, so a refusal shows at once.</summary>
    public static ControlPlaneClientOptions Options(HostingService hosting, TestAccessKey? key) => Clients.Options(hosting.Service.BaseAddress, o =>
    {
        o.RuntimeServiceURL = hosting.Gateway.BaseAddress;
        o.MaxErrorRetry = 0;
        (o.AccessKey, o.SecretKey) = (key?.AccessKeyId, key?.SecretAccessKey);
    });

    public static InvokeEndpointRequest Invocation(string endpoint, string body) => new()
    {
        EndpointName = endpoint,
        Body = new MemoryStream(Encoding.UTF8.GetBytes(body)),
        ContentType = "text/csv",
    };

    public static InvokeEndpointWithResponseStreamRequest StreamInvocation(string endpoint, string body, string? accept = null) => new()
    {
        EndpointName = endpoint,
        Body = new MemoryStream(Encoding.UTF8.GetBytes(body)),
        ContentType = "text/csv",
        Accept = accept,
    };

    /// <summary>The scripted server's answer: the model's tag and the body it received.</summary>
    public static async Task<(string Tag, string Body)> EchoAsync(InvokeEndpointResponse answer)
    {
        var echo = JsonNode.Parse(await new StreamReader(answer.Body).ReadToEndAsync())!;
        return (echo["tag"]!.GetValue<string>(), echo["body"]!.GetValue<string>());
    }

    public static void AssertModelError(ModelErrorException error, int status, string endpoint)
    {
        Assert.Equal((status, $"model says {status}"), (error.OriginalStatusCode, error.OriginalMessage));
        Assert.Equal(("ModelError", (HttpStatusCode)424), (error.ErrorCode, error.StatusCode));
        Assert.EndsWith($"/aws/sagemaker/Endpoints/{endpoint}", error.LogStreamArn, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Text;
using ControlPlane.Client.Runtime;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// InvokeEndpoint against a loopback server that answers as sagemaker-runtime does (contract §4), for the answers the
/// real gateway cannot be made to give (resets, throttling, dependency faults); against the real gateway see
/// <see cref="UnsignedGatewayClientTests"/> and <see cref="SignedGatewayClientTests"/>.
/// </summary>
public sealed class RuntimeClientTests
{
    [Fact]
    public async Task The_body_and_headers_go_to_the_endpoint_and_the_models_answer_comes_back_as_a_stream()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(200, "0.25\n0.75\n",
            ("Content-Type", "text/csv; charset=utf-8"), ("x-Amzn-Invoked-Production-Variant", "variant-2"),
            ("X-Amzn-SageMaker-Custom-Attributes", "model=v2"), ("x-amzn-RequestId", "req-1")));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address));

        using var response = await runtime.InvokeEndpointAsync(new InvokeEndpointRequest
        {
            EndpointName = "my-endpoint",
            Body = new MemoryStream(Encoding.UTF8.GetBytes("1,2\n3,4\n")),
            ContentType = "text/csv",
            Accept = "text/csv",
            CustomAttributes = "trace=1",
            TargetVariant = "variant-2",
            InferenceId = "inference-7",
        });
        using var reader = new StreamReader(response.Body);

        Assert.Equal("0.25\n0.75\n", await reader.ReadToEndAsync());
        Assert.Equal(("text/csv; charset=utf-8", "variant-2", "model=v2"), (response.ContentType, response.InvokedProductionVariant, response.CustomAttributes));
        Assert.Equal(("req-1", HttpStatusCode.OK), (response.ResponseMetadata.RequestId, response.HttpStatusCode));
        var request = server.Requests.Single();
        Assert.Equal(("POST", "/endpoints/my-endpoint/invocations", "1,2\n3,4\n"), (request.Method, request.Target, request.BodyText));
        Assert.Equal(("text/csv", "text/csv", "trace=1"), (request.Header("Content-Type"), request.Header("Accept"), request.Header("X-Amzn-SageMaker-Custom-Attributes")));
        Assert.Equal(("variant-2", "inference-7"), (request.Header("X-Amzn-SageMaker-Target-Variant"), request.Header("X-Amzn-SageMaker-Inference-Id")));
    }

    [Fact]
    public async Task A_ModelError_carries_the_containers_status_message_and_log_stream()
    {
        const string body = """{"__type":"ModelError","OriginalStatusCode":400,"OriginalMessage":"bad csv","LogStreamArn":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/e","message":"Received client error (400) from primary with message \"bad csv\"."}""";
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(424, body, ("x-amzn-ErrorType", "ModelError"), ("x-amzn-RequestId", "req-2"), ("Content-Type", "application/json")));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address));

        var error = await Assert.ThrowsAsync<ModelErrorException>(() => runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream([1]) }));

        Assert.Equal((400, "bad csv"), (error.OriginalStatusCode, error.OriginalMessage));
        Assert.Equal("arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/e", error.LogStreamArn);
        Assert.Equal(("ModelError", (HttpStatusCode)424, "req-2"), (error.ErrorCode, error.StatusCode, error.RequestId));
        Assert.StartsWith("Received client error (400) from primary", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task The_error_code_is_read_from_the_header_first_as_rest_json_clients_do()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(400, """{"message":"Endpoint e of account 123456789012 not found."}""", ("x-amzn-ErrorType", "ValidationError:http://internal.amazon.com/coral/")));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address));

        var error = await Assert.ThrowsAsync<ValidationErrorException>(() => runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream([1]) }));

        Assert.Equal(("ValidationError", "Endpoint e of account 123456789012 not found."), (error.ErrorCode, error.Message));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ModelNotReady_is_its_own_type_and_is_not_retried()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(429, """{"message":"still loading"}""", ("x-amzn-ErrorType", "ModelNotReadyException")));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address));

        await Assert.ThrowsAsync<ModelNotReadyException>(() => runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream([1]) }));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ServiceUnavailable_and_resets_are_retried_and_the_body_is_sent_again_each_time()
    {
        await using var server = new LoopbackHttpServer((_, index) => index switch
        {
            0 => new Reply.Respond(503, """{"message":"busy"}""", ("x-amzn-ErrorType", "ServiceUnavailable")),
            1 => new Reply.Reset(),
            _ => new Reply.Respond(200, "ok", ("Content-Type", "text/plain")),
        });
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address));

        using var response = await runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream(Encoding.UTF8.GetBytes("payload")), ContentType = "text/plain" });

        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("payload", r.BodyText));
    }

    [Fact]
    public async Task InternalDependencyException_after_the_last_retry_is_a_ServiceFaultException()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(530, """{"message":"dependency down"}""", ("x-amzn-ErrorType", "InternalDependencyException")));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(server.Address, o => o.MaxErrorRetry = 1));

        var error = await Assert.ThrowsAsync<ServiceFaultException>(() => runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream([1]) }));

        Assert.Equal(("InternalDependencyException", (HttpStatusCode)530), (error.ErrorCode, error.StatusCode));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task RuntimeServiceURL_sends_invocations_to_the_gateway_and_not_the_control_plane()
    {
        await using var gateway = new LoopbackHttpServer((_, _) => new Reply.Respond(200, "ok"));
        await using var controlPlane = new LoopbackHttpServer((_, _) => new Reply.Respond(500, "wrong place"));
        using var runtime = new SageMakerRuntimeClient(Clients.Options(controlPlane.Address, o => o.RuntimeServiceURL = new Uri(gateway.Address, "prefix")));

        using var _ = await runtime.InvokeEndpointAsync(new InvokeEndpointRequest { EndpointName = "e", Body = new MemoryStream([1]) });

        Assert.Equal("/prefix/endpoints/e/invocations", gateway.Requests.Single().Target);
        Assert.Empty(controlPlane.Requests);
    }
}

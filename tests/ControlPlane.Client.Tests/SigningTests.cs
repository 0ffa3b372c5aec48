using ControlPlane.Client.Model;
using ControlPlane.Client.Runtime;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>
/// With credentials, both clients sign with AWS Signature Version 4, and botocore's independent implementation
/// computes the same Authorization header from the request as it arrived on the wire.
/// </summary>
public sealed class SigningTests
{
    [Fact]
    public async Task A_signed_control_plane_request_verifies_with_botocore()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.Json("""{"ModelArn":"arn:aws:sagemaker:eu-west-1:123456789012:model/m"}"""));
        var options = Clients.Options(server.Address, o => (o.Region, o.AccessKey, o.SecretKey) = ("eu-west-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
        using var client = new SageMakerClient(options);
        var model = Shapes.Model("m");
        model.Tags = [new Tag { Key = "owner", Value = "Zoë — ünïcode" }];

        await client.CreateModelAsync(model);

        var request = server.Requests.Single();
        var (verified, report) = await Botocore.VerifyAsync(request, server.Address, options);
        Assert.True(verified, report);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/sagemaker/aws4_request, SignedHeaders=", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("host;", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("x-amz-target", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.Json("{}"));
        var options = Clients.Options(server.Address, o => (o.AccessKey, o.SecretKey, o.SessionToken) = ("ASIAEXAMPLE", "secret", "FwoGZXIvYXdzEXAMPLETOKEN=="));
        using var client = new SageMakerClient(options);

        await client.ListModelsAsync(new ListModelsInput());

        var request = server.Requests.Single();
        var (verified, report) = await Botocore.VerifyAsync(request, server.Address, options);
        Assert.True(verified, report);
        Assert.Equal("FwoGZXIvYXdzEXAMPLETOKEN==", request.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_InvokeEndpoint_request_with_a_binary_body_and_runtime_headers_verifies_with_botocore()
    {
        await using var server = new LoopbackHttpServer((_, _) => new Reply.Respond(200, "0.5", ("Content-Type", "text/csv")));
        var options = Clients.Options(server.Address, o => (o.AccessKey, o.SecretKey) = ("AKIDEXAMPLE", "secret"));
        using var runtime = new SageMakerRuntimeClient(options);

        using var _ = await runtime.InvokeEndpointAsync(new InvokeEndpointRequest
        {
            EndpointName = "my-endpoint",
            Body = new MemoryStream([0, 1, 2, 255, 254]),
            ContentType = "application/x-npy",
            Accept = "text/csv",
            CustomAttributes = "trace=abc;  two  spaces",
            TargetVariant = "variant-1",
            InferenceId = "inference-1",
        });

        var request = server.Requests.Single();
        var (verified, report) = await Botocore.VerifyAsync(request, server.Address, options);
        Assert.True(verified, report);
        Assert.Equal("/endpoints/my-endpoint/invocations", request.Target);
    }

    [Fact]
    public async Task A_request_changed_after_signing_no_longer_verifies()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.Json("{}"));
        var options = Clients.Options(server.Address, o => (o.AccessKey, o.SecretKey) = ("AKIDEXAMPLE", "secret"));
        using var client = new SageMakerClient(options);
        await client.DescribeModelAsync(new DescribeModelInput { ModelName = "original" });
        var request = server.Requests.Single();
        var tampered = request with { Body = System.Text.Encoding.UTF8.GetBytes(request.BodyText.Replace("original", "tampered", StringComparison.Ordinal)) };

        var (verified, _) = await Botocore.VerifyAsync(tampered, server.Address, options);

        Assert.False(verified);
    }

    [Fact]
    public async Task Without_credentials_nothing_is_signed()
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.Json("{}"));
        using var client = Clients.For(server.Address);

        await client.ListModelsAsync(new ListModelsInput());

        Assert.Null(server.Requests.Single().Header("Authorization"));
        Assert.Null(server.Requests.Single().Header("X-Amz-Date"));
    }
}

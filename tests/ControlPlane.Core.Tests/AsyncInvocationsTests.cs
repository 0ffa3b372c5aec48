using System.Text.Json.Nodes;
using ControlPlane.Core.Hosting;

namespace ControlPlane.Core.Tests;

public class AsyncInvocationsTests
{
    private const string Account = "123456789012";

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Endpoint(string status = "InService", string? failurePath = "s3://bucket/failures/") => new()
    {
        ["EndpointStatus"] = status,
        ["AsyncInferenceConfig"] = new JsonObject
        {
            ["OutputConfig"] = failurePath is null
                ? new JsonObject { ["S3OutputPath"] = "s3://bucket/out/" }
                : new JsonObject { ["S3OutputPath"] = "s3://bucket/out/", ["S3FailurePath"] = failurePath },
        },
    };

    private static AsyncInvocationRequest Request(string? ttl = null, string? timeout = null, string? inputLocation = "s3://bucket/in/rows.csv") =>
        new("ep", inputLocation, RequestTtlSeconds: ttl, InvocationTimeoutSeconds: timeout);

    [Fact]
    public void Without_options_the_answer_goes_to_the_output_path_as_the_inference_id_dot_out_and_the_defaults_apply()
    {
        var resolved = AsyncInvocations.Resolve(Request() with { InferenceId = "id-1" }, Account, Endpoint(), Now).Value!;

        Assert.Equal(("s3://bucket/out/id-1.out", "s3://bucket/failures/id-1-error.out"), (resolved.OutputLocation, resolved.FailureLocation));
        Assert.Equal(Now.AddSeconds(AsyncInvocations.DefaultRequestTtlSeconds), resolved.ExpiresAt);
        Assert.Equal(AsyncInvocations.DefaultInvocationTimeoutSeconds, resolved.InvocationTimeoutSeconds);
    }

    [Fact]
    public void The_path_extension_and_filename_shape_the_output_and_failures_fall_back_to_the_output_path()
    {
        var request = Request() with { InferenceId = "id-2", OutputPathExtension = "/daily/", Filename = "answer.json" };

        var resolved = AsyncInvocations.Resolve(request, Account, Endpoint(failurePath: null), Now).Value!;

        Assert.Equal(("s3://bucket/out/daily/answer.json", "s3://bucket/out/daily/id-2-error.out"), (resolved.OutputLocation, resolved.FailureLocation));
    }

    [Fact]
    public void Without_an_inference_id_each_invocation_gets_a_new_one_and_every_invocation_its_own_id()
    {
        var first = AsyncInvocations.Resolve(Request(), Account, Endpoint(), Now).Value!;
        var second = AsyncInvocations.Resolve(Request(), Account, Endpoint(), Now).Value!;

        Assert.True(Guid.TryParse(first.InferenceId, out _));
        Assert.NotEqual(first.InferenceId, second.InferenceId);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Theory]
    [InlineData("59", null, "requestTTLSeconds")]
    [InlineData("21601", null, "requestTTLSeconds")]
    [InlineData("soon", null, "requestTTLSeconds")]
    [InlineData(null, "0", "invocationTimeoutSeconds")]
    [InlineData(null, "3601", "invocationTimeoutSeconds")]
    public void Ranges_outside_the_runtime_models_are_validation_errors(string? ttl, string? timeout, string member)
    {
        var error = AsyncInvocations.Resolve(Request(ttl, timeout), Account, Endpoint(), Now).Error!;

        Assert.Equal("ValidationException", error.Code);
        Assert.Contains($"at '{member}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bucket/key")]
    [InlineData("ftp://bucket/key")]
    public void An_input_location_that_is_no_s3_or_https_url_is_a_validation_error(string? location)
    {
        var error = AsyncInvocations.Resolve(Request(inputLocation: location), Account, Endpoint(), Now).Error!;

        Assert.Contains("'inputLocation'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_endpoint_one_not_in_service_and_one_without_AsyncInferenceConfig_are_refused_with_reasons()
    {
        var unknown = AsyncInvocations.Resolve(Request(), Account, null, Now).Error!;
        var creating = AsyncInvocations.Resolve(Request(), Account, Endpoint(status: "Creating"), Now).Error!;
        var synchronous = AsyncInvocations.Resolve(Request(), Account, new JsonObject { ["EndpointStatus"] = "InService" }, Now).Error!;

        Assert.Equal($"Endpoint ep of account {Account} not found.", unknown.Message);
        Assert.Equal($"Endpoint ep of account {Account} is not in service: its status is Creating.", creating.Message);
        Assert.Contains("is not configured for asynchronous inference", synchronous.Message, StringComparison.Ordinal);
    }
}

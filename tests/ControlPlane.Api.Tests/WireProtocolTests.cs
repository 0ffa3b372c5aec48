using System.Net;
using System.Text;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>The AWS JSON 1.1 framing: targets, bodies, errors and headers, as the SDKs rely on them.</summary>
public sealed class WireProtocolTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private WireDoor Wire => fixture.Wire;

    [Fact]
    public async Task Every_response_carries_a_request_id()
    {
        var success = await Wire.InvokeAsync("ListModels", new { });
        var failure = await Wire.InvokeAsync("DescribeModel", new { ModelName = "absent" });
        using var missing = await fixture.Service.Http.GetAsync("/no-such-route");

        Assert.True(Guid.TryParse(success.Header("x-amzn-RequestId"), out _));
        Assert.True(Guid.TryParse(failure.Header("x-amzn-RequestId"), out _));
        Assert.True(missing.Headers.Contains("x-amzn-RequestId"));
        Assert.NotEqual(success.Header("x-amzn-RequestId"), failure.Header("x-amzn-RequestId"));
    }

    [Theory]
    [InlineData("ListModels", "{}")]
    [InlineData("DescribeModel", """{"ModelName":"absent"}""")]
    public async Task Answers_and_errors_carry_their_length_rather_than_being_chunked(string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"SageMaker.{operation}");

        using var response = await fixture.Service.Http.SendAsync(request);
        var received = await response.Content.ReadAsByteArrayAsync();

        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(received.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task A_success_is_200_with_the_amz_json_content_type()
    {
        var response = await Wire.InvokeAsync("ListTrainingJobs", new { });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/x-amz-json-1.1", response.ContentType);
        Assert.NotNull(response.Body["TrainingJobSummaries"]);
        Assert.False(response.Body.ContainsKey("NextToken"));
    }

    [Fact]
    public async Task An_error_carries_its_code_in_the_body_and_the_header_and_a_message()
    {
        var response = await Wire.InvokeAsync("DescribeEndpoint", new { EndpointName = "absent" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("ValidationException", response.ErrorCode);
        Assert.Equal("ValidationException", response.Header("x-amzn-ErrorType"));
        Assert.Equal("Could not find endpoint \"arn:aws:sagemaker:us-east-1:123456789012:endpoint/absent\".", response.Message);
    }

    [Fact]
    public async Task Every_operation_of_the_service_model_is_served()
    {
        var operations = ControlPlane.Core.ServiceModel.SageMakerServiceModel.Current.Operations.Keys;

        foreach (var operation in operations)
        {
            var response = await Wire.InvokeAsync(operation, new { });
            Assert.True(response.Status == HttpStatusCode.OK || response.ErrorCode == "ValidationException", $"{operation}: {response}");
        }

        Assert.Equal(29, operations.Count());
    }

    [Fact]
    public async Task An_unknown_operation_is_UnknownOperationException()
    {
        var response = await Wire.SendAsync("SageMaker.CreateSpaceship", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("UnknownOperationException", response.ErrorCode);
    }

    [Fact]
    public async Task A_target_of_another_service_is_UnknownOperationException()
    {
        var response = await Wire.SendAsync("DynamoDB_20120810.ListTables", "{}");

        Assert.Equal("UnknownOperationException", response.ErrorCode);
    }

    [Fact]
    public async Task A_post_to_the_root_without_a_target_is_UnknownOperationException()
    {
        var response = await Wire.SendAsync(null, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("UnknownOperationException", response.ErrorCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"ModelName\": \"a\"} trailing")]
    public async Task A_body_that_is_not_a_JSON_object_is_SerializationException(string body)
    {
        var response = await Wire.SendAsync("SageMaker.DescribeModel", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("SerializationException", response.ErrorCode);
    }

    [Theory]
    [InlineData("{\"ModelName\": 42}")]
    [InlineData("{\"ModelName\": {\"a\": 1}}")]
    [InlineData("{\"ModelName\": [\"a\"]}")]
    public async Task A_member_of_the_wrong_JSON_type_is_SerializationException(string body)
    {
        var response = await Wire.SendAsync("SageMaker.DescribeModel", body);

        Assert.Equal("SerializationException", response.ErrorCode);
        Assert.Contains("modelName", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deeply_nested_JSON_is_SerializationException_not_a_crash()
    {
        var body = new string('[', 5000) + new string(']', 5000);

        var response = await Wire.SendAsync("SageMaker.ListModels", body);

        Assert.Equal("SerializationException", response.ErrorCode);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_a_400_in_SageMakers_shape()
    {
        var body = "{\"ModelName\": \"" + new string('a', 5 * 1024 * 1024) + "\"}";

        var response = await Wire.SendAsync("SageMaker.DescribeModel", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("ValidationException", response.ErrorCode);
        Assert.Contains("maximum size", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_body_is_an_empty_request()
    {
        var response = await Wire.SendAsync("SageMaker.ListEndpoints", string.Empty);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response.Body["Endpoints"]);
    }

    [Fact]
    public async Task Unknown_members_are_ignored_and_not_echoed()
    {
        var name = Requests.Unique("model");
        var request = Requests.Model(name);
        request["FutureMember"] = "from a newer SDK";
        ((System.Text.Json.Nodes.JsonObject)request["PrimaryContainer"]!)["AlsoNew"] = true;

        var created = await Wire.InvokeAsync("CreateModel", request);
        var described = await Wire.InvokeAsync("DescribeModel", new { ModelName = name });

        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.False(described.Body.ContainsKey("FutureMember"));
        Assert.False(described.Body["PrimaryContainer"]!.AsObject().ContainsKey("AlsoNew"));
    }

    [Fact]
    public async Task Operations_are_served_on_the_base_path_an_SDK_was_configured_with()
    {
        var response = await Wire.SendAsync("SageMaker.ListModels", "{}", path: "/sagemaker/");

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Timestamps_are_epoch_seconds_with_millisecond_fractions()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var name = Requests.Unique("model");
        await Wire.InvokeAsync("CreateModel", Requests.Model(name));

        var created = (await Wire.InvokeAsync("DescribeModel", new { ModelName = name })).Body["CreationTime"]!.GetValue<double>();

        Assert.InRange(created, before - 1, before + 60);
        Assert.Equal(Math.Round(created, 3), created);
    }

    [Fact]
    public async Task The_target_header_name_is_case_insensitive_as_JS_v3_sends_it_lower_case()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.TryAddWithoutValidation("x-amz-target", "SageMaker.ListModels");

        using var response = await fixture.Service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

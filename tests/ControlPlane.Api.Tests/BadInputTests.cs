using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// Every malformed request gets a 400 in SageMaker's shape, never a 500 or a hang, and a rejected request changes
/// nothing.
/// </summary>
public sealed class BadInputTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static TheoryData<string> Doors => new(ApiDoor.Names);

    public static TheoryData<string, string, string> InvalidTrainingJobs => new()
    {
        { "name with an underscore", """{"TrainingJobName": "bad_name"}""", "Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}" },
        { "name over 63 characters", $$"""{"TrainingJobName": "{{new string('a', 64)}}"}""", "at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63" },
        { "unknown enum value", """{"AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "Streaming"}}""", "Value 'Streaming' at 'algorithmSpecification.trainingInputMode' failed to satisfy constraint: Member must satisfy enum value set: [Pipe, File, FastFile]" },
        { "missing required member", """{"RoleArn": null}""", "Value null at 'roleArn' failed to satisfy constraint: Member must not be null" },
        { "negative number", """{"ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": -1, "VolumeSizeInGB": 1}}""", "Value '-1' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 0" },
        { "51 tags", "{\"Tags\": [" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"{{\"Key\": \"k{i}\", \"Value\": \"v\"}}")) + "]}", "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" },
        { "nested list member", """{"InputDataConfig": [{"ChannelName": "bad channel!", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/k"}}}]}""", "at 'inputDataConfig.1.member.channelName' failed to satisfy constraint: Member must satisfy regular expression pattern" },
        { "hyperparameter value too long", $$$"""{"HyperParameters": {"eta": "{{{new string('1', 2501)}}}"}}""", "Member must have length less than or equal to 2500" },
    };

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "string for an integer", """{"ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": "one", "VolumeSizeInGB": 1}}""" },
        { "integer beyond 32 bits", """{"StoppingCondition": {"MaxRuntimeInSeconds": 99999999999}}""" },
        { "fraction for an integer", """{"StoppingCondition": {"MaxRuntimeInSeconds": 1.5}}""" },
        { "number for a string", """{"RoleArn": 12}""" },
        { "object for a list", """{"InputDataConfig": {"ChannelName": "train"}}""" },
        { "string for a boolean", """{"EnableNetworkIsolation": "yes"}""" },
        { "list for a map", """{"HyperParameters": ["a"]}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidTrainingJobs))]
    public async Task An_invalid_create_is_a_ValidationException_with_the_constraint_and_creates_nothing(string _, string change, string expected)
    {
        foreach (var doorName in ApiDoor.Names)
        {
            var name = Requests.Unique("bad");
            var request = Merge(Requests.TrainingJob(name), change);

            var response = await fixture.Door(doorName).InvokeAsync("CreateTrainingJob", request);
            var described = await fixture.Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", request["TrainingJobName"]!.GetValue<string>()));

            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("ValidationException", response.ErrorCode);
            Assert.Matches("^[12] validation errors? detected: ", response.Message);
            Assert.Contains(expected, response.Message, StringComparison.Ordinal);
            Assert.Equal("ValidationException", described.ErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task A_member_of_the_wrong_type_is_a_SerializationException_and_creates_nothing(string _, string change)
    {
        foreach (var doorName in ApiDoor.Names)
        {
            var name = Requests.Unique("bad");
            var response = await fixture.Door(doorName).InvokeAsync("CreateTrainingJob", Merge(Requests.TrainingJob(name), change));
            var described = await fixture.Wire.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));

            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("SerializationException", response.ErrorCode);
            Assert.Equal("ValidationException", described.ErrorCode);
        }
    }

    [Fact]
    public async Task Several_violations_are_reported_together()
    {
        var response = await fixture.Wire.InvokeAsync("CreateModel", new JsonObject { ["ModelName"] = "bad_name" + new string('x', 60) });

        Assert.StartsWith("2 validation errors detected: Value 'bad_name", response.Message, StringComparison.Ordinal);
        Assert.Contains("Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?; Value 'bad_name", response.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Rules_beyond_the_model_are_ValidationExceptions(string doorName)
    {
        var door = fixture.Door(doorName);
        var noImage = Requests.TrainingJob(Requests.Unique("bad"));
        noImage["AlgorithmSpecification"]!.AsObject().Remove("TrainingImage");
        var twoChannels = Requests.TrainingJob(Requests.Unique("bad"));
        twoChannels["InputDataConfig"]!.AsArray().Add(twoChannels["InputDataConfig"]![0]!.DeepClone());
        var processing = Requests.ProcessingJob(Requests.Unique("bad"));
        processing["ProcessingInputs"]![0]!["S3Input"]!["LocalPath"] = "/etc/passwd";
        var climbing = Requests.ProcessingJob(Requests.Unique("bad"));
        climbing["ProcessingOutputConfig"]!["Outputs"]![0]!["S3Output"]!["LocalPath"] = "/opt/ml/processing/../../../etc";
        var model = Requests.Unique("model");
        await door.InvokeAsync("CreateModel", Requests.Model(model));
        var transform = Requests.TransformJob(Requests.Unique("bad"), model);
        transform["MaxPayloadInMB"] = 50;
        transform["MaxConcurrentTransforms"] = 4;
        var bothContainers = Requests.Model(Requests.Unique("bad"));
        bothContainers["Containers"] = new JsonArray(bothContainers["PrimaryContainer"]!.DeepClone());

        foreach (var (operation, request) in new[] { ("CreateTrainingJob", noImage), ("CreateTrainingJob", twoChannels), ("CreateProcessingJob", processing), ("CreateProcessingJob", climbing), ("CreateTransformJob", transform), ("CreateModel", bothContainers) })
        {
            var response = await door.InvokeAsync(operation, request);
            Assert.True(response.ErrorCode == "ValidationException", $"{operation}: {response}");
        }
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_body_that_is_not_JSON_is_a_SerializationException(string doorName)
    {
        var response = await SendRawAsync(doorName, "{\"ModelName\": ");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("SerializationException", response.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_body_over_the_documented_limit_is_refused_with_a_400(string doorName)
    {
        var response = await SendRawAsync(doorName, "{\"ModelName\": \"" + new string('a', 4 * 1024 * 1024) + "\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("The request body exceeds the maximum size of 4194304 bytes.", response.Message);
    }

    [Fact]
    public async Task Headers_and_request_lines_over_the_documented_limits_are_refused_by_the_server_not_failed()
    {
        using var bigHeader = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        bigHeader.Headers.TryAddWithoutValidation("X-Padding", new string('a', 65 * 1024));
        using var manyHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        for (var i = 0; i < 101; i++)
        {
            manyHeaders.Headers.TryAddWithoutValidation($"X-Header-{i}", "x");
        }

        using var tooLarge = await fixture.Service.Http.SendAsync(bigHeader);
        using var tooMany = await fixture.Service.Http.SendAsync(manyHeaders);
        using var longLine = await fixture.Service.Http.GetAsync("/api/models?nameContains=" + new string('a', 9 * 1024));
        using var health = await fixture.Service.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longLine.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Random_bytes_never_produce_a_server_error()
    {
        var random = new Random(20261128);
        foreach (var operation in new[] { "CreateTrainingJob", "CreateModel", "ListModels", "AddTags", "UpdateEndpoint" })
        {
            for (var i = 0; i < 20; i++)
            {
                var bytes = new byte[random.Next(1, 300)];
                random.NextBytes(bytes);
                using var content = new ByteArrayContent(bytes);
                content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
                request.Headers.TryAddWithoutValidation("X-Amz-Target", $"SageMaker.{operation}");

                using var response = await fixture.Service.Http.SendAsync(request);

                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            }
        }
    }

    private async Task<ApiResponse> SendRawAsync(string doorName, string body)
    {
        if (doorName == "wire")
        {
            return await fixture.Wire.SendAsync("SageMaker.CreateModel", body);
        }

        using var response = await fixture.Service.Http.PostAsync("/api/models", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, JsonNode.Parse(text)!.AsObject(), response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    private static JsonObject Merge(JsonObject request, string change)
    {
        foreach (var (key, value) in JsonNode.Parse(change)!.AsObject())
        {
            if (value is null)
            {
                request.Remove(key);
            }
            else
            {
                request[key] = value.DeepClone();
            }
        }

        return request;
    }
}

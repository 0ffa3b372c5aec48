using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>Everything created survives a restart of the process, graceful or kill -9.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(ServiceFixture.WithoutWorkers);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_resource_and_tag_survives_a_restart(bool kill)
    {
        var (model, config, endpoint) = (Requests.Unique("model"), Requests.Unique("config"), Requests.Unique("endpoint"));
        var (training, processing, transform) = (Requests.Unique("train"), Requests.Unique("process"), Requests.Unique("transform"));
        var taggedModel = Requests.Model(model);
        taggedModel["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" });
        var describes = new (string Operation, string Member, string Name)[]
        {
            ("DescribeModel", "ModelName", model),
            ("DescribeEndpointConfig", "EndpointConfigName", config),
            ("DescribeEndpoint", "EndpointName", endpoint),
            ("DescribeTrainingJob", "TrainingJobName", training),
            ("DescribeProcessingJob", "ProcessingJobName", processing),
            ("DescribeTransformJob", "TransformJobName", transform),
        };

        var wire = new WireDoor(_service.Http);
        var modelArn = (await wire.InvokeAsync("CreateModel", taggedModel)).Body["ModelArn"]!.GetValue<string>();
        await wire.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model));
        await wire.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, config));
        await wire.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(training));
        await wire.InvokeAsync("CreateProcessingJob", Requests.ProcessingJob(processing));
        await wire.InvokeAsync("CreateTransformJob", Requests.TransformJob(transform, model));
        await wire.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", training));
        var before = new List<string>();
        foreach (var (operation, member, name) in describes)
        {
            before.Add((await wire.InvokeAsync(operation, Requests.Named(member, name))).Body.ToJsonString());
        }

        await _service.RestartAsync(kill);

        wire = new WireDoor(_service.Http);
        for (var i = 0; i < describes.Length; i++)
        {
            var (operation, member, name) = describes[i];
            var after = await wire.InvokeAsync(operation, Requests.Named(member, name));
            Assert.Equal(HttpStatusCode.OK, after.Status);
            Assert.Equal(before[i], after.Body.ToJsonString());
        }

        var tags = await wire.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = modelArn });
        Assert.Equal("[{\"Key\":\"team\",\"Value\":\"ml\"}]", tags.Body["Tags"]!.ToJsonString());
        var duplicate = await wire.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(training));
        Assert.Equal("ResourceInUse", duplicate.ErrorCode);
    }

    [Fact]
    public async Task A_page_token_issued_before_a_restart_still_works_after_it()
    {
        var wire = new WireDoor(_service.Http);
        var prefix = Requests.Unique("tok");
        for (var i = 0; i < 3; i++)
        {
            await wire.InvokeAsync("CreateModel", Requests.Model($"{prefix}-{i}"));
        }

        var first = await wire.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = prefix, ["MaxResults"] = 2 });

        await _service.RestartAsync();

        var second = await new WireDoor(_service.Http).InvokeAsync("ListModels", new JsonObject { ["NameContains"] = prefix, ["MaxResults"] = 2, ["NextToken"] = first.Body["NextToken"]!.GetValue<string>() });
        Assert.Equal($"{prefix}-0", Assert.Single(second.Body["Models"]!.AsArray())!["ModelName"]!.GetValue<string>());
    }
}

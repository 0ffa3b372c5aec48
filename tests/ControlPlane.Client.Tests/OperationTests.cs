using System.Net;
using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>Every one of the 29 operations through the typed client against the running service.</summary>
public sealed class OperationTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    private const string Arn = "arn:aws:sagemaker:us-east-1:123456789012";

    [Fact]
    public async Task Models_endpoint_configs_and_endpoints_are_created_described_listed_updated_and_deleted()
    {
        using var client = fixture.Client();
        var (model, config, endpoint) = (Shapes.Unique("model"), Shapes.Unique("config"), Shapes.Unique("endpoint"));

        var createdModel = await client.CreateModelAsync(Shapes.Model(model));
        var createdConfig = await client.CreateEndpointConfigAsync(Shapes.EndpointConfig(config, model));
        var createdEndpoint = await client.CreateEndpointAsync(new CreateEndpointInput { EndpointName = endpoint, EndpointConfigName = config });
        var describedModel = await client.DescribeModelAsync(new DescribeModelInput { ModelName = model });
        var describedConfig = await client.DescribeEndpointConfigAsync(new DescribeEndpointConfigInput { EndpointConfigName = config });
        var describedEndpoint = await client.DescribeEndpointAsync(new DescribeEndpointInput { EndpointName = endpoint });
        var models = await client.ListModelsAsync(new ListModelsInput { NameContains = model });
        var configs = await client.ListEndpointConfigsAsync(new ListEndpointConfigsInput { NameContains = config });
        var endpoints = await client.ListEndpointsAsync(new ListEndpointsInput { NameContains = endpoint, StatusEquals = EndpointStatus.Creating });
        // Hosting does not run endpoints yet on this branch, so they stay Creating and SageMaker refuses updates of in-progress endpoints.
        var update = await Assert.ThrowsAsync<ValidationException>(() => client.UpdateEndpointAsync(new UpdateEndpointInput { EndpointName = endpoint, EndpointConfigName = config }));
        var weights = await Assert.ThrowsAsync<ValidationException>(() => client.UpdateEndpointWeightsAndCapacitiesAsync(new UpdateEndpointWeightsAndCapacitiesInput
        {
            EndpointName = endpoint,
            DesiredWeightsAndCapacities = [new DesiredWeightAndCapacity { VariantName = "variant-1", DesiredWeight = 0.5f }],
        }));
        var deletedEndpoint = await client.DeleteEndpointAsync(new DeleteEndpointInput { EndpointName = endpoint });
        var deletedConfig = await client.DeleteEndpointConfigAsync(new DeleteEndpointConfigInput { EndpointConfigName = config });
        var deletedModel = await client.DeleteModelAsync(new DeleteModelInput { ModelName = model });
        var gone = await Assert.ThrowsAsync<ValidationException>(() => client.DescribeModelAsync(new DescribeModelInput { ModelName = model }));

        Assert.Equal($"{Arn}:model/{model}", createdModel.ModelArn);
        Assert.Equal($"{Arn}:endpoint-config/{config}", createdConfig.EndpointConfigArn);
        Assert.Equal($"{Arn}:endpoint/{endpoint}", createdEndpoint.EndpointArn);
        Assert.Equal(("fast", "s3://bucket/model.tar.gz"), (describedModel.PrimaryContainer!.Environment!["MODE"], describedModel.PrimaryContainer.ModelDataUrl));
        Assert.Equal(model, describedConfig.ProductionVariants!.Single().ModelName);
        Assert.Equal((EndpointStatus.Creating, config), (describedEndpoint.EndpointStatus, describedEndpoint.EndpointConfigName));
        Assert.InRange(describedEndpoint.CreationTime!.Value, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(DateTimeKind.Utc, describedEndpoint.CreationTime.Value.Kind);
        Assert.Equal(model, Assert.Single(models.Models!).ModelName);
        Assert.Equal(config, Assert.Single(configs.EndpointConfigs!).EndpointConfigName);
        Assert.Equal(endpoint, Assert.Single(endpoints.Endpoints!).EndpointName);
        Assert.Null(models.NextToken);
        Assert.Equal($"Cannot update in-progress endpoint \"{Arn}:endpoint/{endpoint}\".", update.Message);
        Assert.Equal("ValidationException", weights.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, deletedEndpoint.HttpStatusCode);
        Assert.All(new SageMakerResponse[] { deletedEndpoint, deletedConfig, deletedModel }, r => Assert.False(string.IsNullOrEmpty(r.ResponseMetadata.RequestId)));
        Assert.Equal($"Could not find model \"{Arn}:model/{model}\".", gone.Message);
    }

    [Fact]
    public async Task Training_jobs_are_created_described_listed_and_stopped()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("train");

        var created = await client.CreateTrainingJobAsync(Shapes.TrainingJob(name));
        var described = await client.DescribeTrainingJobAsync(new DescribeTrainingJobRequest { TrainingJobName = name });
        var listed = await client.ListTrainingJobsAsync(new ListTrainingJobsRequest { NameContains = name, StatusEquals = TrainingJobStatus.InProgress });
        var stopped = await client.StopTrainingJobAsync(new StopTrainingJobRequest { TrainingJobName = name });
        var stopping = await client.DescribeTrainingJobAsync(new DescribeTrainingJobRequest { TrainingJobName = name });

        Assert.Equal($"{Arn}:training-job/{name}", created.TrainingJobArn);
        Assert.Equal((TrainingJobStatus.InProgress, SecondaryStatus.Starting), (described.TrainingJobStatus, described.SecondaryStatus));
        Assert.Equal(("1", TrainingInstanceType.MlM5Large), (described.HyperParameters!["epochs"], described.ResourceConfig!.InstanceType));
        Assert.Equal(name, Assert.Single(listed.TrainingJobSummaries!).TrainingJobName);
        Assert.Equal(HttpStatusCode.OK, stopped.HttpStatusCode);
        Assert.Equal(TrainingJobStatus.Stopping, stopping.TrainingJobStatus);
    }

    [Fact]
    public async Task Processing_jobs_are_created_described_listed_and_stopped()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("process");

        var created = await client.CreateProcessingJobAsync(Shapes.ProcessingJob(name));
        var described = await client.DescribeProcessingJobAsync(new DescribeProcessingJobRequest { ProcessingJobName = name });
        var listed = await client.ListProcessingJobsAsync(new ListProcessingJobsRequest { NameContains = name });
        await client.StopProcessingJobAsync(new StopProcessingJobRequest { ProcessingJobName = name });
        var stopping = await client.DescribeProcessingJobAsync(new DescribeProcessingJobRequest { ProcessingJobName = name });

        Assert.Equal($"{Arn}:processing-job/{name}", created.ProcessingJobArn);
        Assert.Equal(ProcessingJobStatus.InProgress, described.ProcessingJobStatus);
        Assert.Equal("/opt/ml/processing/input", described.ProcessingInputs!.Single().S3Input!.LocalPath);
        Assert.Equal(name, Assert.Single(listed.ProcessingJobSummaries!).ProcessingJobName);
        Assert.Equal(ProcessingJobStatus.Stopping, stopping.ProcessingJobStatus);
    }

    [Fact]
    public async Task Transform_jobs_are_created_described_listed_and_stopped()
    {
        using var client = fixture.Client();
        var (model, name) = (Shapes.Unique("model"), Shapes.Unique("transform"));
        await client.CreateModelAsync(Shapes.Model(model));

        var created = await client.CreateTransformJobAsync(Shapes.TransformJob(name, model));
        var described = await client.DescribeTransformJobAsync(new DescribeTransformJobRequest { TransformJobName = name });
        var listed = await client.ListTransformJobsAsync(new ListTransformJobsRequest { NameContains = name });
        await client.StopTransformJobAsync(new StopTransformJobRequest { TransformJobName = name });
        var stopping = await client.DescribeTransformJobAsync(new DescribeTransformJobRequest { TransformJobName = name });

        Assert.Equal($"{Arn}:transform-job/{name}", created.TransformJobArn);
        Assert.Equal((TransformJobStatus.InProgress, 6), (described.TransformJobStatus, described.MaxPayloadInMB));
        Assert.Equal(name, Assert.Single(listed.TransformJobSummaries!).TransformJobName);
        Assert.Equal(TransformJobStatus.Stopping, stopping.TransformJobStatus);
    }

    [Fact]
    public async Task Tags_are_added_listed_and_deleted()
    {
        using var client = fixture.Client();
        var model = Shapes.Unique("model");
        var arn = (await client.CreateModelAsync(Shapes.Model(model))).ModelArn;

        var added = await client.AddTagsAsync(new AddTagsInput { ResourceArn = arn, Tags = [new Tag { Key = "team", Value = "ml" }, new Tag { Key = "stage", Value = "dev" }] });
        var listed = await client.ListTagsAsync(new ListTagsInput { ResourceArn = arn });
        await client.DeleteTagsAsync(new DeleteTagsInput { ResourceArn = arn, TagKeys = ["stage"] });
        var remaining = await client.ListTagsAsync(new ListTagsInput { ResourceArn = arn });

        Assert.Equal(2, added.Tags!.Count);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ml", ["stage"] = "dev" }, listed.Tags!.ToDictionary(t => t.Key!, t => t.Value!));
        Assert.Equal("team", Assert.Single(remaining.Tags!).Key);
    }

    [Fact]
    public async Task Timestamps_travel_as_epoch_seconds_both_ways()
    {
        using var client = fixture.Client();
        var model = Shapes.Unique("model");
        await client.CreateModelAsync(Shapes.Model(model));
        var created = (await client.DescribeModelAsync(new DescribeModelInput { ModelName = model })).CreationTime!.Value;

        var before = await client.ListModelsAsync(new ListModelsInput { NameContains = model, CreationTimeBefore = created.AddSeconds(-1) });
        var after = await client.ListModelsAsync(new ListModelsInput { NameContains = model, CreationTimeAfter = created.AddSeconds(-1) });

        Assert.Empty(before.Models!);
        Assert.Equal(created, Assert.Single(after.Models!).CreationTime);
    }
}

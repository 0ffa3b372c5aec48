using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>Every operation of every resource type, through both front doors, with SageMaker's errors.</summary>
public sealed class ResourceLifecycleTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Arn = "arn:aws:sagemaker:us-east-1:123456789012";

    public static TheoryData<string> Doors => new(ApiDoor.Names);

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_training_job_is_created_InProgress_described_with_defaults_listed_and_stopped(string doorName)
    {
        var door = fixture.Door(doorName);
        var name = Requests.Unique("train");

        var created = await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(name));
        var described = await door.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));

        Assert.Equal($"{Arn}:training-job/{name}", created.Body["TrainingJobArn"]!.GetValue<string>());
        var job = described.Body;
        Assert.Equal("InProgress", job["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("Starting", job["SecondaryStatus"]!.GetValue<string>());
        Assert.Equal("Starting the training job", job["SecondaryStatusTransitions"]![0]!["StatusMessage"]!.GetValue<string>());
        Assert.Equal($"s3://bucket/output/{name}/output/model.tar.gz", job["ModelArtifacts"]!["S3ModelArtifacts"]!.GetValue<string>());
        Assert.Equal(string.Empty, job["OutputDataConfig"]!["KmsKeyId"]!.GetValue<string>());
        Assert.Equal("10", job["HyperParameters"]!["num_round"]!.GetValue<string>());
        Assert.Equal("FullyReplicated", job["InputDataConfig"]![0]!["DataSource"]!["S3DataSource"]!["S3DataDistributionType"]!.GetValue<string>());
        Assert.Equal(3600, job["StoppingCondition"]!["MaxRuntimeInSeconds"]!.GetValue<int>());
        Assert.False(job["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.False(job.ContainsKey("Tags"));

        var listed = await door.InvokeAsync("ListTrainingJobs", new JsonObject { ["NameContains"] = name });
        var summary = Assert.Single(listed.Body["TrainingJobSummaries"]!.AsArray())!;
        Assert.Equal("InProgress", summary["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("Starting", summary["SecondaryStatus"]!.GetValue<string>());

        var stopped = await door.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));
        var stopping = await door.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", name));
        var stoppedAgain = await door.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", name));

        Assert.Equal(HttpStatusCode.OK, stopped.Status);
        Assert.Equal("Stopping", stopping.Body["TrainingJobStatus"]!.GetValue<string>());
        Assert.Equal("Stopping", stopping.Body["SecondaryStatus"]!.GetValue<string>());
        Assert.NotNull(stopping.Body["SecondaryStatusTransitions"]![0]!["EndTime"]);
        Assert.Equal(HttpStatusCode.OK, stoppedAgain.Status);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_duplicate_training_job_name_is_ResourceInUse_and_an_unknown_one_is_not_found(string doorName)
    {
        var door = fixture.Door(doorName);
        var name = Requests.Unique("train");
        await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(name));

        var duplicate = await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(name));
        var differentCase = await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(name.ToUpperInvariant()));
        var unknown = await door.InvokeAsync("DescribeTrainingJob", Requests.Named("TrainingJobName", "never-created"));
        var stopUnknown = await door.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", "never-created"));

        Assert.Equal("ResourceInUse", duplicate.ErrorCode);
        Assert.Equal($"Training job names must be unique within an AWS account and region, and a training job with this name already exists ({Arn}:training-job/{name})", duplicate.Message);
        Assert.Equal("ResourceInUse", differentCase.ErrorCode);
        Assert.Equal(("ValidationException", "Requested resource not found."), (unknown.ErrorCode, unknown.Message));
        Assert.Equal("ValidationException", stopUnknown.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_processing_job_is_created_described_listed_and_stopped(string doorName)
    {
        var door = fixture.Door(doorName);
        var name = Requests.Unique("process");

        var created = await door.InvokeAsync("CreateProcessingJob", Requests.ProcessingJob(name));
        var duplicate = await door.InvokeAsync("CreateProcessingJob", Requests.ProcessingJob(name));
        var described = await door.InvokeAsync("DescribeProcessingJob", Requests.Named("ProcessingJobName", name));
        var listed = await door.InvokeAsync("ListProcessingJobs", new JsonObject { ["NameContains"] = name, ["StatusEquals"] = "InProgress" });
        await door.InvokeAsync("StopProcessingJob", Requests.Named("ProcessingJobName", name));
        var stopping = await door.InvokeAsync("DescribeProcessingJob", Requests.Named("ProcessingJobName", name));
        var unknown = await door.InvokeAsync("DescribeProcessingJob", Requests.Named("ProcessingJobName", "never-created"));

        Assert.Equal($"{Arn}:processing-job/{name}", created.Body["ProcessingJobArn"]!.GetValue<string>());
        Assert.Equal("ResourceInUse", duplicate.ErrorCode);
        Assert.Equal("InProgress", described.Body["ProcessingJobStatus"]!.GetValue<string>());
        var input = described.Body["ProcessingInputs"]![0]!["S3Input"]!;
        Assert.Equal(("File", "FullyReplicated", "None"), (input["S3InputMode"]!.GetValue<string>(), input["S3DataDistributionType"]!.GetValue<string>(), input["S3CompressionType"]!.GetValue<string>()));
        Assert.Single(listed.Body["ProcessingJobSummaries"]!.AsArray());
        Assert.Equal("Stopping", stopping.Body["ProcessingJobStatus"]!.GetValue<string>());
        Assert.Equal("ValidationException", unknown.ErrorCode);
        Assert.StartsWith("Could not find processing job", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_model_is_created_described_listed_and_deleted(string doorName)
    {
        var door = fixture.Door(doorName);
        var name = Requests.Unique("Model");

        var created = await door.InvokeAsync("CreateModel", Requests.Model(name));
        var duplicate = await door.InvokeAsync("CreateModel", Requests.Model(name));
        var described = await door.InvokeAsync("DescribeModel", Requests.Named("ModelName", name));
        var listed = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = name });
        var deleted = await door.InvokeAsync("DeleteModel", Requests.Named("ModelName", name));
        var gone = await door.InvokeAsync("DescribeModel", Requests.Named("ModelName", name));
        var deletedAgain = await door.InvokeAsync("DeleteModel", Requests.Named("ModelName", name));
        var recreated = await door.InvokeAsync("CreateModel", Requests.Model(name));

        var arn = $"{Arn}:model/{name.ToLowerInvariant()}";
        Assert.Equal(arn, created.Body["ModelArn"]!.GetValue<string>());
        Assert.Equal(("ValidationException", $"Cannot create already existing model \"{arn}\"."), (duplicate.ErrorCode, duplicate.Message));
        Assert.Equal(name, described.Body["ModelName"]!.GetValue<string>());
        Assert.Equal("SingleModel", described.Body["PrimaryContainer"]!["Mode"]!.GetValue<string>());
        Assert.Equal("fast", described.Body["PrimaryContainer"]!["Environment"]!["MODE"]!.GetValue<string>());
        Assert.Single(listed.Body["Models"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(("ValidationException", $"Could not find model \"{arn}\"."), (gone.ErrorCode, gone.Message));
        Assert.Equal("ValidationException", deletedAgain.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, recreated.Status);
    }

    [Fact]
    public async Task Concurrent_creates_each_get_their_own_answer_and_one_name_is_created_once()
    {
        var door = fixture.Door(ApiDoor.Names[0]);
        var prefix = Requests.Unique("Burst");
        var contested = Requests.Unique("Contested");

        var distinct = Enumerable.Range(0, 64).Select(i => door.InvokeAsync("CreateModel", Requests.Model($"{prefix}-{i}")));
        var sameName = Enumerable.Range(0, 16).Select(_ => door.InvokeAsync("CreateModel", Requests.Model(contested)));
        var answers = await Task.WhenAll(distinct.Concat(sameName));
        var listed = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = prefix, ["MaxResults"] = 100 });

        Assert.All(answers[..64], answer => Assert.Equal(HttpStatusCode.OK, answer.Status));
        Assert.Equal(64, answers[..64].Select(answer => answer.Body["ModelArn"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(64, listed.Body["Models"]!.AsArray().Count);
        Assert.Single(answers[64..], answer => answer.Status == HttpStatusCode.OK);
        Assert.All(answers[64..].Where(answer => answer.Status != HttpStatusCode.OK), answer => Assert.Equal("ValidationException", answer.ErrorCode));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task An_endpoint_config_needs_existing_models_and_is_deleted_while_in_use(string doorName)
    {
        var door = fixture.Door(doorName);
        var model = Requests.Unique("model");
        var config = Requests.Unique("config");
        await door.InvokeAsync("CreateModel", Requests.Model(model));

        var withUnknownModel = await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, "missing-model"));
        var created = await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model));
        var duplicate = await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model));
        var described = await door.InvokeAsync("DescribeEndpointConfig", Requests.Named("EndpointConfigName", config));
        var listed = await door.InvokeAsync("ListEndpointConfigs", new JsonObject { ["NameContains"] = config });
        var endpoint = Requests.Unique("endpoint");
        await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, config));
        var modelDeleted = await door.InvokeAsync("DeleteModel", Requests.Named("ModelName", model));
        var configDeleted = await door.InvokeAsync("DeleteEndpointConfig", Requests.Named("EndpointConfigName", config));
        var gone = await door.InvokeAsync("DescribeEndpointConfig", Requests.Named("EndpointConfigName", config));
        var endpointStillThere = await door.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", endpoint));

        Assert.Equal(("ValidationException", $"Could not find model \"{Arn}:model/missing-model\"."), (withUnknownModel.ErrorCode, withUnknownModel.Message));
        Assert.Equal($"{Arn}:endpoint-config/{config}", created.Body["EndpointConfigArn"]!.GetValue<string>());
        Assert.Equal($"Cannot create already existing endpoint configuration \"{Arn}:endpoint-config/{config}\".", duplicate.Message);
        Assert.Equal(1.0, described.Body["ProductionVariants"]![0]!["InitialVariantWeight"]!.GetValue<double>());
        Assert.Single(listed.Body["EndpointConfigs"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, modelDeleted.Status);
        Assert.Equal(HttpStatusCode.OK, configDeleted.Status);
        Assert.Equal($"Could not find endpoint configuration \"{Arn}:endpoint-config/{config}\".", gone.Message);
        Assert.Equal(HttpStatusCode.OK, endpointStillThere.Status);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task An_endpoint_is_Creating_with_its_variants_and_deleting_it_makes_it_unknown(string doorName)
    {
        var door = fixture.Door(doorName);
        var (model, config, endpoint) = (Requests.Unique("model"), Requests.Unique("config"), Requests.Unique("Endpoint"));
        await door.InvokeAsync("CreateModel", Requests.Model(model));
        await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model));

        var withUnknownConfig = await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, "missing-config"));
        var created = await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, config));
        var duplicate = await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, config));
        var described = await door.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", endpoint));
        var listed = await door.InvokeAsync("ListEndpoints", new JsonObject { ["StatusEquals"] = "Creating", ["NameContains"] = endpoint });
        var deleted = await door.InvokeAsync("DeleteEndpoint", Requests.Named("EndpointName", endpoint));
        var gone = await door.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", endpoint));

        var arn = $"{Arn}:endpoint/{endpoint.ToLowerInvariant()}";
        Assert.Equal($"Could not find endpoint configuration \"{Arn}:endpoint-config/missing-config\".", withUnknownConfig.Message);
        Assert.Equal(arn, created.Body["EndpointArn"]!.GetValue<string>());
        Assert.Equal($"Cannot create already existing endpoint \"{arn}\".", duplicate.Message);
        Assert.Equal("Creating", described.Body["EndpointStatus"]!.GetValue<string>());
        Assert.Equal(config, described.Body["EndpointConfigName"]!.GetValue<string>());
        var variant = described.Body["ProductionVariants"]![0]!;
        Assert.Equal(("variant-1", 1.0, 1), (variant["VariantName"]!.GetValue<string>(), variant["DesiredWeight"]!.GetValue<double>(), variant["DesiredInstanceCount"]!.GetValue<int>()));
        Assert.NotNull(described.Body["LastModifiedTime"]);
        Assert.Single(listed.Body["Endpoints"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(("ValidationException", $"Could not find endpoint \"{arn}\"."), (gone.ErrorCode, gone.Message));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Updating_an_endpoint_needs_an_existing_config_and_an_InService_endpoint(string doorName)
    {
        var door = fixture.Door(doorName);
        var (model, config, endpoint) = (Requests.Unique("model"), Requests.Unique("config"), Requests.Unique("endpoint"));
        await door.InvokeAsync("CreateModel", Requests.Model(model));
        await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model));
        await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, config));

        var unknownEndpoint = await door.InvokeAsync("UpdateEndpoint", Requests.Endpoint("missing-endpoint", config));
        var missingConfig = await door.InvokeAsync("UpdateEndpoint", Requests.Endpoint(endpoint, "missing-config"));
        var whileCreating = await door.InvokeAsync("UpdateEndpoint", Requests.Endpoint(endpoint, config));
        var weights = await door.InvokeAsync("UpdateEndpointWeightsAndCapacities", new JsonObject
        {
            ["EndpointName"] = endpoint,
            ["DesiredWeightsAndCapacities"] = new JsonArray(new JsonObject { ["VariantName"] = "variant-1", ["DesiredWeight"] = 0.5 }),
        });
        var unchanged = await door.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", endpoint));

        Assert.Equal($"Could not find endpoint \"{Arn}:endpoint/missing-endpoint\".", unknownEndpoint.Message);
        Assert.Equal($"Could not find endpoint configuration \"{Arn}:endpoint-config/missing-config\".", missingConfig.Message);
        Assert.Equal(("ValidationException", $"Cannot update in-progress endpoint \"{Arn}:endpoint/{endpoint}\"."), (whileCreating.ErrorCode, whileCreating.Message));
        Assert.Equal("ValidationException", weights.ErrorCode);
        Assert.Equal("Creating", unchanged.Body["EndpointStatus"]!.GetValue<string>());
        Assert.Equal(1.0, unchanged.Body["ProductionVariants"]![0]!["DesiredWeight"]!.GetValue<double>());
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_transform_job_needs_an_existing_model_and_is_created_described_listed_and_stopped(string doorName)
    {
        var door = fixture.Door(doorName);
        var (model, name) = (Requests.Unique("model"), Requests.Unique("transform"));
        await door.InvokeAsync("CreateModel", Requests.Model(model));

        var withUnknownModel = await door.InvokeAsync("CreateTransformJob", Requests.TransformJob(name, "missing-model"));
        var created = await door.InvokeAsync("CreateTransformJob", Requests.TransformJob(name, model));
        var duplicate = await door.InvokeAsync("CreateTransformJob", Requests.TransformJob(name, model));
        var described = await door.InvokeAsync("DescribeTransformJob", Requests.Named("TransformJobName", name));
        var listed = await door.InvokeAsync("ListTransformJobs", new JsonObject { ["NameContains"] = name });
        await door.InvokeAsync("StopTransformJob", Requests.Named("TransformJobName", name));
        var stopping = await door.InvokeAsync("DescribeTransformJob", Requests.Named("TransformJobName", name));
        var unknown = await door.InvokeAsync("StopTransformJob", Requests.Named("TransformJobName", "never-created"));

        Assert.Equal($"Could not find model \"{Arn}:model/missing-model\".", withUnknownModel.Message);
        Assert.Equal($"{Arn}:transform-job/{name}", created.Body["TransformJobArn"]!.GetValue<string>());
        Assert.Equal("ResourceInUse", duplicate.ErrorCode);
        Assert.Equal(("InProgress", 6), (described.Body["TransformJobStatus"]!.GetValue<string>(), described.Body["MaxPayloadInMB"]!.GetValue<int>()));
        Assert.Equal(600, described.Body["ModelClientConfig"]!["InvocationsTimeoutInSeconds"]!.GetValue<int>());
        Assert.Equal("None", described.Body["TransformInput"]!["CompressionType"]!.GetValue<string>());
        Assert.Single(listed.Body["TransformJobSummaries"]!.AsArray());
        Assert.Equal("Stopping", stopping.Body["TransformJobStatus"]!.GetValue<string>());
        Assert.StartsWith("Could not find transform job", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Tags_are_added_listed_overwritten_and_deleted_on_every_resource_type(string doorName)
    {
        var door = fixture.Door(doorName);
        var model = Requests.Unique("model");
        var config = Requests.Unique("config");
        var arns = new List<string>
        {
            (await door.InvokeAsync("CreateModel", Requests.Model(model))).Body["ModelArn"]!.GetValue<string>(),
            (await door.InvokeAsync("CreateEndpointConfig", Requests.EndpointConfig(config, model))).Body["EndpointConfigArn"]!.GetValue<string>(),
            (await door.InvokeAsync("CreateEndpoint", Requests.Endpoint(Requests.Unique("endpoint"), config))).Body["EndpointArn"]!.GetValue<string>(),
            (await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(Requests.Unique("train")))).Body["TrainingJobArn"]!.GetValue<string>(),
            (await door.InvokeAsync("CreateProcessingJob", Requests.ProcessingJob(Requests.Unique("process")))).Body["ProcessingJobArn"]!.GetValue<string>(),
            (await door.InvokeAsync("CreateTransformJob", Requests.TransformJob(Requests.Unique("transform"), model))).Body["TransformJobArn"]!.GetValue<string>(),
        };

        foreach (var arn in arns)
        {
            var added = await door.InvokeAsync("AddTags", new JsonObject
            {
                ["ResourceArn"] = arn[..(arn.IndexOf('/', StringComparison.Ordinal) + 1)] + arn[(arn.IndexOf('/', StringComparison.Ordinal) + 1)..].ToUpperInvariant(),
                ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "ml" }, new JsonObject { ["Key"] = "cost", ["Value"] = "1" }),
            });
            await door.InvokeAsync("AddTags", new JsonObject { ["ResourceArn"] = arn, ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "cost", ["Value"] = "2" }) });
            var listed = await door.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = arn });
            await door.InvokeAsync("DeleteTags", new JsonObject { ["ResourceArn"] = arn, ["TagKeys"] = new JsonArray("team") });
            var afterDelete = await door.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = arn });

            Assert.Equal(HttpStatusCode.OK, added.Status);
            Assert.Equal(2, added.Body["Tags"]!.AsArray().Count);
            Assert.Equal("[{\"Key\":\"cost\",\"Value\":\"2\"},{\"Key\":\"team\",\"Value\":\"ml\"}]", listed.Body["Tags"]!.ToJsonString());
            Assert.Equal("[{\"Key\":\"cost\",\"Value\":\"2\"}]", afterDelete.Body["Tags"]!.ToJsonString());
        }
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Tags_given_at_creation_are_listed_and_tags_of_an_unknown_resource_are_an_error(string doorName)
    {
        var door = fixture.Door(doorName);
        var request = Requests.Model(Requests.Unique("model"));
        request["Tags"] = new JsonArray(new JsonObject { ["Key"] = "project", ["Value"] = "churn" });
        var arn = (await door.InvokeAsync("CreateModel", request)).Body["ModelArn"]!.GetValue<string>();

        var listed = await door.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = arn });
        var unknown = await door.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = $"{Arn}:model/never-created" });
        var addUnknown = await door.InvokeAsync("AddTags", new JsonObject { ["ResourceArn"] = $"{Arn}:model/never-created", ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "a", ["Value"] = "b" }) });

        Assert.Equal("[{\"Key\":\"project\",\"Value\":\"churn\"}]", listed.Body["Tags"]!.ToJsonString());
        Assert.Equal(("ValidationException", "Resource does not exist"), (unknown.ErrorCode, unknown.Message));
        Assert.Equal("ValidationException", addUnknown.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_resource_may_not_hold_more_than_50_tags(string doorName)
    {
        var door = fixture.Door(doorName);
        var arn = (await door.InvokeAsync("CreateModel", Requests.Model(Requests.Unique("model")))).Body["ModelArn"]!.GetValue<string>();
        JsonArray Tags(int from) => new(Enumerable.Range(from, 30).Select(i => (JsonNode)new JsonObject { ["Key"] = $"k{i}", ["Value"] = "v" }).ToArray());

        var first = await door.InvokeAsync("AddTags", new JsonObject { ["ResourceArn"] = arn, ["Tags"] = Tags(0) });
        var second = await door.InvokeAsync("AddTags", new JsonObject { ["ResourceArn"] = arn, ["Tags"] = Tags(30) });
        var listed = await door.InvokeAsync("ListTags", new JsonObject { ["ResourceArn"] = arn });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("ValidationException", second.ErrorCode);
        Assert.Equal(30, listed.Body["Tags"]!.AsArray().Count);
    }
}

using System.Text.Json.Nodes;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>Valid Create requests, as the SageMaker Python SDK would send them.</summary>
public static class Requests
{
    /// <summary>The account the service runs requests in by default.</summary>
    public const string AccountId = "123456789012";
    public const string Role = "arn:aws:iam::123456789012:role/SageMakerRole";
    public const string Image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1";

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];

    public static JsonObject TrainingJob(string name) => new()
    {
        ["TrainingJobName"] = name,
        ["RoleArn"] = Role,
        ["AlgorithmSpecification"] = new JsonObject { ["TrainingImage"] = Image, ["TrainingInputMode"] = "File" },
        ["InputDataConfig"] = new JsonArray(new JsonObject
        {
            ["ChannelName"] = "train",
            ["DataSource"] = new JsonObject { ["S3DataSource"] = new JsonObject { ["S3DataType"] = "S3Prefix", ["S3Uri"] = "s3://bucket/train/" } },
            ["ContentType"] = "text/csv",
        }),
        ["OutputDataConfig"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/output/" },
        ["ResourceConfig"] = new JsonObject { ["InstanceType"] = "ml.m5.large", ["InstanceCount"] = 1, ["VolumeSizeInGB"] = 10 },
        ["StoppingCondition"] = new JsonObject { ["MaxRuntimeInSeconds"] = 3600 },
        ["HyperParameters"] = new JsonObject { ["num_round"] = "10" },
    };

    public static JsonObject ProcessingJob(string name) => new()
    {
        ["ProcessingJobName"] = name,
        ["RoleArn"] = Role,
        ["ProcessingResources"] = new JsonObject
        {
            ["ClusterConfig"] = new JsonObject { ["InstanceCount"] = 1, ["InstanceType"] = "ml.m5.large", ["VolumeSizeInGB"] = 10 },
        },
        ["AppSpecification"] = new JsonObject { ["ImageUri"] = Image, ["ContainerEntrypoint"] = new JsonArray("python3", "/opt/ml/processing/code/run.py") },
        ["ProcessingInputs"] = new JsonArray(new JsonObject
        {
            ["InputName"] = "raw",
            ["S3Input"] = new JsonObject { ["S3Uri"] = "s3://bucket/raw/", ["LocalPath"] = "/opt/ml/processing/input", ["S3DataType"] = "S3Prefix" },
        }),
        ["ProcessingOutputConfig"] = new JsonObject
        {
            ["Outputs"] = new JsonArray(new JsonObject
            {
                ["OutputName"] = "clean",
                ["S3Output"] = new JsonObject { ["S3Uri"] = "s3://bucket/clean/", ["LocalPath"] = "/opt/ml/processing/output", ["S3UploadMode"] = "EndOfJob" },
            }),
        },
    };

    public static JsonObject Model(string name) => new()
    {
        ["ModelName"] = name,
        ["PrimaryContainer"] = new JsonObject { ["Image"] = Image, ["ModelDataUrl"] = "s3://bucket/model.tar.gz", ["Environment"] = new JsonObject { ["MODE"] = "fast" } },
        ["ExecutionRoleArn"] = Role,
    };

    public static JsonObject EndpointConfig(string name, params string[] models) => new()
    {
        ["EndpointConfigName"] = name,
        ["ProductionVariants"] = new JsonArray(models.Select((model, i) => (JsonNode)new JsonObject
        {
            ["VariantName"] = $"variant-{i + 1}",
            ["ModelName"] = model,
            ["InitialInstanceCount"] = 1,
            ["InstanceType"] = "ml.m5.large",
        }).ToArray()),
    };

    public static JsonObject Endpoint(string name, string config) => new() { ["EndpointName"] = name, ["EndpointConfigName"] = config };

    public static JsonObject TransformJob(string name, string model) => new()
    {
        ["TransformJobName"] = name,
        ["ModelName"] = model,
        ["TransformInput"] = new JsonObject
        {
            ["DataSource"] = new JsonObject { ["S3DataSource"] = new JsonObject { ["S3DataType"] = "S3Prefix", ["S3Uri"] = "s3://bucket/batch/" } },
            ["ContentType"] = "text/csv",
            ["SplitType"] = "Line",
        },
        ["TransformOutput"] = new JsonObject { ["S3OutputPath"] = "s3://bucket/batch-out/" },
        ["TransformResources"] = new JsonObject { ["InstanceType"] = "ml.m5.large", ["InstanceCount"] = 1 },
    };

    public static JsonObject Named(string member, string name) => new() { [member] = name };
}

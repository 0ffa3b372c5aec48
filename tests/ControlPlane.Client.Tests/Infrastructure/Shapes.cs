using ControlPlane.Client.Model;

namespace ControlPlane.Client.Tests.Infrastructure;

/// <summary>Valid Create requests in the client's typed shapes.</summary>
public static class Shapes
{
    public const string Role = "arn:aws:iam::123456789012:role/SageMakerRole";
    public const string Image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1";

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];

    public static CreateTrainingJobRequest TrainingJob(string name, string image = Image, Dictionary<string, string>? hyperParameters = null) => new()
    {
        TrainingJobName = name,
        RoleArn = Role,
        AlgorithmSpecification = new AlgorithmSpecification { TrainingImage = image, TrainingInputMode = TrainingInputMode.File },
        InputDataConfig =
        [
            new Channel
            {
                ChannelName = "train",
                ContentType = "text/csv",
                DataSource = new DataSource { S3DataSource = new S3DataSource { S3DataType = S3DataType.S3Prefix, S3Uri = "s3://bucket/train/" } },
            },
        ],
        OutputDataConfig = new OutputDataConfig { S3OutputPath = "s3://bucket/output/" },
        ResourceConfig = new ResourceConfig { InstanceType = TrainingInstanceType.MlM5Large, InstanceCount = 1, VolumeSizeInGB = 10 },
        StoppingCondition = new StoppingCondition { MaxRuntimeInSeconds = 3600 },
        HyperParameters = hyperParameters ?? new() { ["epochs"] = "1" },
    };

    public static CreateProcessingJobRequest ProcessingJob(string name, string image = Image, params string[] arguments) => new()
    {
        ProcessingJobName = name,
        RoleArn = Role,
        ProcessingResources = new ProcessingResources
        {
            ClusterConfig = new ProcessingClusterConfig { InstanceCount = 1, InstanceType = ProcessingInstanceType.MlM5Large, VolumeSizeInGB = 10 },
        },
        AppSpecification = new AppSpecification { ImageUri = image, ContainerArguments = arguments.Length == 0 ? null : [.. arguments] },
        ProcessingInputs =
        [
            new ProcessingInput
            {
                InputName = "raw",
                S3Input = new ProcessingS3Input { S3Uri = "s3://bucket/raw/", LocalPath = "/opt/ml/processing/input", S3DataType = ProcessingS3DataType.S3Prefix, S3InputMode = ProcessingS3InputMode.File },
            },
        ],
        ProcessingOutputConfig = new ProcessingOutputConfig
        {
            Outputs =
            [
                new ProcessingOutput
                {
                    OutputName = "clean",
                    S3Output = new ProcessingS3Output { S3Uri = "s3://bucket/clean/", LocalPath = "/opt/ml/processing/output", S3UploadMode = ProcessingS3UploadMode.EndOfJob },
                },
            ],
        },
    };

    public static CreateModelInput Model(string name) => new()
    {
        ModelName = name,
        PrimaryContainer = new ContainerDefinition { Image = Image, ModelDataUrl = "s3://bucket/model.tar.gz", Environment = new() { ["MODE"] = "fast" } },
        ExecutionRoleArn = Role,
    };

    public static CreateEndpointConfigInput EndpointConfig(string name, string model) => new()
    {
        EndpointConfigName = name,
        ProductionVariants =
        [
            new ProductionVariant { VariantName = "variant-1", ModelName = model, InitialInstanceCount = 1, InstanceType = ProductionVariantInstanceType.MlM5Large },
        ],
    };

    public static CreateTransformJobRequest TransformJob(string name, string model) => new()
    {
        TransformJobName = name,
        ModelName = model,
        TransformInput = new TransformInput
        {
            DataSource = new TransformDataSource { S3DataSource = new TransformS3DataSource { S3DataType = S3DataType.S3Prefix, S3Uri = "s3://bucket/batch/" } },
            ContentType = "text/csv",
            SplitType = SplitType.Line,
        },
        TransformOutput = new TransformOutput { S3OutputPath = "s3://bucket/batch-out/" },
        TransformResources = new TransformResources { InstanceType = TransformInstanceType.MlM5Large, InstanceCount = 1 },
    };

    /// <summary>A model, an endpoint config and an endpoint (which stays Creating until hosting runs it).</summary>
    public static async Task<(string Model, string Config, string Endpoint)> EndpointAsync(ISageMakerClient client)
    {
        var (model, config, endpoint) = (Unique("model"), Unique("config"), Unique("endpoint"));
        await client.CreateModelAsync(Model(model));
        await client.CreateEndpointConfigAsync(EndpointConfig(config, model));
        await client.CreateEndpointAsync(new CreateEndpointInput { EndpointName = endpoint, EndpointConfigName = config });
        return (model, config, endpoint);
    }
}

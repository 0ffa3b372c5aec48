namespace ControlPlane.Core.Resources;

/// <summary>The SageMaker resource types this control plane keeps.</summary>
public enum ResourceKind
{
    TrainingJob = 1,
    ProcessingJob = 2,
    TransformJob = 3,
    Model = 4,
    EndpointConfig = 5,
    Endpoint = 6,
}

/// <summary>What the wire contract says about each resource type: its ARN segment, names and messages.</summary>
public sealed record ResourceType(
    ResourceKind Kind,
    string ArnSegment,
    string Noun,
    string NameMember,
    string ArnMember,
    string? StatusMember,
    bool LowerCaseArnName)
{
    public static readonly ResourceType TrainingJob = new(ResourceKind.TrainingJob, "training-job", "training job", "TrainingJobName", "TrainingJobArn", "TrainingJobStatus", false);
    public static readonly ResourceType ProcessingJob = new(ResourceKind.ProcessingJob, "processing-job", "processing job", "ProcessingJobName", "ProcessingJobArn", "ProcessingJobStatus", false);
    public static readonly ResourceType TransformJob = new(ResourceKind.TransformJob, "transform-job", "transform job", "TransformJobName", "TransformJobArn", "TransformJobStatus", false);
    public static readonly ResourceType Model = new(ResourceKind.Model, "model", "model", "ModelName", "ModelArn", null, true);
    public static readonly ResourceType EndpointConfig = new(ResourceKind.EndpointConfig, "endpoint-config", "endpoint configuration", "EndpointConfigName", "EndpointConfigArn", null, true);
    public static readonly ResourceType Endpoint = new(ResourceKind.Endpoint, "endpoint", "endpoint", "EndpointName", "EndpointArn", "EndpointStatus", true);

    public static IReadOnlyList<ResourceType> All { get; } = [TrainingJob, ProcessingJob, TransformJob, Model, EndpointConfig, Endpoint];

    public static ResourceType Of(ResourceKind kind) => All[(int)kind - 1];

    /// <summary>SageMaker prints model, endpoint-config and endpoint ARNs with the name lower-cased.</summary>
    public string Arn(ResourceScope scope, string name) =>
        $"arn:{scope.Partition}:sagemaker:{scope.Region}:{scope.AccountId}:{ArnSegment}/{(LowerCaseArnName ? name.ToLowerInvariant() : name)}";
}

/// <summary>Where a request's resources live: the ARN partition, region and account.</summary>
public sealed record ResourceScope(string Partition, string Region, string AccountId);

using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;
using ControlPlane.Core.ServiceModel;
using ControlPlane.Core.Transform;
using ControlPlane.Core.Validation;

namespace ControlPlane.Core.Documents;

/// <summary>
/// Builds the stored document of a new resource from its validated Create request: the Describe response echoes the
/// request, with the defaults SageMaker fills in and the status fields of a new resource. The rules the service model
/// cannot express (one of two members, unique names within a request) are checked here.
/// </summary>
public static class ResourceDocuments
{
    private static readonly SageMakerServiceModel ServiceModel = SageMakerServiceModel.Current;

    public static Result<JsonObject> TrainingJob(JsonObject request, ResourceScope scope, DateTimeOffset now)
    {
        var name = request.GetString("TrainingJobName")!;
        if (request.GetObject("AlgorithmSpecification") is not { } algorithm)
        {
            return Missing("algorithmSpecification");
        }

        if (algorithm.ContainsKey("TrainingImage") == algorithm.ContainsKey("AlgorithmName"))
        {
            return ApiError.Validation("Exactly one of AlgorithmSpecification.TrainingImage and AlgorithmSpecification.AlgorithmName must be specified.");
        }

        if (Duplicate(request.GetArray("InputDataConfig"), "ChannelName") is { } channel)
        {
            return ApiError.Validation($"Channel names must be unique within a training job; '{channel}' appears more than once.");
        }

        var document = Echo(request, "DescribeTrainingJobResponse", scope, ResourceType.TrainingJob, name, now);
        var output = document.Ensure("OutputDataConfig");
        output.Default("KmsKeyId", string.Empty);
        document["ModelArtifacts"] = new JsonObject
        {
            ["S3ModelArtifacts"] = $"{output.GetString("S3OutputPath")!.TrimEnd('/')}/{name}/output/model.tar.gz",
        };
        document["TrainingJobStatus"] = JobStatus.InProgress;
        document.Ensure("AlgorithmSpecification").Default("EnableSageMakerMetricsTimeSeries", false);
        document.Default("ResourceConfig", new JsonObject { ["InstanceCount"] = 1, ["VolumeSizeInGB"] = 30 });
        document.Ensure("StoppingCondition").Default("MaxRuntimeInSeconds", 86400);
        document.Default("EnableNetworkIsolation", false)
            .Default("EnableInterContainerTrafficEncryption", false)
            .Default("EnableManagedSpotTraining", false);
        foreach (var input in document.GetArray("InputDataConfig").Objects())
        {
            input.Default("CompressionType", "None").Default("RecordWrapperType", "None");
            input.GetObject("DataSource")?.GetObject("S3DataSource")?.Default("S3DataDistributionType", "FullyReplicated");
        }

        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Starting, "Starting the training job", now);
        return document;
    }

    public static Result<JsonObject> ProcessingJob(JsonObject request, ResourceScope scope, DateTimeOffset now)
    {
        var inputs = request.GetArray("ProcessingInputs");
        var outputs = request.GetObject("ProcessingOutputConfig")?.GetArray("Outputs");
        if (Duplicate(inputs, "InputName") is { } inputName)
        {
            return ApiError.Validation($"Input names must be unique within a processing job; '{inputName}' appears more than once.");
        }

        if (Duplicate(outputs, "OutputName") is { } outputName)
        {
            return ApiError.Validation($"Output names must be unique within a processing job; '{outputName}' appears more than once.");
        }

        var localPaths = new HashSet<string>(StringComparer.Ordinal);
        var locations = inputs.Objects().Select(i => (Owner: i.GetString("InputName"), Node: i.GetObject("S3Input") ?? i.GetObject("DatasetDefinition"), AppManaged: i.GetBool("AppManaged") == true))
            .Concat(outputs.Objects().Select(o => (Owner: o.GetString("OutputName"), Node: o.GetObject("S3Output"), AppManaged: o.GetBool("AppManaged") == true)));
        foreach (var (owner, node, appManaged) in locations)
        {
            var localPath = node?.GetString("LocalPath");
            if (localPath is null)
            {
                if (node is not null && !appManaged)
                {
                    return ApiError.Validation($"LocalPath is required for '{owner}' unless AppManaged is true.");
                }

                continue;
            }

            if (!localPath.StartsWith("/opt/ml/processing/", StringComparison.Ordinal) || localPath.Split('/').Contains(".."))
            {
                return ApiError.Validation($"LocalPath '{localPath}' of '{owner}' must be a path under /opt/ml/processing/.");
            }

            if (!localPaths.Add(localPath.TrimEnd('/')))
            {
                return ApiError.Validation($"LocalPath '{localPath}' is used by more than one processing input or output; each needs its own.");
            }
        }

        var name = request.GetString("ProcessingJobName")!;
        var document = Echo(request, "DescribeProcessingJobResponse", scope, ResourceType.ProcessingJob, name, now);
        document["ProcessingJobStatus"] = JobStatus.InProgress;
        document.Ensure("StoppingCondition").Default("MaxRuntimeInSeconds", 86400);
        foreach (var input in document.GetArray("ProcessingInputs").Objects())
        {
            input.Default("AppManaged", false);
            input.GetObject("S3Input")?.Default("S3InputMode", "File").Default("S3DataDistributionType", "FullyReplicated").Default("S3CompressionType", "None");
        }

        foreach (var output in document.GetObject("ProcessingOutputConfig")?.GetArray("Outputs").Objects() ?? [])
        {
            output.Default("AppManaged", false);
        }

        return document;
    }

    public static Result<JsonObject> TransformJob(JsonObject request, ResourceScope scope, DateTimeOffset now)
    {
        var maxPayload = request.GetInt("MaxPayloadInMB") ?? 6;
        var concurrency = request.GetInt("MaxConcurrentTransforms") ?? 1;
        if (maxPayload > 100)
        {
            return ApiError.Validation(RequestBinder.FormatViolations([RequestBinder.Violation(maxPayload.ToString(System.Globalization.CultureInfo.InvariantCulture), "maxPayloadInMB", "Member must have value less than or equal to 100")]));
        }

        if (concurrency * maxPayload > 100)
        {
            return ApiError.Validation($"MaxConcurrentTransforms ({concurrency}) multiplied by MaxPayloadInMB ({maxPayload}) must not exceed 100.");
        }

        if (TransformDataProcessingError(request) is { } dataProcessingError)
        {
            return dataProcessingError;
        }

        var name = request.GetString("TransformJobName")!;
        var document = Echo(request, "DescribeTransformJobResponse", scope, ResourceType.TransformJob, name, now);
        document["TransformJobStatus"] = JobStatus.InProgress;
        document.Default("MaxPayloadInMB", maxPayload);
        document.Ensure("ModelClientConfig").Default("InvocationsTimeoutInSeconds", 600).Default("InvocationsMaxRetries", 3);
        document.Ensure("TransformInput").Default("CompressionType", "None").Default("SplitType", "None");
        document.Ensure("TransformOutput").Default("AssembleWith", "None");
        document.Ensure("DataProcessing").Default("InputFilter", "$").Default("OutputFilter", "$").Default("JoinSource", "None");
        return document;
    }

    /// <summary>
    /// DataProcessing works on CSV and JSON records only, its filters must be in the supported JSONPath subset, and a
    /// CSV join needs records split and assembled by line (contract §5.3).
    /// </summary>
    private static ApiError? TransformDataProcessingError(JsonObject request)
    {
        var processing = request["DataProcessing"] as JsonObject;
        var inputFilter = processing?.GetString("InputFilter") ?? "$";
        var outputFilter = processing?.GetString("OutputFilter") ?? "$";
        var join = processing?.GetString("JoinSource") ?? "None";
        foreach (var filter in new[] { inputFilter, outputFilter })
        {
            if (JsonPathSubset.Parse(filter).Error is { } error) return error;
        }

        if (inputFilter == "$" && outputFilter == "$" && join == "None") return null;
        var contentType = request["TransformInput"]?["ContentType"]?.GetValue<string>();
        var format = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (format is not ("text/csv" or "application/json" or "application/jsonlines"))
        {
            return ApiError.Validation($"DataProcessing filters and JoinSource need TransformInput.ContentType text/csv, application/json or application/jsonlines; got '{contentType ?? "(none)"}'.");
        }

        if (join == "Input" && format == "text/csv"
            && (request["TransformInput"]?["SplitType"]?.GetValue<string>() != "Line" || request["TransformOutput"]?["AssembleWith"]?.GetValue<string>() != "Line"))
        {
            return ApiError.Validation("JoinSource Input with text/csv input needs TransformInput.SplitType Line and TransformOutput.AssembleWith Line.");
        }

        return null;
    }

    public static Result<JsonObject> Model(JsonObject request, ResourceScope scope, DateTimeOffset now)
    {
        var containers = request.GetArray("Containers");
        if (request.ContainsKey("PrimaryContainer") == (containers is not null))
        {
            return ApiError.Validation("Exactly one of PrimaryContainer and Containers must be specified.");
        }

        var all = containers?.Objects().ToList() ?? [request.GetObject("PrimaryContainer")!];
        if (all.Count == 0)
        {
            return ApiError.Validation(RequestBinder.FormatViolations([RequestBinder.Violation("[]", "containers", "Member must have length greater than or equal to 1")]));
        }

        if (all.Any(c => !c.ContainsKey("Image") && !c.ContainsKey("ModelPackageName")))
        {
            return ApiError.Validation("Each container must specify an Image or a ModelPackageName.");
        }

        var name = request.GetString("ModelName")!;
        var document = Echo(request, "DescribeModelOutput", scope, ResourceType.Model, name, now);
        document.Default("EnableNetworkIsolation", false);
        foreach (var container in document.GetArray("Containers")?.Objects() ?? [document.GetObject("PrimaryContainer")!])
        {
            container.Default("Mode", "SingleModel");
        }

        return document;
    }

    public static Result<JsonObject> EndpointConfig(JsonObject request, ResourceScope scope, DateTimeOffset now)
    {
        var variants = request.GetArray("ProductionVariants").Objects().ToList();
        if (Duplicate(request.GetArray("ProductionVariants"), "VariantName") is { } variantName)
        {
            return ApiError.Validation($"Variant names must be unique within an endpoint configuration; '{variantName}' appears more than once.");
        }

        foreach (var variant in variants)
        {
            var variantLabel = variant.GetString("VariantName");
            if (!variant.ContainsKey("ModelName"))
            {
                return ApiError.Validation($"ProductionVariant '{variantLabel}' must specify a ModelName.");
            }

            var instances = variant.ContainsKey("InstanceType") && variant.ContainsKey("InitialInstanceCount");
            if (instances == variant.ContainsKey("ServerlessConfig") || (!instances && (variant.ContainsKey("InstanceType") || variant.ContainsKey("InitialInstanceCount"))))
            {
                return ApiError.Validation($"ProductionVariant '{variantLabel}' must specify either InstanceType and InitialInstanceCount, or ServerlessConfig.");
            }
        }

        var name = request.GetString("EndpointConfigName")!;
        var document = Echo(request, "DescribeEndpointConfigOutput", scope, ResourceType.EndpointConfig, name, now);
        foreach (var variant in document.GetArray("ProductionVariants").Objects())
        {
            variant.Default("InitialVariantWeight", 1.0);
        }

        return document;
    }

    /// <summary>The models an endpoint configuration's variants use; each must exist.</summary>
    public static IEnumerable<string> ReferencedModels(JsonObject endpointConfig) =>
        endpointConfig.GetArray("ProductionVariants").Objects().Select(v => v.GetString("ModelName")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The members an endpoint shows from its configuration (AsyncInferenceConfig, ExplainerConfig, MetricsConfig and
    /// DataCaptureConfig as its capture status): set when it is created, and again when an update settles on another
    /// configuration, whose members replace (or remove) the old ones.
    /// </summary>
    public static void ShowConfiguration(JsonObject endpoint, JsonObject endpointConfig)
    {
        foreach (var member in new[] { "AsyncInferenceConfig", "ExplainerConfig", "MetricsConfig" })
        {
            if (endpointConfig[member] is { } value)
            {
                endpoint[member] = ShapeProjection.Project(value.AsObject(), ServiceModel.Shape("DescribeEndpointOutput").FindMember(member)!.Shape);
            }
            else
            {
                endpoint.Remove(member);
            }
        }

        if (endpointConfig.GetObject("DataCaptureConfig") is { } capture)
        {
            var enabled = capture.GetBool("EnableCapture") ?? true;
            endpoint["DataCaptureConfig"] = new JsonObject
            {
                ["EnableCapture"] = enabled,
                ["CaptureStatus"] = enabled ? "Started" : "Stopped",
                ["CurrentSamplingPercentage"] = capture.GetInt("InitialSamplingPercentage"),
                ["DestinationS3Uri"] = capture.GetString("DestinationS3Uri"),
                ["KmsKeyId"] = capture.GetString("KmsKeyId") ?? string.Empty,
            };
        }
        else
        {
            endpoint.Remove("DataCaptureConfig");
        }
    }

    /// <summary>A new endpoint is Creating, with each variant of its configuration at its desired weight and count.</summary>
    public static JsonObject Endpoint(JsonObject request, JsonObject endpointConfig, ResourceScope scope, DateTimeOffset now)
    {
        var name = request.GetString("EndpointName")!;
        var document = Echo(request, "DescribeEndpointOutput", scope, ResourceType.Endpoint, name, now);
        document["EndpointConfigName"] = endpointConfig.GetString("EndpointConfigName");
        document["EndpointStatus"] = EndpointStatus.Creating;
        document["ProductionVariants"] = VariantSummaries(endpointConfig, now, "Creating");
        ShowConfiguration(document, endpointConfig);
        return document;
    }

    /// <summary>ProductionVariantSummary entries for the variants of a configuration about to be deployed.</summary>
    public static JsonArray VariantSummaries(JsonObject endpointConfig, DateTimeOffset now, string variantStatus)
    {
        var summaries = new JsonArray();
        foreach (var variant in endpointConfig.GetArray("ProductionVariants").Objects())
        {
            var summary = new JsonObject { ["VariantName"] = variant.GetString("VariantName") };
            if (variant.GetObject("ServerlessConfig") is { } serverless)
            {
                summary["DesiredServerlessConfig"] = serverless.DeepClone();
            }
            else
            {
                summary["DesiredWeight"] = variant.GetDouble("InitialVariantWeight") ?? 1.0;
                summary["DesiredInstanceCount"] = variant.GetInt("InitialInstanceCount");
            }

            if (variant.GetObject("RoutingConfig") is { } routing)
            {
                summary["RoutingConfig"] = routing.DeepClone();
            }

            summary["VariantStatus"] = new JsonArray(new JsonObject { ["Status"] = variantStatus, ["StartTime"] = Timestamps.ToEpochSeconds(now) });
            summaries.Add(summary);
        }

        return summaries;
    }

    /// <summary>
    /// The Create request projected onto the Describe shape, with the ARN and times. LastModifiedTime is set even where
    /// the Describe shape lacks it: lists filter and sort on it, and storing projects it away (<see cref="Describable"/>).
    /// </summary>
    private static JsonObject Echo(JsonObject request, string describeShape, ResourceScope scope, ResourceType type, string name, DateTimeOffset now)
    {
        var document = ShapeProjection.Project(request, ServiceModel.Shape(describeShape), "Tags");
        document[type.ArnMember] = type.Arn(scope, name);
        var seconds = Timestamps.ToEpochSeconds(now);
        document["CreationTime"] = seconds;
        document["LastModifiedTime"] = seconds;
        return document;
    }

    /// <summary>What Describe returns: the document with only the members of the Describe shape.</summary>
    public static JsonObject Describable(JsonObject document, ResourceKind kind) =>
        ShapeProjection.Project(document, ServiceModel.Shape(DescribeShapes[kind]));

    private static readonly Dictionary<ResourceKind, string> DescribeShapes = new()
    {
        [ResourceKind.TrainingJob] = "DescribeTrainingJobResponse",
        [ResourceKind.ProcessingJob] = "DescribeProcessingJobResponse",
        [ResourceKind.TransformJob] = "DescribeTransformJobResponse",
        [ResourceKind.Model] = "DescribeModelOutput",
        [ResourceKind.EndpointConfig] = "DescribeEndpointConfigOutput",
        [ResourceKind.Endpoint] = "DescribeEndpointOutput",
    };

    private static ApiError Missing(string path) =>
        ApiError.Validation(RequestBinder.FormatViolations([RequestBinder.Violation(null, path, "Member must not be null")]));

    private static string? Duplicate(JsonArray? items, string member) =>
        items.Objects().Select(i => i.GetString(member)).OfType<string>().GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
}

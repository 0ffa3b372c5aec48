using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Resources;

namespace ControlPlane.Application.Operations;

/// <summary>
/// What differs between resource types in the generic operations: how a new document is built, how a missing or
/// duplicate resource is reported, how lists are shaped and sorted by default.
/// </summary>
public sealed record ResourceDescriptor(
    string OperationNoun,
    ResourceType Type,
    string SummaryShape,
    string ListMember,
    string DefaultSortOrder,
    Func<ResourceScope, string, string> NotFound,
    Func<ResourceScope, string, ApiError> AlreadyExists)
{
    /// <summary>Jobs are stopped; models, configurations and endpoints are deleted.</summary>
    public bool IsJob => Type.StatusMember is not null && Type.Kind != ResourceKind.Endpoint;
}

public static class ResourceCatalog
{
    public static readonly ResourceDescriptor TrainingJob = Job("TrainingJob", ResourceType.TrainingJob, "TrainingJobSummary", "TrainingJobSummaries", "Ascending", (_, _) => "Requested resource not found.");

    public static readonly ResourceDescriptor ProcessingJob = Job("ProcessingJob", ResourceType.ProcessingJob, "ProcessingJobSummary", "ProcessingJobSummaries", "Ascending", CouldNotFind(ResourceType.ProcessingJob));

    public static readonly ResourceDescriptor TransformJob = Job("TransformJob", ResourceType.TransformJob, "TransformJobSummary", "TransformJobSummaries", "Descending", CouldNotFind(ResourceType.TransformJob));

    public static readonly ResourceDescriptor Model = Deployable("Model", ResourceType.Model, "ModelSummary", "Models");

    public static readonly ResourceDescriptor EndpointConfig = Deployable("EndpointConfig", ResourceType.EndpointConfig, "EndpointConfigSummary", "EndpointConfigs");

    public static readonly ResourceDescriptor Endpoint = Deployable("Endpoint", ResourceType.Endpoint, "EndpointSummary", "Endpoints");

    /// <summary>Builds the document of a new resource; endpoints and transform jobs need the resources they name.</summary>
    public static Result<JsonObject> BuildDocument(ResourceType type, JsonObject request, ResourceScope scope, DateTimeOffset now, JsonObject? endpointConfig) => type.Kind switch
    {
        ResourceKind.TrainingJob => ResourceDocuments.TrainingJob(request, scope, now),
        ResourceKind.ProcessingJob => ResourceDocuments.ProcessingJob(request, scope, now),
        ResourceKind.TransformJob => ResourceDocuments.TransformJob(request, scope, now),
        ResourceKind.Model => ResourceDocuments.Model(request, scope, now),
        ResourceKind.EndpointConfig => ResourceDocuments.EndpointConfig(request, scope, now),
        ResourceKind.Endpoint => ResourceDocuments.Endpoint(request, endpointConfig!, scope, now),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type.Kind, null),
    };

    private static Func<ResourceScope, string, string> CouldNotFind(ResourceType type) =>
        (scope, name) => $"Could not find {type.Noun} \"{type.Arn(scope, name)}\".";

    public static IReadOnlyList<ResourceDescriptor> All { get; } = [TrainingJob, ProcessingJob, TransformJob, Model, EndpointConfig, Endpoint];

    private static ResourceDescriptor Job(string noun, ResourceType type, string summary, string list, string order, Func<ResourceScope, string, string> notFound) =>
        new(noun, type, summary, list, order, notFound, (scope, name) => ApiError.ResourceInUse(
            $"{char.ToUpperInvariant(type.Noun[0])}{type.Noun[1..]} names must be unique within an AWS account and region, and a {type.Noun} with this name already exists ({type.Arn(scope, name)})"));

    private static ResourceDescriptor Deployable(string noun, ResourceType type, string summary, string list) =>
        new(noun, type, summary, list, "Descending", CouldNotFind(type), (scope, name) => ApiError.Validation($"Cannot create already existing {type.Noun} \"{type.Arn(scope, name)}\"."));
}

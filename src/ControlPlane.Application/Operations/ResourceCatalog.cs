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
    ResourceType Type,
    string SummaryShape,
    string ListMember,
    string DefaultSortOrder,
    Func<ResourceScope, string, string> NotFound,
    Func<ResourceScope, string, ApiError> AlreadyExists);

public static class ResourceCatalog
{
    public static readonly ResourceDescriptor TrainingJob = Job(ResourceType.TrainingJob, "TrainingJobSummary", "TrainingJobSummaries", "Ascending", (_, _) => "Requested resource not found.");

    public static readonly ResourceDescriptor ProcessingJob = Job(ResourceType.ProcessingJob, "ProcessingJobSummary", "ProcessingJobSummaries", "Ascending", CouldNotFind(ResourceType.ProcessingJob));

    public static readonly ResourceDescriptor TransformJob = Job(ResourceType.TransformJob, "TransformJobSummary", "TransformJobSummaries", "Descending", CouldNotFind(ResourceType.TransformJob));

    public static readonly ResourceDescriptor Model = Deployable(ResourceType.Model, "ModelSummary", "Models");

    public static readonly ResourceDescriptor EndpointConfig = Deployable(ResourceType.EndpointConfig, "EndpointConfigSummary", "EndpointConfigs");

    public static readonly ResourceDescriptor Endpoint = Deployable(ResourceType.Endpoint, "EndpointSummary", "Endpoints");

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

    private static ResourceDescriptor Job(ResourceType type, string summary, string list, string order, Func<ResourceScope, string, string> notFound) =>
        new(type, summary, list, order, notFound, (scope, name) => ApiError.ResourceInUse(
            $"{char.ToUpperInvariant(type.Noun[0])}{type.Noun[1..]} names must be unique within an AWS account and region, and a {type.Noun} with this name already exists ({type.Arn(scope, name)})"));

    private static ResourceDescriptor Deployable(ResourceType type, string summary, string list) =>
        new(type, summary, list, "Descending", CouldNotFind(type), (scope, name) => ApiError.Validation($"Cannot create already existing {type.Noun} \"{type.Arn(scope, name)}\"."));
}

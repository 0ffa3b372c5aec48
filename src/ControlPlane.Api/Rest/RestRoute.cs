namespace ControlPlane.Api.Rest;

/// <summary>
/// One REST route and the SageMaker operation behind it. <c>NameMember</c> is the input member the <c>{name}</c> route
/// value fills; <c>HasBody</c> says whether the request body is the operation's input shape.
/// </summary>
internal sealed record RestRoute(string Method, string Pattern, string Operation, string Tag, string? NameMember, bool HasBody);

internal static class RestRouteTable
{
    public static IReadOnlyList<RestRoute> Routes { get; } =
    [
        .. Job("training-jobs", "TrainingJob", "Training jobs"),
        .. Job("processing-jobs", "ProcessingJob", "Processing jobs"),
        .. Job("transform-jobs", "TransformJob", "Transform jobs"),
        .. Deployable("models", "Model", "Models", "Models"),
        .. Deployable("endpoint-configs", "EndpointConfig", "EndpointConfigs", "Endpoint configs"),
        .. Deployable("endpoints", "Endpoint", "Endpoints", "Endpoints"),
        new("PUT", "/api/endpoints/{name}", "UpdateEndpoint", "Endpoints", "EndpointName", true),
        new("POST", "/api/endpoints/{name}/weights-and-capacities", "UpdateEndpointWeightsAndCapacities", "Endpoints", "EndpointName", true),
        new("GET", "/api/tags", "ListTags", "Tags", null, false),
        new("POST", "/api/tags", "AddTags", "Tags", null, true),
        new("DELETE", "/api/tags", "DeleteTags", "Tags", null, false),
    ];

    private static RestRoute[] Job(string collection, string resource, string tag) =>
    [
        new("POST", $"/api/{collection}", $"Create{resource}", tag, null, true),
        new("GET", $"/api/{collection}", $"List{resource}s", tag, null, false),
        new("GET", $"/api/{collection}/{{name}}", $"Describe{resource}", tag, $"{resource}Name", false),
        new("POST", $"/api/{collection}/{{name}}/stop", $"Stop{resource}", tag, $"{resource}Name", false),
    ];

    private static RestRoute[] Deployable(string collection, string resource, string plural, string tag) =>
    [
        new("POST", $"/api/{collection}", $"Create{resource}", tag, null, true),
        new("GET", $"/api/{collection}", $"List{plural}", tag, null, false),
        new("GET", $"/api/{collection}/{{name}}", $"Describe{resource}", tag, $"{resource}Name", false),
        new("DELETE", $"/api/{collection}/{{name}}", $"Delete{resource}", tag, $"{resource}Name", false),
    ];
}

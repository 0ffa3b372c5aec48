using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Errors;
using ControlPlane.Core.ServiceModel;
using ControlPlane.Core.Validation;

namespace ControlPlane.Application.Operations;

/// <summary>
/// The one application layer both front doors call: it validates a request against the operation's input shape and
/// runs the operation. Its result is the response body as JSON text.
/// </summary>
public sealed class OperationDispatcher(ResourceOperations resources, EndpointOperations endpoints, TagOperations tags)
{
    private readonly ResourceOperations _resources = resources;
    private readonly EndpointOperations _endpoints = endpoints;
    private readonly TagOperations _tags = tags;

    private delegate Task<Result<string>> Handler(OperationDispatcher self, JsonObject input, RequestContext context, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Handler> Handlers = BuildHandlers();

    /// <summary>The operations this service implements, by name.</summary>
    public static IReadOnlyCollection<string> OperationNames => Handlers.Keys;

    /// <summary>Create, Describe, List and Stop or Delete for each resource type; then the operations of their own.</summary>
    private static Dictionary<string, Handler> BuildHandlers()
    {
        var handlers = new Dictionary<string, Handler>(StringComparer.Ordinal);
        foreach (var resource in ResourceCatalog.All)
        {
            handlers[$"Create{resource.OperationNoun}"] = (s, i, c, t) => s._resources.CreateAsync(resource, i, c, t);
            handlers[$"Describe{resource.OperationNoun}"] = (s, i, c, _) => s._resources.DescribeAsync(resource, i, c);
            handlers[$"List{resource.OperationNoun}s"] = (s, i, c, t) => s._resources.ListAsync(resource, i, c, t);
            handlers[resource.IsJob ? $"Stop{resource.OperationNoun}" : $"Delete{resource.OperationNoun}"] = resource.IsJob
                ? (s, i, c, t) => s._resources.StopAsync(resource, i, c, t)
                : (s, i, c, t) => s._resources.DeleteAsync(resource, i, c, t);
        }

        handlers["UpdateEndpoint"] = (s, i, c, t) => s._endpoints.UpdateAsync(i, c, t);
        handlers["UpdateEndpointWeightsAndCapacities"] = (s, i, c, t) => s._endpoints.UpdateWeightsAndCapacitiesAsync(i, c, t);
        handlers["AddTags"] = (s, i, c, t) => s._tags.AddAsync(i, c, t);
        handlers["ListTags"] = (s, i, c, t) => s._tags.ListAsync(i, c, t);
        handlers["DeleteTags"] = (s, i, c, t) => s._tags.DeleteAsync(i, c, t);
        return handlers;
    }

    public async Task<Result<string>> InvokeAsync(string operation, JsonElement body, RequestContext context, CancellationToken cancellationToken)
    {
        if (!Handlers.TryGetValue(operation, out var handler) || !SageMakerServiceModel.Current.Operations.TryGetValue(operation, out var model))
        {
            return ApiError.UnknownOperation($"The operation {operation} is not supported by this service.");
        }

        var input = RequestBinder.Bind(body, model.Input!);
        if (!input.Succeeded)
        {
            return input.Error!;
        }

        return await handler(this, input.Value!, context, cancellationToken);
    }
}

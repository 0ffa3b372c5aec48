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

    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.Ordinal)
    {
        ["CreateTrainingJob"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.TrainingJob, i, c, t),
        ["DescribeTrainingJob"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.TrainingJob, i, c),
        ["ListTrainingJobs"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.TrainingJob, i, c, t),
        ["StopTrainingJob"] = (s, i, c, t) => s._resources.StopAsync(ResourceCatalog.TrainingJob, i, c, t),
        ["CreateProcessingJob"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.ProcessingJob, i, c, t),
        ["DescribeProcessingJob"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.ProcessingJob, i, c),
        ["ListProcessingJobs"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.ProcessingJob, i, c, t),
        ["StopProcessingJob"] = (s, i, c, t) => s._resources.StopAsync(ResourceCatalog.ProcessingJob, i, c, t),
        ["CreateTransformJob"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.TransformJob, i, c, t),
        ["DescribeTransformJob"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.TransformJob, i, c),
        ["ListTransformJobs"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.TransformJob, i, c, t),
        ["StopTransformJob"] = (s, i, c, t) => s._resources.StopAsync(ResourceCatalog.TransformJob, i, c, t),
        ["CreateModel"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.Model, i, c, t),
        ["DescribeModel"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.Model, i, c),
        ["ListModels"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.Model, i, c, t),
        ["DeleteModel"] = (s, i, c, t) => s._resources.DeleteAsync(ResourceCatalog.Model, i, c, t),
        ["CreateEndpointConfig"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.EndpointConfig, i, c, t),
        ["DescribeEndpointConfig"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.EndpointConfig, i, c),
        ["ListEndpointConfigs"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.EndpointConfig, i, c, t),
        ["DeleteEndpointConfig"] = (s, i, c, t) => s._resources.DeleteAsync(ResourceCatalog.EndpointConfig, i, c, t),
        ["CreateEndpoint"] = (s, i, c, t) => s._resources.CreateAsync(ResourceCatalog.Endpoint, i, c, t),
        ["DescribeEndpoint"] = (s, i, c, _) => s._resources.DescribeAsync(ResourceCatalog.Endpoint, i, c),
        ["ListEndpoints"] = (s, i, c, t) => s._resources.ListAsync(ResourceCatalog.Endpoint, i, c, t),
        ["DeleteEndpoint"] = (s, i, c, t) => s._resources.DeleteAsync(ResourceCatalog.Endpoint, i, c, t),
        ["UpdateEndpoint"] = (s, i, c, t) => s._endpoints.UpdateAsync(i, c, t),
        ["UpdateEndpointWeightsAndCapacities"] = (s, i, c, t) => s._endpoints.UpdateWeightsAndCapacitiesAsync(i, c, t),
        ["AddTags"] = (s, i, c, t) => s._tags.AddAsync(i, c, t),
        ["ListTags"] = (s, i, c, t) => s._tags.ListAsync(i, c, t),
        ["DeleteTags"] = (s, i, c, t) => s._tags.DeleteAsync(i, c, t),
    };

    /// <summary>The operations this service implements, by name.</summary>
    public static IReadOnlyCollection<string> OperationNames => Handlers.Keys;

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

using System.Text.Json.Nodes;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;

namespace ControlPlane.Application.Operations;

/// <summary>UpdateEndpoint and UpdateEndpointWeightsAndCapacities: both start from InService and leave the endpoint Updating.</summary>
public sealed class EndpointOperations(ResourceStore store)
{
    private static readonly ResourceDescriptor Endpoint = ResourceCatalog.Endpoint;

    public async Task<Result<string>> UpdateAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var configName = input.GetString("EndpointConfigName")!;
        var configText = await store.FindDocumentAsync(context.AccountId, ResourceKind.EndpointConfig, configName);
        if (configText is null)
        {
            return await store.ExistsAsync(context.AccountId, ResourceKind.Endpoint, input.GetString("EndpointName")!)
                ? ApiError.Validation(ResourceCatalog.EndpointConfig.NotFound(context.Scope, configName))
                : ApiError.Validation(Endpoint.NotFound(context.Scope, input.GetString("EndpointName")!));
        }

        var config = JsonNode.Parse(configText)!.AsObject();
        foreach (var model in ResourceDocuments.ReferencedModels(config))
        {
            if (!await store.ExistsAsync(context.AccountId, ResourceKind.Model, model))
            {
                return ApiError.Validation(ResourceCatalog.Model.NotFound(context.Scope, model));
            }
        }

        return await UpdateDocumentAsync(input, context, cancellationToken, document =>
        {
            document["PendingDeploymentSummary"] = new JsonObject
            {
                ["EndpointConfigName"] = config.GetString("EndpointConfigName"),
                ["ProductionVariants"] = ResourceDocuments.VariantSummaries(config, context.Now, "Creating"),
                ["StartTime"] = Timestamps.ToEpochSeconds(context.Now),
            };
            return true;
        });
    }

    public async Task<Result<string>> UpdateWeightsAndCapacitiesAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        return await UpdateDocumentAsync(input, context, cancellationToken, document =>
        {
            var variants = document.GetArray("ProductionVariants").Objects().ToDictionary(v => v.GetString("VariantName")!, StringComparer.Ordinal);
            var desired = input.GetArray("DesiredWeightsAndCapacities").Objects().ToList();
            var unknown = desired.Select(d => d.GetString("VariantName")!).Where(n => !variants.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
            {
                return ApiError.Validation($"The variant(s) \"[{string.Join(", ", unknown)}]\" is/are not present in the endpoint \"{document.GetString("EndpointArn")}\".");
            }

            if (desired.GroupBy(d => d.GetString("VariantName")).Any(g => g.Count() > 1))
            {
                return ApiError.Validation("Each variant may appear only once in DesiredWeightsAndCapacities.");
            }

            foreach (var change in desired)
            {
                if (!change.ContainsKey("DesiredWeight") && !change.ContainsKey("DesiredInstanceCount") && !change.ContainsKey("ServerlessUpdateConfig"))
                {
                    return ApiError.Validation($"Specify DesiredWeight, DesiredInstanceCount or ServerlessUpdateConfig for variant '{change.GetString("VariantName")}'.");
                }

                var variant = variants[change.GetString("VariantName")!];
                foreach (var member in new[] { "DesiredWeight", "DesiredInstanceCount" })
                {
                    if (change[member] is { } value)
                    {
                        variant[member] = value.DeepClone();
                    }
                }
            }

            return true;
        });
    }

    /// <summary>Loads the endpoint, checks it is InService, applies the change and saves it as Updating.</summary>
    private async Task<Result<string>> UpdateDocumentAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken, Func<JsonObject, Result<bool>> change)
    {
        var name = input.GetString("EndpointName")!;
        while (true)
        {
            var record = await store.FindAsync(context.AccountId, ResourceKind.Endpoint, name, cancellationToken);
            if (record is null)
            {
                return ApiError.Validation(Endpoint.NotFound(context.Scope, name));
            }

            var document = JsonNode.Parse(record.Document)!.AsObject();
            var status = document.GetString("EndpointStatus")!;
            if (!EndpointStatus.CanUpdate(status))
            {
                return ApiError.Validation(status is EndpointStatus.Failed or EndpointStatus.UpdateRollbackFailed or EndpointStatus.OutOfService
                    ? $"Cannot update endpoint \"{record.Arn}\" because it is in status {status}."
                    : $"Cannot update in-progress endpoint \"{record.Arn}\".");
            }

            var changed = change(document);
            if (!changed.Succeeded)
            {
                return changed.Error!;
            }

            document["EndpointStatus"] = EndpointStatus.Updating;
            document["LastModifiedTime"] = Timestamps.ToEpochSeconds(context.Now);
            ResourceOperations.Apply(Endpoint, record, document);
            if (await store.TrySaveAsync(cancellationToken))
            {
                return new JsonObject { ["EndpointArn"] = record.Arn }.ToJsonString(JsonDefaults.Options);
            }
        }
    }
}

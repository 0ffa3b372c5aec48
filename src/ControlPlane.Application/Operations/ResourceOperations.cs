using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Paging;
using ControlPlane.Core.Resources;
using ControlPlane.Core.ServiceModel;

namespace ControlPlane.Application.Operations;

/// <summary>Create, Describe, List, Stop and Delete, the same for every resource type.</summary>
public sealed class ResourceOperations(ResourceStore store, PageTokenCodec tokens, IJobLauncher launcher)
{
    private static readonly SageMakerServiceModel Model = SageMakerServiceModel.Current;

    public async Task<Result<string>> CreateAsync(ResourceDescriptor descriptor, JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var type = descriptor.Type;
        var name = input.GetString(type.NameMember)!;
        var referenced = await CheckReferencesAsync(type, input, context);
        if (!referenced.Succeeded)
        {
            return referenced.Error!;
        }

        var document = ResourceCatalog.BuildDocument(type, input, context.Scope, context.Now, referenced.Value);
        if (!document.Succeeded)
        {
            return document.Error!;
        }

        var record = NewRecord(descriptor, name, document.Value!, context);
        foreach (var tag in input.GetArray("Tags").Objects())
        {
            record.Tags.RemoveAll(t => t.Key == tag.GetString("Key"));
            record.Tags.Add(new TagRecord { Key = tag.GetString("Key")!, Value = tag.GetString("Value") ?? string.Empty });
        }

        // The unique index on the name decides a duplicate, also between two concurrent creates.
        if (!await store.TryInsertAsync(record, cancellationToken))
        {
            return descriptor.AlreadyExists(context.Scope, name);
        }

        // An endpoint's supervisor runs like a job's workflow.
        if (descriptor.IsJob || type.Kind == ResourceKind.Endpoint)
        {
            // A launch lost to a crash here is made good by the engine's recovery at start-up.
            await launcher.LaunchAsync(type.Kind, context.AccountId, name, CancellationToken.None);
        }

        return new JsonObject { [type.ArnMember] = record.Arn }.ToJsonString(JsonDefaults.Options);
    }

    public async Task<Result<string>> DescribeAsync(ResourceDescriptor descriptor, JsonObject input, RequestContext context)
    {
        var name = input.GetString(descriptor.Type.NameMember)!;
        var document = await store.FindDocumentAsync(context.AccountId, descriptor.Type.Kind, name);
        return document is null ? ApiError.Validation(descriptor.NotFound(context.Scope, name)) : document;
    }

    public async Task<Result<string>> StopAsync(ResourceDescriptor descriptor, JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var name = input.GetString(descriptor.Type.NameMember)!;
        var lifecycle = JobLifecycle.For(descriptor.Type.Kind);
        while (true)
        {
            var record = await store.FindAsync(context.AccountId, descriptor.Type.Kind, name, cancellationToken);
            if (record is null)
            {
                return ApiError.Validation(descriptor.NotFound(context.Scope, name));
            }

            var document = JsonNode.Parse(record.Document)!.AsObject();
            var stop = lifecycle.RequestStop(document, context.Now);
            if (!stop.Succeeded)
            {
                return stop.Error!;
            }

            if (!stop.Value)
            {
                return EmptyResponse;
            }

            Apply(descriptor, record, document);
            if (await store.TrySaveAsync(cancellationToken))
            {
                return EmptyResponse;
            }
        }
    }

    /// <summary>
    /// Deletes a model, endpoint configuration or endpoint. SageMaker allows deleting a model or configuration that an
    /// endpoint still uses: the endpoint keeps running what it deployed.
    /// </summary>
    public async Task<Result<string>> DeleteAsync(ResourceDescriptor descriptor, JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var name = input.GetString(descriptor.Type.NameMember)!;
        var record = await store.FindAsync(context.AccountId, descriptor.Type.Kind, name, cancellationToken);
        if (record is null)
        {
            return ApiError.Validation(descriptor.NotFound(context.Scope, name));
        }

        store.Db.Resources.Remove(record);
        await store.Db.SaveChangesAsync(cancellationToken);
        return EmptyResponse;
    }

    public async Task<Result<string>> ListAsync(ResourceDescriptor descriptor, JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var type = descriptor.Type;
        var maxResults = input.GetInt("MaxResults") ?? 10;
        var sortBy = input.GetString("SortBy") ?? "CreationTime";
        var descending = (input.GetString("SortOrder") ?? descriptor.DefaultSortOrder) == "Descending";
        // A token is valid only for the query that issued it: same list, sort and filters.
        var filters = input.DeepClone().AsObject();
        filters.Remove("NextToken");
        filters.Remove("MaxResults");
        var fingerprint = PageTokenCodec.Fingerprint($"{type.Kind}|{sortBy}|{descending}|{filters.ToJsonString()}");
        PageCursor? cursor = null;
        if (input.GetString("NextToken") is { } token)
        {
            cursor = tokens.Decode(token, fingerprint);
            if (cursor is null)
            {
                return ApiError.Validation("Invalid pagination token because the token was not issued for this request, or has been altered.");
            }
        }

        var rows = await store.ListAsync(
            new ResourceListQuery(context.AccountId, type.Kind, sortBy, descending, maxResults + 1)
            {
                NameFragment = input.GetString("NameContains") is { Length: > 0 } nameContains ? nameContains : null,
                CreatedAfter = Milliseconds(input, "CreationTimeAfter"),
                CreatedBefore = Milliseconds(input, "CreationTimeBefore"),
                ModifiedAfter = Milliseconds(input, "LastModifiedTimeAfter"),
                ModifiedBefore = Milliseconds(input, "LastModifiedTimeBefore"),
                Status = input.GetString("StatusEquals"),
                After = cursor,
            },
            cancellationToken);

        var builder = new StringBuilder(64 + (rows.Count * 256));
        builder.Append("{\"").Append(descriptor.ListMember).Append("\":[");
        var returned = Math.Min(rows.Count, maxResults);
        for (var i = 0; i < returned; i++)
        {
            builder.Append(i == 0 ? string.Empty : ",").Append(rows[i].Summary);
        }

        builder.Append(']');
        if (rows.Count > maxResults)
        {
            var last = rows[maxResults - 1];
            var next = tokens.Encode(new PageCursor(fingerprint, last.SortValue(sortBy), last.Id));
            builder.Append(",\"NextToken\":").Append(JsonSerializer.Serialize(next));
        }

        return builder.Append('}').ToString();
    }

    public static string EmptyResponse => "{}";

    /// <summary>
    /// Writes a changed document back into its record, with the columns copied from it. The stored document is exactly
    /// the Describe response; the summary and ModifiedAt come from the full document (LastModifiedTime included).
    /// </summary>
    public static void Apply(ResourceDescriptor descriptor, ResourceRecord record, JsonObject document)
    {
        record.Document = ResourceDocuments.Describable(document, descriptor.Type.Kind).ToJsonString(JsonDefaults.Options);
        record.Summary = ShapeProjection.Project(document, Model.Shape(descriptor.SummaryShape)).ToJsonString(JsonDefaults.Options);
        record.Status = descriptor.Type.StatusMember is { } member ? document.GetString(member) : null;
        record.ModifiedAt = Timestamps.ToEpochMilliseconds(document.GetDouble("LastModifiedTime") ?? document.GetDouble("CreationTime")!.Value);
    }

    private static ResourceRecord NewRecord(ResourceDescriptor descriptor, string name, JsonObject document, RequestContext context)
    {
        var arn = document.GetString(descriptor.Type.ArnMember)!;
        var record = new ResourceRecord
        {
            AccountId = context.AccountId,
            Kind = descriptor.Type.Kind,
            Name = name,
            NameKey = ResourceStore.Key(name),
            Arn = arn,
            ArnKey = ResourceStore.Key(arn),
            CreatedAt = Timestamps.ToEpochMilliseconds(document.GetDouble("CreationTime")!.Value),
            Document = string.Empty,
            Summary = string.Empty,
        };
        Apply(descriptor, record, document);
        return record;
    }

    /// <summary>Endpoint configurations and transform jobs name models, endpoints name a configuration: each must exist.</summary>
    private async Task<Result<JsonObject?>> CheckReferencesAsync(ResourceType type, JsonObject input, RequestContext context)
    {
        switch (type.Kind)
        {
            case ResourceKind.EndpointConfig:
                foreach (var model in ResourceDocuments.ReferencedModels(input))
                {
                    if (!await store.ExistsAsync(context.AccountId, ResourceKind.Model, model))
                    {
                        return ApiError.Validation(ResourceCatalog.Model.NotFound(context.Scope, model));
                    }
                }

                return (JsonObject?)null;

            case ResourceKind.TransformJob:
                var modelName = input.GetString("ModelName")!;
                return await store.ExistsAsync(context.AccountId, ResourceKind.Model, modelName)
                    ? (JsonObject?)null
                    : ApiError.Validation(ResourceCatalog.Model.NotFound(context.Scope, modelName));

            case ResourceKind.Endpoint:
                var configName = input.GetString("EndpointConfigName")!;
                var config = await store.FindDocumentAsync(context.AccountId, ResourceKind.EndpointConfig, configName);
                return config is null
                    ? ApiError.Validation(ResourceCatalog.EndpointConfig.NotFound(context.Scope, configName))
                    : JsonNode.Parse(config)!.AsObject();

            default:
                return (JsonObject?)null;
        }
    }

    private static long? Milliseconds(JsonObject input, string member) =>
        input.GetDouble(member) is { } seconds ? Timestamps.ToEpochMilliseconds(seconds) : null;
}

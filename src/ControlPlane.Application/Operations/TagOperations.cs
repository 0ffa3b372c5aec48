using System.Text.Json.Nodes;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Paging;

namespace ControlPlane.Application.Operations;

/// <summary>AddTags, ListTags and DeleteTags on any resource, by ARN (case-insensitively, as SageMaker matches them).</summary>
public sealed class TagOperations(ResourceStore store, PageTokenCodec tokens)
{
    /// <summary>SageMaker's limit of tags on one resource.</summary>
    public const int MaxTagsPerResource = 50;

    public async Task<Result<string>> AddAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var record = await store.FindByArnAsync(context.AccountId, input.GetString("ResourceArn")!, cancellationToken);
        if (record is null)
        {
            return ResourceMissing();
        }

        var added = input.GetArray("Tags").Objects().ToList();
        foreach (var tag in added)
        {
            var key = tag.GetString("Key")!;
            var existing = record.Tags.FirstOrDefault(t => t.Key == key);
            if (existing is null)
            {
                record.Tags.Add(new TagRecord { Key = key, Value = tag.GetString("Value") ?? string.Empty });
            }
            else
            {
                existing.Value = tag.GetString("Value") ?? string.Empty;
            }
        }

        if (record.Tags.Count > MaxTagsPerResource)
        {
            return ApiError.Validation($"A resource can have at most {MaxTagsPerResource} tags; this request would give {record.Arn} {record.Tags.Count}.");
        }

        await store.Db.SaveChangesAsync(cancellationToken);
        return new JsonObject { ["Tags"] = new JsonArray(added.Select(t => (JsonNode)t.DeepClone()).ToArray()) }.ToJsonString(JsonDefaults.Options);
    }

    public async Task<Result<string>> ListAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var arn = input.GetString("ResourceArn")!;
        var record = await store.FindByArnAsync(context.AccountId, arn, cancellationToken);
        if (record is null)
        {
            return ResourceMissing();
        }

        var fingerprint = PageTokenCodec.Fingerprint($"tags|{record.ArnKey}");
        var after = string.Empty;
        if (input.GetString("NextToken") is { } token)
        {
            if (tokens.Decode(token, fingerprint) is not { } cursor)
            {
                return ApiError.Validation("Invalid pagination token because the token was not issued for this request, or has been altered.");
            }

            after = cursor.SortValue;
        }

        var maxResults = input.GetInt("MaxResults") ?? MaxTagsPerResource;
        var page = record.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Where(t => string.CompareOrdinal(t.Key, after) > 0).Take(maxResults + 1).ToList();
        var response = new JsonObject
        {
            ["Tags"] = new JsonArray(page.Take(maxResults).Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray()),
        };
        if (page.Count > maxResults)
        {
            response["NextToken"] = tokens.Encode(new PageCursor(fingerprint, page[maxResults - 1].Key, 0));
        }

        return response.ToJsonString(JsonDefaults.Options);
    }

    public async Task<Result<string>> DeleteAsync(JsonObject input, RequestContext context, CancellationToken cancellationToken)
    {
        var record = await store.FindByArnAsync(context.AccountId, input.GetString("ResourceArn")!, cancellationToken);
        if (record is null)
        {
            return ResourceMissing();
        }

        var keys = input.GetArray("TagKeys")!.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        record.Tags.RemoveAll(t => keys.Contains(t.Key));
        await store.Db.SaveChangesAsync(cancellationToken);
        return ResourceOperations.EmptyResponse;
    }

    private static ApiError ResourceMissing() => ApiError.Validation("Resource does not exist");
}

using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Documents;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Orchestration.Jobs;

/// <summary>
/// Reads and changes a job's stored document from a worker. A change is a function of the current document, applied
/// again on a concurrent write (a StopXxxJob call between read and save), so a worker never overwrites what a user did.
/// </summary>
internal sealed class JobDocuments(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<JsonObject?> ReadAsync(ResourceDescriptor descriptor, string accountId, string name, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ResourceStore>();
        var text = await store.FindDocumentAsync(accountId, descriptor.Type.Kind, name);
        return text is null ? null : JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// Applies <paramref name="change"/> (which returns false to leave the document as it is) and saves it with a new
    /// LastModifiedTime. Returns the document as stored afterwards.
    /// </summary>
    public async Task<JsonObject?> UpdateAsync(ResourceDescriptor descriptor, string accountId, string name, Func<JsonObject, DateTimeOffset, bool> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ResourceStore>();
            var record = await store.FindAsync(accountId, descriptor.Type.Kind, name, cancellationToken);
            if (record is null)
            {
                return null;
            }

            var document = JsonNode.Parse(record.Document)!.AsObject();
            var now = time.GetUtcNow();
            if (!change(document, now))
            {
                return document;
            }

            document["LastModifiedTime"] = Timestamps.ToEpochSeconds(now);
            ResourceOperations.Apply(descriptor, record, document);
            if (await store.TrySaveAsync(cancellationToken))
            {
                return document;
            }
        }
    }
}

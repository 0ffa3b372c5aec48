using System.Text.Json.Nodes;
using ControlPlane.Api.Http;
using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Orchestration.Jobs;

namespace ControlPlane.Api.Rest;

/// <summary>
/// <c>GET /api/training-jobs/{name}/logs</c>, <c>GET /api/processing-jobs/{name}/logs</c> and
/// <c>GET /api/transform-jobs/{name}/logs</c>: the containers' stdout and stderr as text. With <c>follow=true</c> the
/// response stays open and streams new lines until the job has ended, like <c>docker logs -f</c>. A multi-instance
/// job has one log per host: <c>host=algo-2</c> picks one (default algo-1, SageMaker's first log stream).
/// </summary>
internal static class JobLogEndpoints
{
    private static readonly TimeSpan FollowPollInterval = TimeSpan.FromMilliseconds(200);

    public static IEndpointRouteBuilder MapJobLogs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/training-jobs/{name}/logs", (HttpContext context, string name, bool? follow, string? host, CancellationToken cancellationToken) =>
                StreamAsync(context, ResourceCatalog.TrainingJob, "training-jobs", name, follow == true, host, cancellationToken))
            .WithName("GetTrainingJobLogs")
            .WithTags("Training jobs")
            .WithSummary("The training container's stdout and stderr (host=algo-N, default algo-1); follow=true streams until the job ends.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        endpoints.MapGet("/api/processing-jobs/{name}/logs", (HttpContext context, string name, bool? follow, string? host, CancellationToken cancellationToken) =>
                StreamAsync(context, ResourceCatalog.ProcessingJob, "processing-jobs", name, follow == true, host, cancellationToken))
            .WithName("GetProcessingJobLogs")
            .WithTags("Processing jobs")
            .WithSummary("The processing container's stdout and stderr (host=algo-N, default algo-1); follow=true streams until the job ends.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        endpoints.MapGet("/api/transform-jobs/{name}/logs", (HttpContext context, string name, bool? follow, CancellationToken cancellationToken) =>
                StreamAsync(context, ResourceCatalog.TransformJob, "transform-jobs", name, follow == true, null, cancellationToken))
            .WithName("GetTransformJobLogs")
            .WithTags("Transform jobs")
            .WithSummary("The model containers' output and a line per transformed object; follow=true streams until the job ends.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context, ResourceDescriptor descriptor, string kindSegment, string name, bool follow, string? host, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var request = services.GetRequiredService<RequestContextFactory>().Create(context);
        var store = services.GetRequiredService<ResourceStore>();
        if (await store.FindDocumentAsync(request.AccountId, descriptor.Type.Kind, name) is not { } document)
        {
            await ApiResponseWriter.WriteErrorAsync(context, ApiError.Validation(descriptor.NotFound(request.Scope, name)), RestApiEndpoints.JsonContentType);
            return;
        }

        var hosts = JobWorkspace.Hosts(InstanceCount(JsonNode.Parse(document)!.AsObject()));
        host ??= JobWorkspace.FirstHost;
        if (!hosts.Contains(host))
        {
            await ApiResponseWriter.WriteErrorAsync(context, ApiError.Validation($"The job {name} has no host {host}; its hosts are {string.Join(", ", hosts)}."), RestApiEndpoints.JsonContentType);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        var path = services.GetRequiredService<JobWorkspace>().LogPath(kindSegment, request.AccountId, name, host);
        long position = 0;
        while (true)
        {
            position = await CopyNewAsync(path, position, context.Response.Body, cancellationToken);
            if (!follow || await HasEndedAsync(store, descriptor, request.AccountId, name))
            {
                // One more read: lines written between the last copy and the end of the job.
                await CopyNewAsync(path, position, context.Response.Body, cancellationToken);
                return;
            }

            await context.Response.Body.FlushAsync(cancellationToken);
            await Task.Delay(FollowPollInterval, cancellationToken);
        }
    }

    private static async Task<long> CopyNewAsync(string path, long position, Stream destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return position;
        }

        await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (log.Length < position)
        {
            // A retried job starts a new log.
            position = 0;
        }

        log.Position = position;
        await log.CopyToAsync(destination, cancellationToken);
        return log.Position;
    }

    /// <summary>Training: ResourceConfig.InstanceCount; processing: ProcessingResources.ClusterConfig.InstanceCount.</summary>
    private static int InstanceCount(JsonObject job) =>
        (job["ResourceConfig"] ?? job["ProcessingResources"]?["ClusterConfig"])?["InstanceCount"]?.GetValue<int>() ?? 1;

    private static async Task<bool> HasEndedAsync(ResourceStore store, ResourceDescriptor descriptor, string accountId, string name)
    {
        var document = await store.FindDocumentAsync(accountId, descriptor.Type.Kind, name);
        return document is null || JobStatus.IsTerminal(JsonNode.Parse(document)![descriptor.Type.StatusMember!]!.GetValue<string>());
    }
}

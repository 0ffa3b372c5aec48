using System.Text;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Hosting;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Storage;
using ControlPlane.Orchestration.Transform;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Runs one queued InvokeEndpointAsync (contract 4.3): reads the input object, sends it to a healthy instance of the
/// endpoint (a variant picked by weight from the routes its supervisor publishes, the same headers as InvokeEndpoint),
/// and writes the model's answer to the output object, or why there is none to the failure object. While the endpoint
/// has no instance that answers, the invocation waits (rescheduled every few seconds) until its RequestTTLSeconds have
/// passed. The invocation is pending (<see cref="PendingAsyncInvocations"/>) until its answer or failure is written, and
/// a restart queues every pending one again: one cut off mid-call then reaches the model a second time (at least once,
/// as with SageMaker's own queue).
/// </summary>
internal sealed partial class AsyncInvocationWorkflow(
    HostingWorkspace workspace,
    PendingAsyncInvocations pending,
    JobDocuments documents,
    IObjectStore store,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<AsyncInvocationWorkflow> logger)
{
    public const string QueueName = "async-invocations";

    /// <summary>How long an invocation waits before it looks for an instance again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private const int ModelRetries = 2;

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        // Each attempt has its own deadline (InvocationTimeoutSeconds) in HttpModelInvoker.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Runs the invocation if <paramref name="token"/> is still its current one (see <see cref="PendingAsyncInvocations"/>).</summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue(QueueName)]
    public async Task RunAsync(AsyncInvocation invocation, string token, CancellationToken cancellationToken)
    {
        if (!pending.IsCurrent(invocation, token))
        {
            return;
        }

        if (time.GetUtcNow() > invocation.ExpiresAt)
        {
            await FailAsync(invocation, $"The request expired at {invocation.ExpiresAt:u} (RequestTTLSeconds) before an instance of endpoint {invocation.EndpointName} could take it.", cancellationToken);
            return;
        }

        if (await documents.ReadAsync(ResourceCatalog.Endpoint, invocation.AccountId, invocation.EndpointName, cancellationToken) is null)
        {
            await FailAsync(invocation, $"Endpoint {invocation.EndpointName} was deleted before it could take the request.", cancellationToken);
            return;
        }

        var routes = workspace.ReadRoutes(invocation.AccountId, invocation.EndpointName).Where(v => v.Instances.Count > 0).ToList();
        var variant = WeightedChoice.Pick(routes, static v => v.Weight, routes.Sum(v => v.Weight), Random.Shared.NextDouble());
        if (variant is null)
        {
            Retry(invocation, token, "no instance of the endpoint serves yet");
            return;
        }

        await using var input = await store.OpenReadAsync(Location(invocation.InputLocation), cancellationToken);
        if (input is null)
        {
            await FailAsync(invocation, $"The input object {invocation.InputLocation} does not exist.", cancellationToken);
            return;
        }

        using var payload = new MemoryStream();
        await input.CopyToAsync(payload, cancellationToken);
        var instance = variant.Instances[Random.Shared.Next(variant.Instances.Count)];
        var invoker = new HttpModelInvoker(
            Http,
            new Uri($"http://{instance}/invocations"),
            invocation.ContentType,
            invocation.Accept,
            TimeSpan.FromSeconds(invocation.InvocationTimeoutSeconds),
            ModelRetries,
            Headers(invocation));
        byte[] answer;
        try
        {
            answer = await invoker.InvokeAsync(payload.GetBuffer().AsMemory(0, (int)payload.Length), cancellationToken);
        }
        catch (ModelInvocationException e) when (e.Unreachable)
        {
            Retry(invocation, token, $"instance {instance} of variant {variant.Name} did not accept the connection");
            return;
        }
        catch (ModelInvocationException e)
        {
            await FailAsync(invocation, $"Received an error from the model of variant {variant.Name}: {e.Message}", cancellationToken);
            return;
        }

        await store.PutAsync(Location(invocation.OutputLocation), new MemoryStream(answer, writable: false), cancellationToken);
        pending.Complete(invocation);
        LogAnswered(logger, invocation.InferenceId, invocation.EndpointName, variant.Name, invocation.OutputLocation);
    }

    /// <summary>Every location was checked when the invocation was queued (<see cref="HangfireAsyncInvocationQueue"/>).</summary>
    private static S3Location Location(string uri) => S3Location.Parse(uri).Value ?? throw new InvalidOperationException($"{uri} is not an S3 location.");

    private static List<KeyValuePair<string, string>> Headers(AsyncInvocation invocation)
    {
        var headers = new List<KeyValuePair<string, string>> { new("X-Amzn-SageMaker-Inference-Id", invocation.InferenceId) };
        if (invocation.CustomAttributes is { } attributes)
        {
            headers.Add(new("X-Amzn-SageMaker-Custom-Attributes", attributes));
        }

        return headers;
    }

    private void Retry(AsyncInvocation invocation, string token, string why)
    {
        LogWaiting(logger, invocation.InferenceId, invocation.EndpointName, why);
        jobs.Schedule<AsyncInvocationWorkflow>(workflow => workflow.RunAsync(invocation, token, CancellationToken.None), RetryDelay);
    }

    private async Task FailAsync(AsyncInvocation invocation, string reason, CancellationToken cancellationToken)
    {
        await store.PutAsync(Location(invocation.FailureLocation), new MemoryStream(Encoding.UTF8.GetBytes(reason), writable: false), cancellationToken);
        pending.Complete(invocation);
        LogFailed(logger, invocation.InferenceId, invocation.EndpointName, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Asynchronous inference {InferenceId} on endpoint {Endpoint}: variant {Variant} answered; written to {Output}")]
    private static partial void LogAnswered(ILogger logger, string inferenceId, string endpoint, string variant, string output);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asynchronous inference {InferenceId} on endpoint {Endpoint} waits: {Why}")]
    private static partial void LogWaiting(ILogger logger, string inferenceId, string endpoint, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Asynchronous inference {InferenceId} on endpoint {Endpoint} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string inferenceId, string endpoint, string reason);
}

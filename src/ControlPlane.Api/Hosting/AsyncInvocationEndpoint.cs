using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Application;
using ControlPlane.Application.Operations;
using ControlPlane.Application.Persistence;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Hosting;
using ControlPlane.Core.Resources;
using ControlPlane.Http;
using ControlPlane.Http.Authentication;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Hosting;

/// <summary>
/// <c>POST /internal/async-invocations</c>: the inference gateway hands over an InvokeEndpointAsync here (contract 4.3).
/// The request is resolved against the caller's endpoint and queued durably before the answer, which carries the
/// inference id and the output and failure locations the caller's 202 names. Errors are AWS JSON errors the gateway
/// passes on as they are.
/// </summary>
internal static class AsyncInvocationEndpoint
{
    public static IEndpointRouteBuilder MapAsyncInvocations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(AsyncInvocationRequest.Path, AcceptAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task AcceptAsync(HttpContext context, ResourceStore store, IAsyncInvocationQueue queue, TimeProvider time, IOptions<ControlPlaneOptions> options)
    {
        AsyncInvocationRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<AsyncInvocationRequest>(context.RequestAborted);
        }
        catch (JsonException e)
        {
            await AwsErrorResponse.WriteAsync(context, ApiError.Serialization($"The request body is not an async invocation: {e.Message}"), "application/json");
            return;
        }

        if (request is null || string.IsNullOrEmpty(request.EndpointName))
        {
            await AwsErrorResponse.WriteAsync(context, ApiError.Validation("The async invocation names no endpoint."), "application/json");
            return;
        }

        var account = context.Caller()?.AccountId ?? options.Value.AccountId;
        var document = await store.FindDocumentAsync(account, ResourceKind.Endpoint, request.EndpointName);
        var invocation = AsyncInvocations.Resolve(request, account, document is null ? null : JsonNode.Parse(document)!.AsObject(), time.GetUtcNow());
        if ((invocation.Error ?? await queue.EnqueueAsync(invocation.Value!, context.RequestAborted)) is { } error)
        {
            await AwsErrorResponse.WriteAsync(context, error, "application/json");
            return;
        }

        await context.Response.WriteAsJsonAsync(
            new AsyncInvocationAccepted(invocation.Value!.InferenceId, invocation.Value.OutputLocation, invocation.Value.FailureLocation),
            context.RequestAborted);
    }
}

using System.Net;
using System.Text.Json;
using ControlPlane.Core.Hosting;
using ControlPlane.Http.Authentication;

namespace ControlPlane.Gateway;

/// <summary>
/// <c>POST /endpoints/{EndpointName}/async-invocations</c>, InvokeEndpointAsync (contract 4.3). The call carries no
/// body, only headers naming the input object; the gateway hands them to the control plane
/// (<see cref="AsyncInvocationRequest.Path"/>, as the caller's account), which checks the endpoint and queues the
/// invocation durably, and answers 202 with the inference id and the output and failure locations. A worker then runs
/// it against the model and writes the answer there. The control plane's refusals come back as ValidationErrors; when it
/// cannot be reached or does not confirm, the caller gets ServiceUnavailable.
/// </summary>
internal sealed class AsyncInvocationForwarder(RouteCache routes)
{
    public const string Route = "/endpoints/{endpointName}/async-invocations";
    private const string Prefix = "X-Amzn-SageMaker-";

    public async Task InvokeAsync(HttpContext context, string endpointName)
    {
        var headers = context.Request.Headers;
        string? Header(string name) => headers.TryGetValue(Prefix + name, out var value) ? value.ToString() : null;
        var request = new AsyncInvocationRequest(
            endpointName,
            Header("InputLocation"),
            Header("Content-Type"),
            Header("Accept"),
            Header("Custom-Attributes"),
            Header("Inference-Id"),
            Header("S3OutputPathExtension"),
            Header("Filename"),
            Header("RequestTTLSeconds"),
            Header("InvocationTimeoutSeconds"));
        if (string.IsNullOrEmpty(request.InputLocation))
        {
            await RuntimeErrors.ValidationAsync(context, "1 validation error detected: Value null at 'inputLocation' failed to satisfy constraint: Member must not be null");
            return;
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, AsyncInvocationRequest.Path) { Content = JsonContent.Create(request) };
        HttpResponseMessage answer;
        try
        {
            answer = await routes.SendAsAsync(context.Caller(), message, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            await RuntimeErrors.ServiceUnavailableAsync(context, $"The control plane did not confirm the asynchronous inference ({e.Message}); it may not have been queued.");
            return;
        }

        using (answer)
        {
            try
            {
                await AnswerAsync(context, answer);
            }
            catch (JsonException e)
            {
                await RuntimeErrors.ServiceUnavailableAsync(context, $"The control plane's answer could not be read ({e.Message}); the inference may not have been queued.");
            }
        }
    }

    /// <summary>202 with what the control plane queued, its refusal as a ValidationError, or ServiceUnavailable.</summary>
    private static async Task AnswerAsync(HttpContext context, HttpResponseMessage answer)
    {
        if (answer.IsSuccessStatusCode && await answer.Content.ReadFromJsonAsync<AsyncInvocationAccepted>(context.RequestAborted) is { } accepted)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status202Accepted;
            response.Headers[Prefix + "OutputLocation"] = accepted.OutputLocation;
            response.Headers[Prefix + "FailureLocation"] = accepted.FailureLocation;
            await response.WriteAsJsonAsync(new Dictionary<string, string> { ["InferenceId"] = accepted.InferenceId }, context.RequestAborted);
            return;
        }

        if (answer.StatusCode == HttpStatusCode.BadRequest)
        {
            using var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(context.RequestAborted));
            await RuntimeErrors.ValidationAsync(context, error.RootElement.TryGetProperty("message", out var text) ? text.GetString() ?? string.Empty : string.Empty);
            return;
        }

        await RuntimeErrors.ServiceUnavailableAsync(context, $"The control plane did not queue the asynchronous inference: it answered {(int)answer.StatusCode}.");
    }
}

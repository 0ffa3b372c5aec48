using System.Buffers;
using System.Net;

namespace ControlPlane.Gateway;

/// <summary>
/// One InvokeEndpointWithResponseStream call to one instance (contract 4.4). The container gets the same
/// <c>POST /invocations</c> as for InvokeEndpoint (Accept comes from <c>X-Amzn-SageMaker-Accept</c>), and whatever
/// part of its answer has arrived reaches the caller at once, each read as one PayloadPart event. Until the model's
/// status line arrives the call can fail the plain way (a refused connection, a ModelError); once the stream has
/// started, a model that breaks off or stays silent for the invocation timeout ends it with a ModelStreamError event.
/// It sends on the gateway's pooled model connections itself rather than through YARP's forwarder, which copies an
/// answer's body as it comes and has no place to frame each read.
/// </summary>
internal sealed class ResponseStreamForwarder(TimeSpan invocationTimeout)
{
    public const string Route = "/endpoints/{endpointName}/invocations-response-stream";
    private const string Accept = "X-Amzn-SageMaker-Accept";
    private const string ModelContentType = "X-Amzn-SageMaker-Content-Type";

    public async Task<Attempt> SendAsync(HttpContext context, HttpMessageInvoker client, string variantName, InstanceTarget instance, ReadOnlyMemory<byte> body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, instance.Invocations)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        InvocationHeaders.CopyTo(request, context.Request.Headers, Accept, body);

        // One timer for the whole call: it runs until the model's status line, then again before every read.
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        silence.CancelAfter(invocationTimeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, silence.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return context.RequestAborted.IsCancellationRequested ? Attempt.Ended
                : silence.IsCancellationRequested ? Attempt.Failed(ModelFailure.TimedOut)
                : Attempt.IsRefusal(e) ? Attempt.Refused
                : Attempt.Failed(ModelFailure.Unanswered(e));
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return Attempt.Failed(await ModelFailure.ReadAsync(response, silence.Token));
            }

            var answer = context.Response;
            answer.StatusCode = StatusCodes.Status200OK;
            answer.ContentType = EventStream.ContentType;
            if (response.Content.Headers.ContentType is { } contentType)
            {
                answer.Headers[ModelContentType] = contentType.ToString();
            }

            InvocationHeaders.CopyAnswerHeaders(answer, variantName, response);
            await answer.StartAsync(context.RequestAborted);
            await CopyAsEventsAsync(context, response, silence);
            return Attempt.Ended;
        }
    }

    private async Task CopyAsEventsAsync(HttpContext context, HttpResponseMessage response, CancellationTokenSource silence)
    {
        var caller = context.Response.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(EventStream.MaxPartBytes);
        try
        {
            await using var model = await response.Content.ReadAsStreamAsync(silence.Token);
            while (true)
            {
                silence.CancelAfter(invocationTimeout);
                int read;
                try
                {
                    read = await model.ReadAsync(buffer.AsMemory(0, EventStream.MaxPartBytes), silence.Token);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    await EventStream.WriteModelStreamErrorAsync(caller, "ModelInvocationTimeExceeded",
                        $"The model sent nothing for {invocationTimeout.TotalSeconds:0.###} seconds; the stream was ended.", context.RequestAborted);
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    await EventStream.WriteModelStreamErrorAsync(caller, "StreamBroken",
                        $"The model's response stream broke off: {ModelFailure.Describe(e)}", context.RequestAborted);
                    return;
                }

                if (read == 0)
                {
                    return;
                }

                await EventStream.WritePayloadPartAsync(caller, buffer.AsSpan(0, read), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: disposing the model's response closes its connection, which tells it to stop.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

using Yarp.ReverseProxy.Forwarder;

namespace ControlPlane.Gateway;

/// <summary>
/// Shapes one InvokeEndpoint call forwarded by YARP (contract 4.1, 5.2): the container gets <c>POST /invocations</c>
/// with <see cref="InvocationHeaders"/>; the caller gets the model's body and Content-Type. A non-2xx answer is not
/// copied: its status and text become a <see cref="ModelFailure"/>.
/// </summary>
internal sealed class InvocationTransformer(string variantName, Uri invocations, ReadOnlyMemory<byte> payload) : HttpTransformer
{
    public ModelFailure? Failure { get; private set; }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        proxyRequest.RequestUri = invocations;
        InvocationHeaders.CopyTo(proxyRequest, httpContext.Request.Headers, "Accept", payload);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        if (!proxyResponse.IsSuccessStatusCode)
        {
            Failure = await ModelFailure.ReadAsync(proxyResponse, cancellationToken);
            return false;
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (proxyResponse.Content.Headers.ContentType is { } contentType)
        {
            response.ContentType = contentType.ToString();
        }

        if (proxyResponse.Content.Headers.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        InvocationHeaders.CopyAnswerHeaders(response, variantName, proxyResponse);
        return true;
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}

using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace ControlPlane.Gateway;

/// <summary>
/// Shapes one forwarded invocation (contract 4.1, 5.2): the container gets <c>POST /invocations</c> with only the
/// headers SageMaker forwards; the caller gets the model's body, its Content-Type and Custom-Attributes and the variant
/// that served. A non-2xx answer is not copied: its status and text become a <see cref="ModelFailure"/>.
/// The payload was read whole before (it is at most 6 MB); <see cref="BufferedPayloadHandler"/> sends it.
/// </summary>
internal sealed class InvocationTransformer(string variantName, Uri invocations, ReadOnlyMemory<byte> payload) : HttpTransformer
{
    public const string CustomAttributes = "X-Amzn-SageMaker-Custom-Attributes";
    private const int ModelMessageLength = 4096;
    private static readonly string[] ForwardedHeaders = ["Accept", CustomAttributes, "X-Amzn-SageMaker-Inference-Id", "X-Amzn-SageMaker-Target-Model"];

    public ModelFailure? Failure { get; private set; }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        proxyRequest.RequestUri = invocations;
        var headers = httpContext.Request.Headers;
        foreach (var name in ForwardedHeaders)
        {
            if (headers.TryGetValue(name, out var value))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value);
            }
        }

        BufferedPayloadHandler.Attach(proxyRequest, payload, headers.ContentType);

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var status = (int)proxyResponse.StatusCode;
        if (status is < 200 or > 299)
        {
            var text = await proxyResponse.Content.ReadAsStringAsync(cancellationToken);
            Failure = new ModelFailure(status, text.Length <= ModelMessageLength ? text : text[..ModelMessageLength]);
            return false;
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers["x-Amzn-Invoked-Production-Variant"] = variantName;
        if (proxyResponse.Content.Headers.ContentType is { } contentType)
        {
            response.ContentType = contentType.ToString();
        }

        if (proxyResponse.Content.Headers.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        if (proxyResponse.Headers.TryGetValues(CustomAttributes, out var attributes))
        {
            response.Headers[CustomAttributes] = attributes.ToArray();
        }

        return true;
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public static string Describe(Exception? exception)
    {
        var text = new StringBuilder();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            text.Append(text.Length > 0 ? ": " : string.Empty).Append(e.Message);
        }

        return text.ToString();
    }
}

using Microsoft.Extensions.Primitives;

namespace ControlPlane.Gateway;

/// <summary>
/// What crosses the gateway with an invocation, whichever way it is answered (contract 4.1, 4.4, 5.2): the container
/// gets only the headers SageMaker forwards; the caller gets the variant that served and the model's Custom-Attributes.
/// </summary>
internal static class InvocationHeaders
{
    public const string CustomAttributes = "X-Amzn-SageMaker-Custom-Attributes";
    private static readonly string[] Forwarded = [CustomAttributes, "X-Amzn-SageMaker-Inference-Id", "X-Amzn-SageMaker-Target-Model"];

    /// <summary>
    /// The forwarded headers, the caller's <paramref name="acceptHeader"/> as <c>Accept</c>, and the payload (already
    /// read whole, at most 6 MB) with its Content-Type, sent by <see cref="BufferedPayloadHandler"/> in one write.
    /// </summary>
    public static void CopyTo(HttpRequestMessage request, IHeaderDictionary headers, string acceptHeader, ReadOnlyMemory<byte> payload)
    {
        if (headers.TryGetValue(acceptHeader, out var accept))
        {
            request.Headers.TryAddWithoutValidation("Accept", (IEnumerable<string?>)accept);
        }

        foreach (var name in Forwarded)
        {
            if (headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }

        BufferedPayloadHandler.Attach(request, payload, headers.ContentType);
    }

    public static void CopyAnswerHeaders(HttpResponse answer, string variantName, HttpResponseMessage modelResponse)
    {
        answer.Headers["x-Amzn-Invoked-Production-Variant"] = variantName;
        if (modelResponse.Headers.TryGetValues(CustomAttributes, out var attributes))
        {
            answer.Headers[CustomAttributes] = new StringValues([.. attributes]);
        }
    }
}

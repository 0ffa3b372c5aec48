using Microsoft.Extensions.Primitives;

namespace ControlPlane.Gateway;

/// <summary>
/// Sends an invocation's payload, already read whole, as one buffered content, so its headers and body leave in one
/// write. YARP's own request content flushes the headers before it copies the body, and the container then reads each
/// call in two parts, which on small payloads costs it and the gateway more than the call itself. YARP refuses a
/// transformer that replaces its content, so the swap happens here, below it; YARP awaits its own content only once
/// that has started, which it then never does.
/// </summary>
internal sealed class BufferedPayloadHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly HttpRequestOptionsKey<HttpContent> Payload = new("ControlPlane.Payload");

    /// <summary>Marks <paramref name="request"/> to be sent with <paramref name="payload"/> as its body.</summary>
    public static void Attach(HttpRequestMessage request, ReadOnlyMemory<byte> payload, StringValues contentType)
    {
        var content = new ReadOnlyMemoryContent(payload);
        if (contentType.Count > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", (IEnumerable<string?>)contentType);
        }

        request.Options.Set(Payload, content);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Payload, out var payload))
        {
            request.Content = payload;
        }

        return base.SendAsync(request, cancellationToken);
    }
}

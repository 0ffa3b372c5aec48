namespace ControlPlane.Client.Runtime;

/// <summary>
/// The model's answer to InvokeEndpointWithResponseStream, as it arrives. Enumerate <see cref="Body"/> once; dispose
/// the response to release the connection (also to stop reading early).
/// </summary>
public sealed class InvokeEndpointWithResponseStreamResponse : SageMakerResponse, IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;

    internal InvokeEndpointWithResponseStreamResponse(HttpResponseMessage response, Stream stream, string? requestId)
    {
        _response = response;
        _stream = stream;
        Body = EventStreamReader.ReadPayloadPartsAsync(stream, response.StatusCode, requestId, CancellationToken.None);
        ContentType = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-Content-Type");
        InvokedProductionVariant = RuntimeHeaders.Of(response, "x-Amzn-Invoked-Production-Variant");
        CustomAttributes = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-Custom-Attributes");
    }

    /// <summary>
    /// The parts of the model's answer in order, each as the model flushed it. A model that breaks off or goes silent
    /// ends the enumeration with <see cref="ModelStreamErrorException"/>; pass a token with <c>WithCancellation</c>.
    /// </summary>
    public IAsyncEnumerable<PayloadPart> Body { get; }

    /// <summary>The MIME type of the model's answer (<c>X-Amzn-SageMaker-Content-Type</c>).</summary>
    public string? ContentType { get; }

    /// <summary>The production variant that served the request (<c>x-Amzn-Invoked-Production-Variant</c>).</summary>
    public string? InvokedProductionVariant { get; }

    /// <summary>The custom attributes the model set on its response, if it set any.</summary>
    public string? CustomAttributes { get; }

    /// <summary>Releases the response and its connection.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _response.Dispose();
    }
}

/// <summary>One part of a streamed answer: the bytes of one <c>PayloadPart</c> event.</summary>
/// <param name="Bytes">What the model wrote.</param>
public sealed record PayloadPart(byte[] Bytes);

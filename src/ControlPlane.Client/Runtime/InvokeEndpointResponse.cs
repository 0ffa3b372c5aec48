namespace ControlPlane.Client.Runtime;

/// <summary>The model's answer to InvokeEndpoint. Dispose it to release the connection its <see cref="Body"/> streams from.</summary>
public sealed class InvokeEndpointResponse : SageMakerResponse, IDisposable
{
    private readonly HttpResponseMessage _response;

    internal InvokeEndpointResponse(HttpResponseMessage response, Stream body)
    {
        _response = response;
        Body = body;
        ContentType = response.Content.Headers.ContentType?.ToString();
        InvokedProductionVariant = RuntimeHeaders.Of(response, "x-Amzn-Invoked-Production-Variant");
        CustomAttributes = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-Custom-Attributes");
        NewSessionId = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-New-Session-Id");
        ClosedSessionId = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-Closed-Session-Id");
    }

    /// <summary>The inference, as the model returned it, streamed from the response.</summary>
    public Stream Body { get; }

    /// <summary>The MIME type of <see cref="Body"/>.</summary>
    public string? ContentType { get; }

    /// <summary>The production variant that served the request (<c>x-Amzn-Invoked-Production-Variant</c>).</summary>
    public string? InvokedProductionVariant { get; }

    /// <summary>The custom attributes the model set on its response, if it set any.</summary>
    public string? CustomAttributes { get; }

    /// <summary>The id of a session the request opened (<c>X-Amzn-SageMaker-New-Session-Id</c>).</summary>
    public string? NewSessionId { get; }

    /// <summary>The id of a session the request closed (<c>X-Amzn-SageMaker-Closed-Session-Id</c>).</summary>
    public string? ClosedSessionId { get; }

    /// <summary>Releases the response and its connection.</summary>
    public void Dispose()
    {
        Body.Dispose();
        _response.Dispose();
    }
}

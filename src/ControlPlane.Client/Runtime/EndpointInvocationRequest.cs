namespace ControlPlane.Client.Runtime;

/// <summary>
/// What InvokeEndpoint and InvokeEndpointWithResponseStream share: the endpoint, the body, which goes to the model as
/// it is, and the members that travel as headers to route and trace the call.
/// </summary>
public abstract class EndpointInvocationRequest
{
    private protected EndpointInvocationRequest()
    {
    }

    /// <summary>Required. The endpoint to invoke.</summary>
    public string EndpointName { get; set; } = string.Empty;

    /// <summary>Required. The input for the model, in the format <see cref="ContentType"/> names (at most 6 MB). Read from its current position.</summary>
    public Stream Body { get; set; } = Stream.Null;

    /// <summary>The MIME type of <see cref="Body"/> (<c>Content-Type</c>), e.g. <c>text/csv</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>The MIME type wanted for the inference; the model gets it as <c>Accept</c>.</summary>
    public string? Accept { get; set; }

    /// <summary>Opaque information forwarded verbatim to the model (<c>X-Amzn-SageMaker-Custom-Attributes</c>), at most 1024 visible ASCII characters.</summary>
    public string? CustomAttributes { get; set; }

    /// <summary>The production variant to send the request to instead of weighted routing (<c>X-Amzn-SageMaker-Target-Variant</c>).</summary>
    public string? TargetVariant { get; set; }

    /// <summary>The container of a multi-container endpoint with direct invocation (<c>X-Amzn-SageMaker-Target-Container-Hostname</c>).</summary>
    public string? TargetContainerHostname { get; set; }

    /// <summary>An identifier for the inference, recorded with captured data (<c>X-Amzn-SageMaker-Inference-Id</c>).</summary>
    public string? InferenceId { get; set; }

    /// <summary>The inference component to invoke (<c>X-Amzn-SageMaker-Inference-Component</c>).</summary>
    public string? InferenceComponentName { get; set; }

    /// <summary>A stateful session's id, or <c>NEW_SESSION</c> (<c>X-Amzn-SageMaker-Session-Id</c>).</summary>
    public string? SessionId { get; set; }

    /// <summary>The header <see cref="Accept"/> travels in: <c>Accept</c>, or <c>X-Amzn-SageMaker-Accept</c> for the streaming call.</summary>
    private protected abstract string AcceptHeader { get; }

    internal virtual IEnumerable<KeyValuePair<string, string>> Headers() => RuntimeHeaders.Present(
        (AcceptHeader, Accept), ("X-Amzn-SageMaker-Custom-Attributes", CustomAttributes),
        ("X-Amzn-SageMaker-Target-Variant", TargetVariant), ("X-Amzn-SageMaker-Target-Container-Hostname", TargetContainerHostname),
        ("X-Amzn-SageMaker-Inference-Id", InferenceId), ("X-Amzn-SageMaker-Inference-Component", InferenceComponentName),
        ("X-Amzn-SageMaker-Session-Id", SessionId));
}

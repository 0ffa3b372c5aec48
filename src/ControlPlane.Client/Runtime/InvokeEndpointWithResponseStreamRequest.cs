namespace ControlPlane.Client.Runtime;

/// <summary>
/// An InvokeEndpointWithResponseStream request (sagemaker-runtime
/// <c>POST /endpoints/{EndpointName}/invocations-response-stream</c>): the body goes to the model as it is, the other
/// members travel as headers, and the model's answer comes back part by part as it writes it.
/// </summary>
public sealed class InvokeEndpointWithResponseStreamRequest
{
    /// <summary>Required. The endpoint to invoke.</summary>
    public string EndpointName { get; set; } = string.Empty;

    /// <summary>Required. The input for the model, in the format <see cref="ContentType"/> names (at most 6 MB). Read from its current position.</summary>
    public Stream Body { get; set; } = Stream.Null;

    /// <summary>The MIME type of <see cref="Body"/> (<c>Content-Type</c>), e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>The MIME type wanted for the inference (<c>X-Amzn-SageMaker-Accept</c>; the model gets it as <c>Accept</c>).</summary>
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

    /// <summary>A stateful session's id (<c>X-Amzn-SageMaker-Session-Id</c>).</summary>
    public string? SessionId { get; set; }

    internal IEnumerable<KeyValuePair<string, string>> Headers() => RuntimeHeaders.Present(
        ("X-Amzn-SageMaker-Accept", Accept), ("X-Amzn-SageMaker-Custom-Attributes", CustomAttributes),
        ("X-Amzn-SageMaker-Target-Variant", TargetVariant), ("X-Amzn-SageMaker-Target-Container-Hostname", TargetContainerHostname),
        ("X-Amzn-SageMaker-Inference-Id", InferenceId), ("X-Amzn-SageMaker-Inference-Component", InferenceComponentName),
        ("X-Amzn-SageMaker-Session-Id", SessionId));
}

namespace ControlPlane.Client.Runtime;

/// <summary>
/// An InvokeEndpoint request (sagemaker-runtime <c>POST /endpoints/{EndpointName}/invocations</c>): the body goes
/// to the model as it is, the other members travel as headers.
/// </summary>
public sealed class InvokeEndpointRequest
{
    /// <summary>Required. The endpoint to invoke.</summary>
    public string EndpointName { get; set; } = string.Empty;

    /// <summary>Required. The input for the model, in the format <see cref="ContentType"/> names (at most 6 MB). Read from its current position.</summary>
    public Stream Body { get; set; } = Stream.Null;

    /// <summary>The MIME type of <see cref="Body"/> (<c>Content-Type</c>), e.g. <c>text/csv</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>The MIME type wanted for the inference (<c>Accept</c>).</summary>
    public string? Accept { get; set; }

    /// <summary>Opaque information forwarded verbatim to the model (<c>X-Amzn-SageMaker-Custom-Attributes</c>), at most 1024 visible ASCII characters.</summary>
    public string? CustomAttributes { get; set; }

    /// <summary>The production variant to send the request to instead of weighted routing (<c>X-Amzn-SageMaker-Target-Variant</c>).</summary>
    public string? TargetVariant { get; set; }

    /// <summary>The model of a multi-model endpoint to invoke (<c>X-Amzn-SageMaker-Target-Model</c>).</summary>
    public string? TargetModel { get; set; }

    /// <summary>The container of a multi-container endpoint with direct invocation (<c>X-Amzn-SageMaker-Target-Container-Hostname</c>).</summary>
    public string? TargetContainerHostname { get; set; }

    /// <summary>An identifier for the inference, recorded with captured data (<c>X-Amzn-SageMaker-Inference-Id</c>).</summary>
    public string? InferenceId { get; set; }

    /// <summary>Whether to compute explanations (<c>X-Amzn-SageMaker-Enable-Explanations</c>).</summary>
    public string? EnableExplanations { get; set; }

    /// <summary>The inference component to invoke (<c>X-Amzn-SageMaker-Inference-Component</c>).</summary>
    public string? InferenceComponentName { get; set; }

    /// <summary>A stateful session's id, or <c>NEW_SESSION</c> (<c>X-Amzn-SageMaker-Session-Id</c>).</summary>
    public string? SessionId { get; set; }

    internal IEnumerable<KeyValuePair<string, string>> Headers() => RuntimeHeaders.Present(
        ("Accept", Accept), ("X-Amzn-SageMaker-Custom-Attributes", CustomAttributes),
        ("X-Amzn-SageMaker-Target-Variant", TargetVariant), ("X-Amzn-SageMaker-Target-Model", TargetModel),
        ("X-Amzn-SageMaker-Target-Container-Hostname", TargetContainerHostname),
        ("X-Amzn-SageMaker-Inference-Id", InferenceId), ("X-Amzn-SageMaker-Enable-Explanations", EnableExplanations),
        ("X-Amzn-SageMaker-Inference-Component", InferenceComponentName), ("X-Amzn-SageMaker-Session-Id", SessionId));
}

/// <summary>The runtime's members that travel as headers.</summary>
internal static class RuntimeHeaders
{
    /// <summary>A response header's value (several joined by commas), or null.</summary>
    public static string? Of(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>The members that are set, as header name and value.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Present(params (string Name, string? Value)[] members)
    {
        foreach (var (name, value) in members)
        {
            if (value is not null)
            {
                yield return new(name, value);
            }
        }
    }
}

using System.Globalization;

namespace ControlPlane.Client.Runtime;

/// <summary>
/// An InvokeEndpointAsync request (sagemaker-runtime <c>POST /endpoints/{EndpointName}/async-invocations</c>): the
/// input is an object in S3 that the endpoint's model reads later; every member travels as a header.
/// </summary>
public sealed class InvokeEndpointAsyncRequest
{
    /// <summary>Required. The endpoint to invoke; its configuration must have an AsyncInferenceConfig.</summary>
    public string EndpointName { get; set; } = string.Empty;

    /// <summary>Required. The S3 URI of the input object (<c>X-Amzn-SageMaker-InputLocation</c>).</summary>
    public string InputLocation { get; set; } = string.Empty;

    /// <summary>The MIME type of the input (<c>X-Amzn-SageMaker-Content-Type</c>; the model gets it as <c>Content-Type</c>).</summary>
    public string? ContentType { get; set; }

    /// <summary>The MIME type wanted for the inference (<c>X-Amzn-SageMaker-Accept</c>; the model gets it as <c>Accept</c>).</summary>
    public string? Accept { get; set; }

    /// <summary>Opaque information forwarded verbatim to the model (<c>X-Amzn-SageMaker-Custom-Attributes</c>).</summary>
    public string? CustomAttributes { get; set; }

    /// <summary>An identifier for the inference (<c>X-Amzn-SageMaker-Inference-Id</c>); the service makes one when it is not given.</summary>
    public string? InferenceId { get; set; }

    /// <summary>A path appended to the configured S3OutputPath (<c>X-Amzn-SageMaker-S3OutputPathExtension</c>).</summary>
    public string? S3OutputPathExtension { get; set; }

    /// <summary>The name of the output object instead of <c>{InferenceId}.out</c> (<c>X-Amzn-SageMaker-Filename</c>).</summary>
    public string? Filename { get; set; }

    /// <summary>How long the request may wait for the endpoint, 60 to 21600 seconds (<c>X-Amzn-SageMaker-RequestTTLSeconds</c>).</summary>
    public int? RequestTTLSeconds { get; set; }

    /// <summary>How long the model may take, 1 to 3600 seconds (<c>X-Amzn-SageMaker-InvocationTimeoutSeconds</c>).</summary>
    public int? InvocationTimeoutSeconds { get; set; }

    internal IEnumerable<KeyValuePair<string, string>> Headers() => RuntimeHeaders.Present(
        ("X-Amzn-SageMaker-InputLocation", InputLocation), ("X-Amzn-SageMaker-Content-Type", ContentType),
        ("X-Amzn-SageMaker-Accept", Accept), ("X-Amzn-SageMaker-Custom-Attributes", CustomAttributes),
        ("X-Amzn-SageMaker-Inference-Id", InferenceId), ("X-Amzn-SageMaker-S3OutputPathExtension", S3OutputPathExtension),
        ("X-Amzn-SageMaker-Filename", Filename),
        ("X-Amzn-SageMaker-RequestTTLSeconds", RequestTTLSeconds?.ToString(CultureInfo.InvariantCulture)),
        ("X-Amzn-SageMaker-InvocationTimeoutSeconds", InvocationTimeoutSeconds?.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>InvokeEndpointAsync's answer (202): where the model's answer, or the reason it failed, will be written.</summary>
public sealed class InvokeEndpointAsyncResponse : SageMakerResponse
{
    /// <summary>The inference's identifier: the request's, or one the service made.</summary>
    public string? InferenceId { get; init; }

    /// <summary>The S3 URI the model's answer will be written to (<c>X-Amzn-SageMaker-OutputLocation</c>).</summary>
    public string? OutputLocation { get; init; }

    /// <summary>The S3 URI the reason of a failure will be written to (<c>X-Amzn-SageMaker-FailureLocation</c>).</summary>
    public string? FailureLocation { get; init; }
}

namespace ControlPlane.Client.Runtime;

/// <summary>
/// An InvokeEndpoint request (sagemaker-runtime <c>POST /endpoints/{EndpointName}/invocations</c>): the body goes
/// to the model as it is, the other members travel as headers.
/// </summary>
public sealed class InvokeEndpointRequest : EndpointInvocationRequest
{
    /// <summary>The model of a multi-model endpoint to invoke (<c>X-Amzn-SageMaker-Target-Model</c>).</summary>
    public string? TargetModel { get; set; }

    /// <summary>Whether to compute explanations (<c>X-Amzn-SageMaker-Enable-Explanations</c>).</summary>
    public string? EnableExplanations { get; set; }

    private protected override string AcceptHeader => "Accept";

    internal override IEnumerable<KeyValuePair<string, string>> Headers() => base.Headers().Concat(RuntimeHeaders.Present(
        ("X-Amzn-SageMaker-Target-Model", TargetModel), ("X-Amzn-SageMaker-Enable-Explanations", EnableExplanations)));
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

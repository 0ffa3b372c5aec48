using System.Net;
using System.Text.Json.Serialization;

namespace ControlPlane.Client;

/// <summary>What every response of <see cref="ISageMakerClient"/> carries besides its members.</summary>
public abstract class SageMakerResponse
{
    /// <summary>The HTTP status of the response.</summary>
    [JsonIgnore]
    public HttpStatusCode HttpStatusCode { get; internal set; }

    /// <summary>The response's metadata: its request id.</summary>
    [JsonIgnore]
    public ResponseMetadata ResponseMetadata { get; internal set; } = new(null);
}

/// <summary>The metadata of a response.</summary>
/// <param name="RequestId">The <c>x-amzn-RequestId</c> header.</param>
public sealed record ResponseMetadata(string? RequestId);

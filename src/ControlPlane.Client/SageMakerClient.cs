using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ControlPlane.Client.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client;

public partial interface ISageMakerClient
{
    /// <summary>An <see cref="IAsyncEnumerable{T}"/> over every page of each List operation.</summary>
    SageMakerPaginators Paginators { get; }

    /// <summary>The waiters of botocore's waiters-2.json: poll a Describe operation until a resource settles.</summary>
    SageMakerWaiters Waiters { get; }
}

/// <summary>
/// The SageMaker control-plane client: one call per operation over the AWS JSON 1.1 protocol
/// (<c>POST /</c>, <c>X-Amz-Target: SageMaker.&lt;Operation&gt;</c>), against the control plane or Amazon SageMaker.
/// Errors arrive as <see cref="SageMakerException"/> and its subclasses; throttling, 5xx and dropped connections are
/// retried (<see cref="ControlPlaneClientOptions.MaxErrorRetry"/>); requests are signed when credentials are set.
/// </summary>
public sealed partial class SageMakerClient : ISageMakerClient, IDisposable
{
    private const string ContentType = "application/x-amz-json-1.1";

    private readonly Uri _address;
    private readonly AwsHttpTransport _transport;

    /// <summary>A client with its own <see cref="HttpClient"/> (prefer <c>AddControlPlaneClient</c> in hosted applications).</summary>
    /// <param name="options">The endpoint, region, credentials and retry policy.</param>
    public SageMakerClient(ControlPlaneClientOptions options)
        : this(null, options)
    {
    }

    /// <summary>A client over an <see cref="HttpClient"/> from <c>IHttpClientFactory</c> (the typed client <c>AddControlPlaneClient</c> registers).</summary>
    /// <param name="httpClient">The HTTP client to send with; the client sets its timeout to infinite and times attempts itself.</param>
    /// <param name="options">The endpoint, region, credentials and retry policy.</param>
    [ActivatorUtilitiesConstructor]
    public SageMakerClient(HttpClient httpClient, IOptions<ControlPlaneClientOptions> options)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    private SageMakerClient(HttpClient? httpClient, ControlPlaneClientOptions options)
    {
        _transport = new AwsHttpTransport(httpClient, options, errorCodeInHeaderFirst: false, ToException);
        _address = options.ControlPlaneAddress;
        Paginators = new SageMakerPaginators(this);
        Waiters = new SageMakerWaiters(this);
    }

    /// <inheritdoc/>
    public SageMakerPaginators Paginators { get; }

    /// <inheritdoc/>
    public SageMakerWaiters Waiters { get; }

    /// <inheritdoc/>
    public void Dispose() => _transport.Dispose();

    /// <summary>The exception of a control-plane error code (the codes of contract §1.4).</summary>
    internal static SageMakerException ToException(ServiceError error) => error.Code switch
    {
        ErrorCodes.Validation => new ValidationException(error.Message, error.StatusCode, error.RequestId),
        ErrorCodes.ResourceInUse => new ResourceInUseException(error.Message, error.StatusCode, error.RequestId),
        ErrorCodes.ResourceNotFound => new ResourceNotFoundException(error.Message, error.StatusCode, error.RequestId),
        ErrorCodes.ResourceLimitExceeded => new ResourceLimitExceededException(error.Message, error.StatusCode, error.RequestId),
        ErrorCodes.Conflict => new ConflictException(error.Message, error.StatusCode, error.RequestId),
        _ => CommonException(error),
    };

    /// <summary>The exceptions both protocols share: throttling, authentication, service faults, the rest.</summary>
    internal static SageMakerException CommonException(ServiceError error)
    {
        if (ErrorCodes.Throttling.Contains(error.Code))
        {
            return new ThrottlingException(error.Code, error.Message, error.StatusCode, error.RequestId);
        }

        if (ErrorCodes.Authentication.Contains(error.Code))
        {
            return new AuthenticationException(error.Code, error.Message, error.StatusCode, error.RequestId);
        }

        return (int)error.StatusCode >= 500
            ? new ServiceFaultException(error.Code, error.Message, error.StatusCode, error.RequestId)
            : new SageMakerException(error.Code, error.Message, error.StatusCode, error.RequestId);
    }

    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
        where TResponse : SageMakerResponse, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var outgoing = new OutgoingRequest(_address, body, ContentType, [new("X-Amz-Target", "SageMaker." + operation)]);
        using var response = await _transport.SendAsync(outgoing, cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        // Operations without output members may answer with an empty body.
        var result = content.Length == 0 ? new TResponse() : JsonSerializer.Deserialize(content, responseType) ?? new TResponse();
        result.HttpStatusCode = response.StatusCode;
        result.ResponseMetadata = new ResponseMetadata(ServiceError.RequestIdOf(response));
        return result;
    }
}

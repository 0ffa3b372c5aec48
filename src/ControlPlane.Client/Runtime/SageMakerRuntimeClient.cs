using System.Text.Json;
using ControlPlane.Client.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client.Runtime;

/// <summary>InvokeEndpoint, InvokeEndpointWithResponseStream and InvokeEndpointAsync through the inference gateway (or Amazon SageMaker's runtime).</summary>
public interface ISageMakerRuntimeClient
{
    /// <summary>Sends <see cref="EndpointInvocationRequest.Body"/> to the endpoint's model and returns its answer.</summary>
    /// <param name="request">The endpoint, body and headers.</param>
    /// <param name="cancellationToken">Cancels the call, including its retries.</param>
    /// <returns>The model's answer; dispose it.</returns>
    /// <exception cref="ModelErrorException">The model answered with an error.</exception>
    /// <exception cref="ValidationErrorException">The request or the endpoint was not valid.</exception>
    /// <exception cref="SageMakerException">Any other error, e.g. <see cref="ServiceFaultException"/> after the last retry.</exception>
    Task<InvokeEndpointResponse> InvokeEndpointAsync(InvokeEndpointRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends <see cref="EndpointInvocationRequest.Body"/> to the endpoint's model and returns its answer as the model streams it.</summary>
    /// <param name="request">The endpoint, body and headers.</param>
    /// <param name="cancellationToken">Cancels the call until the answer starts, including its retries.</param>
    /// <returns>The answer, whose <see cref="InvokeEndpointWithResponseStreamResponse.Body"/> yields the parts as they arrive; dispose it.</returns>
    /// <exception cref="ModelErrorException">The model answered with an error before streaming.</exception>
    /// <exception cref="ValidationErrorException">The request or the endpoint was not valid.</exception>
    /// <exception cref="SageMakerException">Any other error, e.g. <see cref="ServiceFaultException"/> after the last retry.</exception>
    Task<InvokeEndpointWithResponseStreamResponse> InvokeEndpointWithResponseStreamAsync(InvokeEndpointWithResponseStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Queues an asynchronous inference on the object at <see cref="InvokeEndpointAsyncRequest.InputLocation"/> (InvokeEndpointAsync).</summary>
    /// <param name="request">The endpoint, input object and headers.</param>
    /// <param name="cancellationToken">Cancels the call, including its retries.</param>
    /// <returns>The inference id and where its answer or failure will be written.</returns>
    /// <exception cref="ValidationErrorException">The request or the endpoint was not valid, e.g. it has no AsyncInferenceConfig.</exception>
    /// <exception cref="SageMakerException">Any other error, e.g. <see cref="ServiceFaultException"/> after the last retry.</exception>
    Task<InvokeEndpointAsyncResponse> InvokeEndpointAsyncAsync(InvokeEndpointAsyncRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// The sagemaker-runtime client (rest-json): <c>POST /endpoints/{EndpointName}/invocations</c> (and
/// <c>.../invocations-response-stream</c>) with the body as it is and the members as headers; retried, signed and
/// configured as <see cref="SageMakerClient"/> is.
/// </summary>
public sealed class SageMakerRuntimeClient : ISageMakerRuntimeClient, IDisposable
{
    /// <summary>The largest body InvokeEndpoint accepts (6 MB).</summary>
    public const int MaxBodyBytes = 6 * 1024 * 1024;

    private readonly Uri _address;
    private readonly AwsHttpTransport _transport;

    /// <summary>A client with its own <see cref="HttpClient"/>.</summary>
    /// <param name="options">The endpoint (<see cref="ControlPlaneClientOptions.RuntimeServiceURL"/>), region, credentials and retry policy.</param>
    public SageMakerRuntimeClient(ControlPlaneClientOptions options)
        : this(null, options)
    {
    }

    /// <summary>A client over an <see cref="HttpClient"/> from <c>IHttpClientFactory</c>.</summary>
    /// <param name="httpClient">The HTTP client to send with.</param>
    /// <param name="options">The endpoint, region, credentials and retry policy.</param>
    [ActivatorUtilitiesConstructor]
    public SageMakerRuntimeClient(HttpClient httpClient, IOptions<ControlPlaneClientOptions> options)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    private SageMakerRuntimeClient(HttpClient? httpClient, ControlPlaneClientOptions options)
    {
        _transport = new AwsHttpTransport(httpClient, options, errorCodeInHeaderFirst: true, ToException);
        var address = options.RuntimeAddress.ToString();
        _address = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <inheritdoc/>
    public async Task<InvokeEndpointResponse> InvokeEndpointAsync(InvokeEndpointRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (response, stream) = await SendAsync(request.EndpointName, "invocations", request.Body, request.ContentType, request.Headers(), cancellationToken).ConfigureAwait(false);
        return new InvokeEndpointResponse(response, stream)
        {
            HttpStatusCode = response.StatusCode,
            ResponseMetadata = new ResponseMetadata(ServiceError.RequestIdOf(response)),
        };
    }

    /// <inheritdoc/>
    public async Task<InvokeEndpointWithResponseStreamResponse> InvokeEndpointWithResponseStreamAsync(InvokeEndpointWithResponseStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (response, stream) = await SendAsync(request.EndpointName, "invocations-response-stream", request.Body, request.ContentType, request.Headers(), cancellationToken).ConfigureAwait(false);
        var requestId = ServiceError.RequestIdOf(response);
        return new InvokeEndpointWithResponseStreamResponse(response, stream, requestId)
        {
            HttpStatusCode = response.StatusCode,
            ResponseMetadata = new ResponseMetadata(requestId),
        };
    }

    /// <inheritdoc/>
    public async Task<InvokeEndpointAsyncResponse> InvokeEndpointAsyncAsync(InvokeEndpointAsyncRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.InputLocation);
        var (response, stream) = await SendAsync(request.EndpointName, "async-invocations", Stream.Null, null, request.Headers(), cancellationToken).ConfigureAwait(false);
        using (response)
        await using (stream.ConfigureAwait(false))
        {
            using var body = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new InvokeEndpointAsyncResponse
            {
                InferenceId = body.RootElement.TryGetProperty("InferenceId", out var id) ? id.GetString() : null,
                OutputLocation = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-OutputLocation"),
                FailureLocation = RuntimeHeaders.Of(response, "X-Amzn-SageMaker-FailureLocation"),
                HttpStatusCode = response.StatusCode,
                ResponseMetadata = new ResponseMetadata(ServiceError.RequestIdOf(response)),
            };
        }
    }

    /// <inheritdoc cref="SageMakerClient.Dispose"/>
    public void Dispose() => _transport.Dispose();

    /// <summary>Posts the body to the endpoint's <paramref name="operation"/> path; returns the successful response and its body's stream.</summary>
    private async Task<(HttpResponseMessage Response, Stream Body)> SendAsync(
        string endpointName, string operation, Stream body, string? contentType, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointName);
        ArgumentNullException.ThrowIfNull(body);
        // Buffered: the signature hashes the body, and a retry sends it again.
        var bytes = await ReadBodyAsync(body, cancellationToken).ConfigureAwait(false);
        var address = new Uri(_address, $"endpoints/{Uri.EscapeDataString(endpointName)}/{operation}");
        var response = await _transport.SendAsync(new OutgoingRequest(address, bytes, contentType, [.. headers]), cancellationToken).ConfigureAwait(false);
        try
        {
            return (response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The exception of a runtime error code (contract §4.2).</summary>
    private static SageMakerException ToException(ServiceError error) => error.Code switch
    {
        RuntimeErrorCodes.ValidationError => new ValidationErrorException(error.Message, error.StatusCode, error.RequestId),
        RuntimeErrorCodes.ModelError => new ModelErrorException(
            error.Message,
            error.StatusCode,
            error.RequestId,
            Member(error.Body, "OriginalStatusCode") is { ValueKind: JsonValueKind.Number } status ? status.GetInt32() : null,
            Member(error.Body, "OriginalMessage")?.GetString(),
            Member(error.Body, "LogStreamArn")?.GetString()),
        RuntimeErrorCodes.ModelNotReady => new ModelNotReadyException(error.Message, error.StatusCode, error.RequestId),
        _ => SageMakerClient.CommonException(error),
    };

    private static JsonElement? Member(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}

using System.Globalization;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ControlPlane.Client.Http;

/// <summary>One request as the clients build it; the transport turns it into a fresh message for every attempt.</summary>
internal sealed record OutgoingRequest(Uri Address, byte[] Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// Sends requests the way the AWS SDKs do: each attempt is a new message, signed anew when credentials are
/// configured, with <c>amz-sdk-invocation-id</c> and <c>amz-sdk-request</c>; throttling, 5xx, dropped connections and
/// attempts that time out are retried with exponential backoff and jitter (Polly); any other error response becomes
/// the exception the protocol makes of it.
/// </summary>
internal sealed class AwsHttpTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly SigV4Signer? _signer;
    private readonly bool _errorCodeInHeaderFirst;
    private readonly Func<ServiceError, SageMakerException> _errorToException;
    private readonly ResiliencePipeline<AttemptOutcome> _pipeline;
    private readonly int _maxAttempts;

    /// <param name="http">The client to send with; null: one of its own, disposed with the transport.</param>
    /// <param name="options">Credentials, region, retries and the attempt timeout.</param>
    /// <param name="errorCodeInHeaderFirst">rest-json (runtime) reads the error code from <c>x-amzn-ErrorType</c> first, JSON 1.1 from <c>__type</c>.</param>
    /// <param name="errorToException">Makes the protocol's exception of an error response.</param>
    /// <param name="time">The clock for signing and backoff.</param>
    public AwsHttpTransport(
        HttpClient? http,
        ControlPlaneClientOptions options,
        bool errorCodeInHeaderFirst,
        Func<ServiceError, SageMakerException> errorToException,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ControlPlaneClientOptionsValidator.ThrowIfInvalid(options);
        _ownsHttpClient = http is null;
        _http = http ?? new HttpClient();
        // Attempts time out through the pipeline, where a timed-out attempt is retried; HttpClient's own timeout would not be.
        _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        _errorCodeInHeaderFirst = errorCodeInHeaderFirst;
        _errorToException = errorToException;
        _signer = options.HasCredentials
            ? new SigV4Signer(options.AccessKey!, options.SecretKey!, options.SessionToken, options.Region, "sagemaker", time ?? TimeProvider.System)
            : null;
        _maxAttempts = options.MaxErrorRetry + 1;
        var builder = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time ?? TimeProvider.System };
        if (options.MaxErrorRetry > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                MaxRetryAttempts = options.MaxErrorRetry,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
            });
        }

        _pipeline = builder.AddTimeout(options.Timeout).Build();
    }

    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> until it succeeds or retrying is over. The successful response is returned
    /// with its body unread (the caller disposes it); an error response is thrown as its exception.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(OutgoingRequest request, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        var attempt = 0;
        AttemptOutcome outcome;
        try
        {
            outcome = await _pipeline.ExecuteAsync(
                async token => await SendOnceAsync(request, invocationId, ++attempt, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new TimeoutException($"No response from {request.Address} within the timeout, after {attempt} attempt(s).", timeout);
        }

        if (outcome.Error is { } error)
        {
            outcome.Dispose();
            throw _errorToException(error);
        }

        return outcome.Response;
    }

    private static bool IsTransient(Outcome<AttemptOutcome> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Exception: HttpRequestException or IOException or TimeoutRejectedException } => true,
        // A cancellation nobody asked for is a connection the runtime gave up on.
        { Exception: OperationCanceledException } => !cancellationToken.IsCancellationRequested,
        { Result.Error: { } error } => error.IsRetryable,
        _ => false,
    };

    private async Task<AttemptOutcome> SendOnceAsync(OutgoingRequest request, string invocationId, int attempt, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Address) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentLength = request.Body.Length;
        if (request.ContentType is not null)
        {
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        message.Headers.TryAddWithoutValidation("amz-sdk-invocation-id", invocationId);
        message.Headers.TryAddWithoutValidation("amz-sdk-request", string.Create(CultureInfo.InvariantCulture, $"attempt={attempt}; max={_maxAttempts}"));
        _signer?.Sign(message, request.Body);

        var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return new AttemptOutcome(response, null);
        }

        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new AttemptOutcome(response, ServiceError.Read(response, body, _errorCodeInHeaderFirst));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>What one attempt got; Polly disposes the outcomes it retries past.</summary>
    private sealed record AttemptOutcome(HttpResponseMessage Response, ServiceError? Error) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }
}

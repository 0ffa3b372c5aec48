using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ControlPlane.Orchestration.Transform;

/// <summary>A model container's <c>/invocations</c>, as batch transform calls it.</summary>
internal interface IModelInvoker
{
    /// <summary>The response body; throws <see cref="ModelInvocationException"/> when the model fails the request for good.</summary>
    Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

/// <summary>The model answered with an error, or not at all, after every retry.</summary>
internal sealed class ModelInvocationException(string message, bool unreachable = false) : Exception(message)
{
    /// <summary>The last attempt found no one listening: the instance is gone, and another one could take the call.</summary>
    public bool Unreachable { get; } = unreachable;
}

/// <summary>
/// POSTs to one instance with ModelClientConfig's semantics: each attempt must answer within the invocation timeout;
/// 5xx answers, timeouts and broken connections are retried up to InvocationsMaxRetries times with a short backoff;
/// a 4xx is the model refusing the data and is not retried. <paramref name="headers"/> go with every attempt.
/// </summary>
internal sealed class HttpModelInvoker(
    HttpClient http, Uri invocationsUri, string? contentType, string? accept, TimeSpan timeout, int maxRetries, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    : IModelInvoker
{
    private const int MessageLimit = 1024;

    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            string failure;
            var unreachable = false;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(timeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, invocationsUri) { Content = new ReadOnlyMemoryContent(payload) };
                    if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                    if (accept is not null) request.Headers.Accept.ParseAdd(accept);
                    foreach (var (name, value) in headers ?? [])
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
                    var body = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token);
                    if (response.IsSuccessStatusCode) return body;
                    failure = $"the model answered {(int)response.StatusCode} ({response.StatusCode}): {Snippet(body)}";
                    if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        throw new ModelInvocationException(failure);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"the model did not answer within {timeout.TotalSeconds:0} seconds (InvocationsTimeoutInSeconds)";
                }
                catch (HttpRequestException exception)
                {
                    failure = $"the model could not be reached: {exception.Message}";
                    unreachable = exception.HttpRequestError == HttpRequestError.ConnectionError;
                }
            }

            if (attempt >= maxRetries)
            {
                throw new ModelInvocationException(attempt == 0 ? failure : $"{failure} (after {attempt + 1} attempts)", unreachable);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt)), cancellationToken);
        }
    }

    private static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MessageLimit)).Trim();
        return body.Length > MessageLimit ? text + "..." : text;
    }
}

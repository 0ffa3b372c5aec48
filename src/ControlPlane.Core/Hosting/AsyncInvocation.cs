using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;

namespace ControlPlane.Core.Hosting;

/// <summary>
/// An InvokeEndpointAsync call as the gateway hands it to the control plane (<c>POST /internal/async-invocations</c>,
/// contract 4.3): the runtime request's headers, unchanged. The control plane resolves it against the endpoint's
/// AsyncInferenceConfig (<see cref="AsyncInvocations.Resolve"/>) and queues it durably before the caller gets its 202.
/// </summary>
public sealed record AsyncInvocationRequest(
    [property: JsonPropertyName("endpointName")] string EndpointName,
    [property: JsonPropertyName("inputLocation")] string? InputLocation,
    [property: JsonPropertyName("contentType")] string? ContentType = null,
    [property: JsonPropertyName("accept")] string? Accept = null,
    [property: JsonPropertyName("customAttributes")] string? CustomAttributes = null,
    [property: JsonPropertyName("inferenceId")] string? InferenceId = null,
    [property: JsonPropertyName("outputPathExtension")] string? OutputPathExtension = null,
    [property: JsonPropertyName("filename")] string? Filename = null,
    [property: JsonPropertyName("requestTtlSeconds")] string? RequestTtlSeconds = null,
    [property: JsonPropertyName("invocationTimeoutSeconds")] string? InvocationTimeoutSeconds = null)
{
    public const string Path = "/internal/async-invocations";
}

/// <summary>The control plane's answer to an accepted <see cref="AsyncInvocationRequest"/>: what the caller's 202 carries.</summary>
public sealed record AsyncInvocationAccepted(
    [property: JsonPropertyName("inferenceId")] string InferenceId,
    [property: JsonPropertyName("outputLocation")] string OutputLocation,
    [property: JsonPropertyName("failureLocation")] string FailureLocation);

/// <summary>
/// A queued asynchronous inference: the input object to send to the endpoint's model, where its answer goes (or why it
/// failed), and until when it may wait for the endpoint. It is the Hangfire job's argument, so it is plain data.
/// <see cref="Id"/> is the service's own (the caller's InferenceId need not be unique).
/// </summary>
public sealed record AsyncInvocation(
    string Id,
    string AccountId,
    string EndpointName,
    string InferenceId,
    string InputLocation,
    string? ContentType,
    string? Accept,
    string? CustomAttributes,
    string OutputLocation,
    string FailureLocation,
    DateTimeOffset ExpiresAt,
    int InvocationTimeoutSeconds);

public static partial class AsyncInvocations
{
    /// <summary>SageMaker's defaults: a request waits up to 6 hours for the endpoint, and the model has 15 minutes.</summary>
    public const int DefaultRequestTtlSeconds = 21600;

    public const int DefaultInvocationTimeoutSeconds = 900;

    /// <summary>
    /// Checks the request's headers (the runtime model's patterns and ranges) and the endpoint (it exists, serves and
    /// has an AsyncInferenceConfig), then decides the inference id and the output and failure objects:
    /// <c>{S3OutputPath}[/{extension}]/{Filename or id.out}</c> and <c>{S3FailurePath or S3OutputPath}[/{extension}]/{id}-error.out</c>.
    /// </summary>
    public static Result<AsyncInvocation> Resolve(AsyncInvocationRequest request, string accountId, JsonObject? endpoint, DateTimeOffset now)
    {
        if (endpoint is null)
        {
            return ApiError.Validation($"Endpoint {request.EndpointName} of account {accountId} not found.");
        }

        if (endpoint.GetString("EndpointStatus") is not ("InService" or "Updating" or "SystemUpdating") and var status)
        {
            return ApiError.Validation($"Endpoint {request.EndpointName} of account {accountId} is not in service: its status is {status}.");
        }

        if (endpoint.GetObject("AsyncInferenceConfig")?.GetObject("OutputConfig") is not { } output)
        {
            return ApiError.Validation($"Endpoint {request.EndpointName} of account {accountId} is not configured for asynchronous inference (its endpoint configuration has no AsyncInferenceConfig).");
        }

        if (string.IsNullOrEmpty(request.InputLocation) || request.InputLocation.Length > 1024 || !InputLocationPattern().IsMatch(request.InputLocation))
        {
            return ApiError.Validation("1 validation error detected: Value at 'inputLocation' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$");
        }

        var ttl = Seconds(request.RequestTtlSeconds, "requestTTLSeconds", 60, 21600, DefaultRequestTtlSeconds);
        var timeout = Seconds(request.InvocationTimeoutSeconds, "invocationTimeoutSeconds", 1, 3600, DefaultInvocationTimeoutSeconds);
        if ((ttl.Error ?? timeout.Error) is { } rangeError)
        {
            return rangeError;
        }

        var inferenceId = string.IsNullOrEmpty(request.InferenceId) ? Guid.NewGuid().ToString() : request.InferenceId;
        var extension = string.IsNullOrEmpty(request.OutputPathExtension) ? string.Empty : "/" + request.OutputPathExtension.Trim('/');
        var outputPath = output.GetString("S3OutputPath")!.TrimEnd('/') + extension;
        var failurePath = (output.GetString("S3FailurePath") ?? output.GetString("S3OutputPath")!).TrimEnd('/') + extension;
        return new AsyncInvocation(
            Guid.NewGuid().ToString("N"),
            accountId,
            request.EndpointName,
            inferenceId,
            request.InputLocation,
            request.ContentType,
            request.Accept,
            request.CustomAttributes,
            $"{outputPath}/{(string.IsNullOrEmpty(request.Filename) ? inferenceId + ".out" : request.Filename)}",
            $"{failurePath}/{inferenceId}-error.out",
            now.AddSeconds(ttl.Value),
            timeout.Value);
    }

    private static Result<int> Seconds(string? value, string member, int min, int max, int fallback)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && seconds <= max
            ? seconds
            : ApiError.Validation($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value between {min} and {max}");
    }

    [GeneratedRegex("^(https|s3)://([^/]+)/?(.*)$")]
    private static partial Regex InputLocationPattern();
}

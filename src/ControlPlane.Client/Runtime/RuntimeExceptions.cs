using System.Net;

namespace ControlPlane.Client.Runtime;

/// <summary><c>ValidationError</c> (400): bad input, an unknown endpoint, or an endpoint not in service.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ValidationErrorException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(RuntimeErrorCodes.ValidationError, message, statusCode, requestId);

/// <summary><c>ModelError</c> (424): the model's container answered with an error or did not answer in time.</summary>
public sealed class ModelErrorException : SageMakerException
{
    /// <summary>A model error with the container's status and message.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="statusCode">The HTTP status (424).</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="originalStatusCode">The status the container answered with.</param>
    /// <param name="originalMessage">The body the container answered with.</param>
    /// <param name="logStreamArn">The log stream of the endpoint's container.</param>
    public ModelErrorException(string message, HttpStatusCode statusCode, string? requestId, int? originalStatusCode, string? originalMessage, string? logStreamArn)
        : base(RuntimeErrorCodes.ModelError, message, statusCode, requestId)
    {
        OriginalStatusCode = originalStatusCode;
        OriginalMessage = originalMessage;
        LogStreamArn = logStreamArn;
    }

    /// <summary>The HTTP status the model's container answered with.</summary>
    public int? OriginalStatusCode { get; }

    /// <summary>What the model's container answered with.</summary>
    public string? OriginalMessage { get; }

    /// <summary>The ARN of the log stream the container writes to.</summary>
    public string? LogStreamArn { get; }
}

/// <summary><c>ModelNotReadyException</c> (429): the target model is still being loaded.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ModelNotReadyException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(RuntimeErrorCodes.ModelNotReady, message, statusCode, requestId);

/// <summary>
/// <c>ModelStreamError</c>, raised while reading a streamed answer: the model broke off its answer or sent nothing for
/// too long. <see cref="StreamErrorCode"/> says which (<c>StreamBroken</c>, <c>ModelInvocationTimeExceeded</c>).
/// </summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status of the stream's response (200: the error came inside the stream).</param>
/// <param name="requestId">The request id.</param>
/// <param name="streamErrorCode">The event's <c>ErrorCode</c>.</param>
public sealed class ModelStreamErrorException(string message, HttpStatusCode statusCode, string? requestId, string? streamErrorCode)
    : SageMakerException(RuntimeErrorCodes.ModelStreamError, message, statusCode, requestId)
{
    /// <summary>Why the stream ended: <c>StreamBroken</c> or <c>ModelInvocationTimeExceeded</c>.</summary>
    public string? StreamErrorCode { get; } = streamErrorCode;
}

/// <summary><c>InternalStreamFailure</c>, raised while reading a streamed answer: the service failed mid-stream.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status of the stream's response.</param>
/// <param name="requestId">The request id.</param>
public sealed class InternalStreamFailureException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(RuntimeErrorCodes.InternalStreamFailure, message, statusCode, requestId);

/// <summary>The runtime's error codes with a type of their own.</summary>
internal static class RuntimeErrorCodes
{
    public const string ValidationError = "ValidationError";
    public const string ModelError = "ModelError";
    public const string ModelNotReady = "ModelNotReadyException";
    public const string ModelStreamError = "ModelStreamError";
    public const string InternalStreamFailure = "InternalStreamFailure";
}

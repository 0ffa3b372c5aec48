using System.Net;

namespace ControlPlane.Client;

/// <summary>
/// An error response of the control plane, the inference gateway or SageMaker: the error code (<c>__type</c> or
/// <c>x-amzn-ErrorType</c>), the message, the HTTP status and the request id. Codes without a type of their own
/// arrive as this type; the others as its subclasses.
/// </summary>
public class SageMakerException : Exception
{
    /// <summary>An error with the given code, message, status and request id.</summary>
    /// <param name="errorCode">The error code, e.g. <c>ValidationException</c>.</param>
    /// <param name="message">The service's message.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the response, if it had one.</param>
    public SageMakerException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
        : base(message)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The error code the service sent, e.g. <c>ValidationException</c> or <c>ResourceInUse</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status of the response (400 for every control-plane error SageMaker models).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The <c>x-amzn-RequestId</c> of the response, to find the request in the service's logs.</summary>
    public string? RequestId { get; }
}

/// <summary><c>ValidationException</c>: the request broke a constraint, named a resource that does not exist, or asked for an illegal state change.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ValidationException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(ErrorCodes.Validation, message, statusCode, requestId);

/// <summary><c>ResourceInUse</c>: a job with this name already exists, or the resource is in use.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ResourceInUseException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(ErrorCodes.ResourceInUse, message, statusCode, requestId);

/// <summary><c>ResourceNotFound</c>: the resource does not exist (SageMaker mostly answers <see cref="ValidationException"/> instead).</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ResourceNotFoundException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(ErrorCodes.ResourceNotFound, message, statusCode, requestId);

/// <summary><c>ResourceLimitExceeded</c>: an account quota would be exceeded.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ResourceLimitExceededException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(ErrorCodes.ResourceLimitExceeded, message, statusCode, requestId);

/// <summary><c>ConflictException</c>: a concurrent change conflicted with this one.</summary>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ConflictException(string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(ErrorCodes.Conflict, message, statusCode, requestId);

/// <summary>
/// A throttling code (<c>ThrottlingException</c>, <c>Throttling</c>, <c>TooManyRequestsException</c>, ...): the
/// request was rate-limited; the client retries these and throws this after its last retry.
/// </summary>
/// <param name="errorCode">The throttling code the service sent.</param>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ThrottlingException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(errorCode, message, statusCode, requestId);

/// <summary>
/// A failure of the request's credentials or signature: <c>AccessDeniedException</c>,
/// <c>UnrecognizedClientException</c>, <c>InvalidSignatureException</c>, <c>IncompleteSignatureException</c>,
/// <c>MissingAuthenticationTokenException</c> or <c>ExpiredTokenException</c>.
/// </summary>
/// <param name="errorCode">The code the service sent.</param>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class AuthenticationException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(errorCode, message, statusCode, requestId);

/// <summary>
/// A fault of the service (HTTP 5xx: <c>InternalFailure</c>, <c>ServiceUnavailable</c>, ...); the client retries
/// these and throws this after its last retry.
/// </summary>
/// <param name="errorCode">The code the service sent, or the status number when it sent none.</param>
/// <param name="message">The service's message.</param>
/// <param name="statusCode">The HTTP status.</param>
/// <param name="requestId">The request id.</param>
public sealed class ServiceFaultException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : SageMakerException(errorCode, message, statusCode, requestId);

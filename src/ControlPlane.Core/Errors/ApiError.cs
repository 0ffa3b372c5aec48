namespace ControlPlane.Core.Errors;

/// <summary>
/// An error as the SageMaker API reports it: the bare code that goes into <c>__type</c> and <c>x-amzn-ErrorType</c>,
/// the message, and the HTTP status (every modeled SageMaker control-plane error is a 400).
/// </summary>
public sealed record ApiError(string Code, string Message, int StatusCode = 400)
{
    public static ApiError Validation(string message) => new(ErrorCodes.Validation, message);

    public static ApiError Serialization(string message) => new(ErrorCodes.Serialization, message);

    public static ApiError ResourceInUse(string message) => new(ErrorCodes.ResourceInUse, message);

    public static ApiError ResourceNotFound(string message) => new(ErrorCodes.ResourceNotFound, message);

    public static ApiError ResourceLimitExceeded(string message) => new(ErrorCodes.ResourceLimitExceeded, message);

    public static ApiError UnknownOperation(string message) => new(ErrorCodes.UnknownOperation, message);

    public static ApiError InternalFailure(string message) => new(ErrorCodes.InternalFailure, message, 500);

    /// <summary>A request body above the service's limit, refused before it is parsed or authenticated.</summary>
    public static ApiError BodyTooLarge(long maxBytes) => Validation($"The request body exceeds the maximum size of {maxBytes} bytes.");
}

public static class ErrorCodes
{
    public const string Validation = "ValidationException";
    public const string Serialization = "SerializationException";
    public const string ResourceInUse = "ResourceInUse";
    public const string ResourceNotFound = "ResourceNotFound";
    public const string ResourceLimitExceeded = "ResourceLimitExceeded";
    public const string UnknownOperation = "UnknownOperationException";
    public const string InternalFailure = "InternalFailure";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string IncompleteSignature = "IncompleteSignatureException";
    public const string InvalidSignature = "InvalidSignatureException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
}

/// <summary>A value or the API error that took its place.</summary>
public readonly struct Result<T>
{
    private Result(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public bool Succeeded => Error is null;

    /// <summary>A success; the conversion operators cannot take an interface-typed value.</summary>
    public static Result<T> Success(T value) => new(value, null);

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApiError error) => new(default, error);
}

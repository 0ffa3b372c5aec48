namespace ControlPlane.Client;

/// <summary>The error codes the clients give a type of their own.</summary>
internal static class ErrorCodes
{
    public const string Validation = "ValidationException";
    public const string ResourceInUse = "ResourceInUse";
    public const string ResourceNotFound = "ResourceNotFound";
    public const string ResourceLimitExceeded = "ResourceLimitExceeded";
    public const string Conflict = "ConflictException";

    /// <summary>The codes botocore's standard retry mode treats as throttling.</summary>
    public static readonly IReadOnlySet<string> Throttling = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    public static readonly IReadOnlySet<string> Authentication = new HashSet<string>(StringComparer.Ordinal)
    {
        "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "SignatureDoesNotMatch",
    };
}

using System.Globalization;
using ControlPlane.Core.Errors;

namespace ControlPlane.Core.Authentication;

/// <summary>
/// The errors AWS answers a request whose signature it cannot accept, with AWS's codes and texts (clients and users
/// match on them). A missing or unacceptable signature is a 403; a malformed one a 400.
/// </summary>
public static class SigV4Errors
{
    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public static ApiError MissingAuthenticationToken { get; } = new(ErrorCodes.MissingAuthenticationToken, "Missing Authentication Token", 403);

    public static ApiError UnrecognizedClient { get; } = new(ErrorCodes.UnrecognizedClient, "The security token included in the request is invalid.", 403);

    public static ApiError SignatureMismatch { get; } = Invalid(SignatureMismatchMessage);

    public static ApiError Incomplete(string message) => new(ErrorCodes.IncompleteSignature, message, 400);

    public static ApiError Invalid(string message) => new(ErrorCodes.InvalidSignature, message, 403);

    public static ApiError Expired(DateTimeOffset signed, DateTimeOffset now, TimeSpan window) =>
        Invalid($"Signature expired: {Format(signed)} is now earlier than {Format(now - window)} ({Format(now)} - {Describe(window)}.)");

    public static ApiError NotYetCurrent(DateTimeOffset signed, DateTimeOffset now, TimeSpan window) =>
        Invalid($"Signature not yet current: {Format(signed)} is still later than {Format(now + window)} ({Format(now)} + {Describe(window)}.)");

    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(SigV4Verifier.TimestampFormat, CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan window) => window.TotalSeconds % 60 == 0
        ? $"{window.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
        : $"{window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} sec";
}

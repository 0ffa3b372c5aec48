using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ControlPlane.Core.Errors;

namespace ControlPlane.Core.Authentication;

/// <summary>
/// Verifies AWS Signature Version 4 as the AWS services do (contract section 1.6), from an <c>Authorization</c> header
/// or a presigned query string. Verification has two steps so that a request with a missing, malformed, stale or
/// unknown credential is refused before its body is read: <see cref="Authenticate"/> checks everything but the
/// payload, <see cref="Verify"/> the payload hash and the signature itself.
/// </summary>
/// <param name="keys">The access keys the service accepts.</param>
/// <param name="time">The server's clock.</param>
/// <param name="service">The signing name in the credential scope (<c>sagemaker</c> for both SageMaker APIs).</param>
/// <param name="maxClockSkew">How far X-Amz-Date may be from the server's clock, in either direction.</param>
public sealed class SigV4Verifier(AccessKeyRing keys, TimeProvider time, string service, TimeSpan maxClockSkew)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string SignatureParameter = "X-Amz-Signature";

    private const string Terminator = "aws4_request";
    private const int MaxPresignedExpirySeconds = 7 * 24 * 3600;
    private const int MaxCachedSigningKeys = 1024;

    // Deriving the signing key takes four HMACs; a key is valid for one day, region and service, so it is kept.
    private readonly ConcurrentDictionary<(AccessKey Key, string Date, string Region), byte[]> _signingKeys = new();

    /// <summary>Whether the request carries a SigV4 claim of any shape (a header or a presigned query).</summary>
    public static bool IsPresent(ISignedRequest request) =>
        request.Header("authorization") is not null || request.RawQuery.Contains("X-Amz-Algorithm=", StringComparison.Ordinal);

    /// <summary>Everything but the payload and the signature: the claim's shape, its scope, its age and its key.</summary>
    public Result<PendingSignature> Authenticate(ISignedRequest request)
    {
        var claim = request.Header("authorization") is { } header ? ParseHeader(header, request) : ParseQuery(request);
        if (!claim.Succeeded)
        {
            return claim.Error!;
        }

        var parsed = claim.Value!;
        var checkedClaim = CheckScope(parsed) ?? CheckSignedHeaders(parsed) ?? CheckTime(parsed);
        if (checkedClaim is not null)
        {
            return checkedClaim;
        }

        if (keys.Find(parsed.AccessKeyId) is not { } key)
        {
            return SigV4Errors.UnrecognizedClient;
        }

        return new PendingSignature(key, parsed);
    }

    /// <summary>The payload hash and the signature, compared in constant time; the caller's key when both hold.</summary>
    public Result<AccessKey> Verify(PendingSignature pending, ISignedRequest request, ReadOnlySpan<byte> body)
    {
        var claim = pending.Claim;
        // Presigned requests too: botocore's SigV4QueryAuth hashes the body for every service but S3.
        var actual = Convert.ToHexStringLower(SHA256.HashData(body));
        if (claim.PayloadHash is not null && !string.Equals(claim.PayloadHash, actual, StringComparison.OrdinalIgnoreCase))
        {
            return SigV4Errors.Invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var payloadHash = claim.PayloadHash ?? actual;

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, claim.SignedHeaders, claim.SignedHeadersText, payloadHash, claim.Presigned);
        var stringToSign = $"{Algorithm}\n{claim.Timestamp}\n{claim.ScopeDate}/{claim.Region}/{claim.Service}/{Terminator}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signingKey = SigningKey(pending.Key, claim.ScopeDate, claim.Region);
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign), expected);

        Span<byte> provided = stackalloc byte[32];
        var decoded = claim.Signature.Length == 64
            && Convert.FromHexString(claim.Signature, provided, out _, out var written) == OperationStatus.Done
            && written == 32;
        if (!decoded | !CryptographicOperations.FixedTimeEquals(expected, provided))
        {
            return SigV4Errors.SignatureMismatch;
        }

        CacheSigningKey(pending.Key, claim.ScopeDate, claim.Region, signingKey);
        return pending.Key;
    }

    private static Result<SigV4Claim> ParseHeader(string header, ISignedRequest request)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? header : header[..space];
        if (algorithm != Algorithm)
        {
            return SigV4Errors.Incomplete($"Unsupported AWS 'algorithm': '{algorithm}'. The Authorization header must use {Algorithm}.");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(space + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parameters[part[..equals]] = part[(equals + 1)..];
            }
        }

        var missing = new[] { "Credential", "Signature", "SignedHeaders" }.Where(p => string.IsNullOrEmpty(parameters.GetValueOrDefault(p))).ToList();
        if (missing.Count > 0)
        {
            return SigV4Errors.Incomplete(string.Concat(missing.Select(p => $"Authorization header requires '{p}' parameter. ")).TrimEnd());
        }

        return Claim(parameters["Credential"], parameters["SignedHeaders"], parameters["Signature"], request, presigned: false, expires: null);
    }

    private static Result<SigV4Claim> ParseQuery(ISignedRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in SigV4Canonicalizer.Parameters(request.RawQuery))
        {
            parameters.TryAdd(name, value);
        }

        if (!parameters.TryGetValue("X-Amz-Algorithm", out var algorithm))
        {
            return SigV4Errors.MissingAuthenticationToken;
        }

        if (algorithm != Algorithm)
        {
            return SigV4Errors.Incomplete($"Unsupported AWS 'algorithm': '{algorithm}'. The X-Amz-Algorithm parameter must be {Algorithm}.");
        }

        var missing = new[] { "X-Amz-Credential", SignatureParameter, "X-Amz-SignedHeaders", "X-Amz-Date", "X-Amz-Expires" }
            .Where(p => string.IsNullOrEmpty(parameters.GetValueOrDefault(p))).ToList();
        if (missing.Count > 0)
        {
            return SigV4Errors.Incomplete(string.Concat(missing.Select(p => $"AWS query-string parameters must include '{p}'. ")).TrimEnd());
        }

        if (!int.TryParse(parameters["X-Amz-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires > MaxPresignedExpirySeconds)
        {
            return SigV4Errors.Incomplete($"X-Amz-Expires must be a whole number of seconds no more than {MaxPresignedExpirySeconds}.");
        }

        return Claim(parameters["X-Amz-Credential"], parameters["X-Amz-SignedHeaders"], parameters[SignatureParameter], request, presigned: true, expires, parameters["X-Amz-Date"]);
    }

    private static Result<SigV4Claim> Claim(string credential, string signedHeadersText, string signature, ISignedRequest request, bool presigned, int? expires, string? queryTimestamp = null)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope.Any(string.IsNullOrEmpty))
        {
            return SigV4Errors.Incomplete($"Credential '{credential}' is not of the form <AccessKeyId>/<yyyyMMdd>/<region>/<service>/aws4_request.");
        }

        string timestamp;
        string dateHeader;
        if ((queryTimestamp ?? request.Header("x-amz-date")) is { } amzDate)
        {
            (timestamp, dateHeader) = (amzDate, "x-amz-date");
        }
        else if (request.Header("date") is { } date)
        {
            // Older signers sign the HTTP Date header; the string to sign still carries the ISO-8601 basic form.
            timestamp = DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedDate)
                ? SigV4Errors.Format(parsedDate)
                : date;
            dateHeader = "date";
        }
        else
        {
            return SigV4Errors.Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if (!DateTimeOffset.TryParseExact(timestamp, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return SigV4Errors.Incomplete($"Date must be in ISO-8601 'basic format'. Got '{timestamp}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        var signedHeaders = signedHeadersText.Split(';');
        return new SigV4Claim(scope[0], scope[1], scope[2], scope[3], scope[4], signedHeaders, signedHeadersText, signature, timestamp, signedAt, dateHeader, request.Header("x-amz-content-sha256"), presigned, expires);
    }

    private ApiError? CheckScope(SigV4Claim claim)
    {
        if (claim.Terminator != Terminator)
        {
            return SigV4Errors.Invalid($"Credential should be scoped with a valid terminator: '{Terminator}', not '{claim.Terminator}'.");
        }

        if (claim.Service != service)
        {
            return SigV4Errors.Invalid($"Credential should be scoped to correct service: '{service}'. ");
        }

        if (!claim.Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || claim.Region.Length > 32)
        {
            return SigV4Errors.Invalid($"Credential should be scoped to a valid region, not '{claim.Region}'. ");
        }

        return claim.ScopeDate != claim.Timestamp[..8]
            ? SigV4Errors.Invalid($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{claim.ScopeDate}' != '{claim.Timestamp[..8]}', from '{claim.Timestamp}'.")
            : null;
    }

    /// <summary>The host and the date must be signed, or a captured request could be replayed elsewhere or later.</summary>
    private static ApiError? CheckSignedHeaders(SigV4Claim claim)
    {
        if (!claim.SignedHeaders.Contains("host"))
        {
            return SigV4Errors.Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        return claim.Presigned || claim.SignedHeaders.Contains(claim.DateHeader)
            ? null
            : SigV4Errors.Incomplete($"'{(claim.DateHeader == "date" ? "Date" : "X-Amz-Date")}' must be a 'SignedHeader' in the AWS Authorization.");
    }

    private ApiError? CheckTime(SigV4Claim claim)
    {
        var now = time.GetUtcNow();
        if (claim.SignedAt > now + maxClockSkew)
        {
            return SigV4Errors.NotYetCurrent(claim.SignedAt, now, maxClockSkew);
        }

        var window = claim.Expires is { } seconds ? TimeSpan.FromSeconds(seconds) : maxClockSkew;
        return claim.SignedAt < now - window ? SigV4Errors.Expired(claim.SignedAt, now, window) : null;
    }

    private byte[] SigningKey(AccessKey key, string date, string region)
    {
        if (_signingKeys.TryGetValue((key, date, region), out var cached))
        {
            return cached;
        }

        var dateKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + key.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        var regionKey = HMACSHA256.HashData(dateKey, Encoding.UTF8.GetBytes(region));
        var serviceKey = HMACSHA256.HashData(regionKey, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(serviceKey, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>Only a key that verified a signature is kept, so unauthenticated callers cannot grow the cache.</summary>
    private void CacheSigningKey(AccessKey key, string date, string region, byte[] signingKey)
    {
        if (_signingKeys.Count >= MaxCachedSigningKeys)
        {
            _signingKeys.Clear();
        }

        _signingKeys.TryAdd((key, date, region), signingKey);
    }
}

/// <summary>A claim whose shape, scope, age and key were accepted; its payload and signature are still to be checked.</summary>
public sealed class PendingSignature
{
    internal PendingSignature(AccessKey key, SigV4Claim claim)
    {
        Key = key;
        Claim = claim;
    }

    public AccessKey Key { get; }

    internal SigV4Claim Claim { get; }
}

internal sealed record SigV4Claim(
    string AccessKeyId,
    string ScopeDate,
    string Region,
    string Service,
    string Terminator,
    string[] SignedHeaders,
    string SignedHeadersText,
    string Signature,
    string Timestamp,
    DateTimeOffset SignedAt,
    string DateHeader,
    string? PayloadHash,
    bool Presigned,
    int? Expires);

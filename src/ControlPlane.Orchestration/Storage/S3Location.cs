using System.Text;
using System.Text.RegularExpressions;
using ControlPlane.Core.Errors;

namespace ControlPlane.Orchestration.Storage;

/// <summary>
/// A bucket and a key (an object, or a prefix when the key is empty or ends with '/'). Only valid locations can be
/// made, so a key that would escape a directory when staged to disk (<c>..</c>, a leading '/', NUL, a backslash)
/// never reaches a store, local or S3.
/// </summary>
public sealed partial record S3Location
{
    private const int MaxKeyBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private S3Location(string bucket, string key)
    {
        Bucket = bucket;
        Key = key;
    }

    public string Bucket { get; }

    public string Key { get; }

    /// <summary>True when the key names an object rather than a prefix.</summary>
    public bool NamesObject => Key.Length > 0 && !Key.EndsWith('/');

    /// <summary>
    /// Parses <c>s3://bucket/key</c> (the key taken literally, as SageMaker does), or an HTTPS object URL in
    /// virtual-hosted (<c>https://bucket.s3.region.amazonaws.com/key</c>) or path style (percent-decoded).
    /// </summary>
    public static Result<S3Location> Parse(string uri)
    {
        if (uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            var rest = uri["s3://".Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? Create(rest, "", uri) : Create(rest[..slash], rest[(slash + 1)..], uri);
        }

        if (uri.StartsWith("https://", StringComparison.Ordinal))
        {
            return ParseHttps(uri);
        }

        return Invalid(uri, "it must start with s3:// or https://");
    }

    public static Result<S3Location> Create(string bucket, string key) => Create(bucket, key, $"s3://{bucket}/{key}");

    /// <summary>The location of <paramref name="relativeKey"/> under this prefix, joined with '/' when needed.</summary>
    public Result<S3Location> Append(string relativeKey) =>
        Create(Bucket, Key.Length == 0 || Key.EndsWith('/') ? Key + relativeKey : $"{Key}/{relativeKey}");

    public override string ToString() => $"s3://{Bucket}/{Key}";

    /// <summary>Why <paramref name="key"/> is not an acceptable key or prefix, or null when it is.</summary>
    internal static string? KeyError(string key)
    {
        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            return "the key is not valid Unicode";
        }

        if (byteCount > MaxKeyBytes)
        {
            return $"the key is longer than {MaxKeyBytes} bytes";
        }

        if (key.Contains('\0', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            return "the key contains NUL or a backslash";
        }

        if (key.StartsWith('/'))
        {
            return "the key starts with '/'";
        }

        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            // A trailing '/' (an empty last segment) makes a prefix; an empty segment elsewhere would alias another key on disk.
            if (segments[i] is "." or ".." || (segments[i].Length == 0 && i < segments.Length - 1))
            {
                return "the key has an empty, '.' or '..' path segment";
            }
        }

        return null;
    }

    private static Result<S3Location> ParseHttps(string uri)
    {
        // Split by hand: System.Uri would resolve "a/../b" and so hand back a different key than the one written.
        var rest = uri["https://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]);
        var match = S3Host().Match(host);
        if (!match.Success)
        {
            return Invalid(uri, "the host is not an Amazon S3 endpoint");
        }

        if (match.Groups["bucket"].Success)
        {
            return Create(match.Groups["bucket"].Value, path, uri);
        }

        var bucketEnd = path.IndexOf('/', StringComparison.Ordinal);
        return bucketEnd < 0 ? Create(path, "", uri) : Create(path[..bucketEnd], path[(bucketEnd + 1)..], uri);
    }

    private static Result<S3Location> Create(string bucket, string key, string uri)
    {
        var error = BucketError(bucket) ?? KeyError(key);
        return error is null ? new S3Location(bucket, key) : Invalid(uri, error);
    }

    /// <summary>The naming rules of general purpose buckets, which also keep a bucket a plain directory name on disk.</summary>
    private static string? BucketError(string bucket)
    {
        if (!BucketName().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
        {
            return "the bucket name must be 3 to 63 lower-case letters, digits, '.' or '-', start and end with a letter or digit and have no '..'";
        }

        return System.Net.IPAddress.TryParse(bucket, out _) && bucket.Count(c => c == '.') == 3
            ? "the bucket name must not look like an IP address"
            : null;
    }

    private static ApiError Invalid(string uri, string reason) => ApiError.Validation($"Invalid S3 URI '{uri}': {reason}.");

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex(@"^(?:(?<bucket>[a-z0-9][a-z0-9.-]*)\.)?s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")]
    private static partial Regex S3Host();
}

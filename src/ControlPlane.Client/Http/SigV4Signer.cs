using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Client.Http;

/// <summary>
/// AWS Signature Version 4 as botocore's <c>SigV4Auth</c> computes it (contract §1.6): every header the request
/// carries except the ones proxies may change is signed, the path is URI-encoded once more, the payload is hashed.
/// </summary>
internal sealed class SigV4Signer(string accessKey, string secretKey, string? sessionToken, string region, string service, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>botocore's <c>SIGNED_HEADERS_BLACKLIST</c>.</summary>
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    };

    public void Sign(HttpRequestMessage request, byte[] body)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no address.");
        var now = time.GetUtcNow();
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        request.Headers.Host = uri.Authority;
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (!string.IsNullOrEmpty(sessionToken))
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        }

        var headers = request.Headers.NonValidated.Concat(request.Content?.Headers.NonValidated ?? default)
            .Where(h => !UnsignedHeaders.Contains(h.Key))
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => TrimAll(h.Value.ToString())))))
            .ToList();
        var signedHeaders = string.Join(";", headers.Select(h => h.Name));
        var canonicalRequest = string.Join("\n",
            request.Method.Method.ToUpperInvariant(),
            CanonicalPath(uri.AbsolutePath),
            CanonicalQuery(uri.Query),
            string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders,
            Hex(SHA256.HashData(body)));
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        foreach (var part in new[] { region, service, "aws4_request" })
        {
            key = Hmac(key, part);
        }

        var signature = Hex(Hmac(key, stringToSign));
        request.Headers.TryAddWithoutValidation("Authorization", $"{Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static string CanonicalPath(string escapedPath) =>
        string.Join('/', (escapedPath.Length == 0 ? "/" : escapedPath).Split('/').Select(UriEncode));

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        return string.Join('&', query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Key: UriEncode(Uri.UnescapeDataString(kv[0])), Value: UriEncode(Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : string.Empty))))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value}"));
    }

    /// <summary>Percent-encodes everything but the unreserved characters <c>A-Za-z0-9-_.~</c>.</summary>
    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>botocore's canonical header value: trimmed, inner runs of spaces collapsed to one.</summary>
    private static string TrimAll(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

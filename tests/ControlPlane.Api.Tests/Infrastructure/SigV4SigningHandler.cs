using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Signs each request with AWS Signature Version 4 as the SDKs do (host, x-amz-date and any x-amz-target signed, the
/// body hashed), written here from the AWS documentation rather than taken from the service, so the two check each
/// other; boto3 and the aws CLI check the service independently in <c>wire/sigv4_auth.py</c>.
/// </summary>
public sealed class SigV4SigningHandler(string accessKeyId, string secretAccessKey, string region = "us-east-1") : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var uri = request.RequestUri!;
        var timestamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{timestamp[..8]}/{region}/sagemaker/aws4_request";
        request.Headers.TryAddWithoutValidation("X-Amz-Date", timestamp);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = uri.Authority, ["x-amz-date"] = timestamp };
        if (request.Headers.TryGetValues("X-Amz-Target", out var target))
        {
            headers["x-amz-target"] = string.Join(',', target);
        }

        var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = $"{request.Method.Method}\n{uri.AbsolutePath}\n{query}\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";

        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { timestamp[..8], region, "sagemaker", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        return await base.SendAsync(request, cancellationToken);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

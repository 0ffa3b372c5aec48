using System.Net;
using System.Text.Json;

namespace ControlPlane.Client.Http;

/// <summary>An error response as the AWS SDKs read it: code, message, status, request id and the body's other members.</summary>
internal sealed record ServiceError(string Code, string Message, HttpStatusCode StatusCode, string? RequestId, JsonElement Body)
{
    /// <summary>Throttling and 5xx are worth another attempt; other 4xx never are.</summary>
    public bool IsRetryable => (int)StatusCode >= 500 || ErrorCodes.Throttling.Contains(Code);

    /// <summary>
    /// Reads an error response. The JSON 1.1 protocol (control plane) takes the code from the body's <c>__type</c>
    /// first, rest-json (runtime) from the <c>x-amzn-ErrorType</c> header first, as botocore does for each.
    /// </summary>
    public static ServiceError Read(HttpResponseMessage response, byte[] body, bool headerFirst)
    {
        var json = TryParse(body);
        var bodyCode = Member(json, "__type") ?? Member(json, "code") ?? Member(json, "Code");
        var headerCode = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        var code = (headerFirst ? headerCode ?? bodyCode : bodyCode ?? headerCode) ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = Member(json, "message") ?? Member(json, "Message") ?? response.ReasonPhrase ?? string.Empty;
        return new ServiceError(Sanitize(code), message, response.StatusCode, RequestIdOf(response), json);
    }

    public static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The bare code: <c>aws.protocoltests#Foo:http://...</c> is <c>Foo</c> (botocore and the .NET SDK strip both).</summary>
    private static string Sanitize(string code)
    {
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        return (hash >= 0 ? code[(hash + 1)..] : code).Trim();
    }

    private static JsonElement TryParse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? Member(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

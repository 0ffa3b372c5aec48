using System.Text.Json;
using ControlPlane.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace ControlPlane.Http;

/// <summary>
/// The AWS JSON error: the bare code in <c>__type</c> and in <c>x-amzn-ErrorType</c> (JS v3 reads the header
/// first), the text in <c>message</c>.
/// </summary>
public static class AwsErrorResponse
{
    public const string AwsJsonContentType = "application/x-amz-json-1.1";

    public static Task WriteAsync(HttpContext context, ApiError error, string contentType)
    {
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-ErrorType"] = error.Code;
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = error.Code, ["message"] = error.Message });
        return ResponseBody.WriteUtf8Async(context, body);
    }
}

using ControlPlane.Application;
using ControlPlane.Core.Errors;
using ControlPlane.Http;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

/// <summary>Writes results and errors in SageMaker's shape, and reads request bodies within the configured limit.</summary>
internal sealed class ApiResponseWriter(IOptions<ControlPlaneOptions> options)
{
    public const string AwsJsonContentType = AwsErrorResponse.AwsJsonContentType;

    private readonly int _maxBodyBytes = options.Value.MaxRequestBodyBytes;

    public static Task WriteBodyAsync(HttpContext context, string json, string contentType)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = contentType;
        return ResponseBody.WriteUtf8Async(context, json);
    }

    public static Task WriteErrorAsync(HttpContext context, ApiError error, string contentType) => AwsErrorResponse.WriteAsync(context, error, contentType);

    /// <summary>The request body, or the error to answer when it is larger than the limit or unreadable.</summary>
    public Task<Result<byte[]>> ReadBodyAsync(HttpContext context) => RequestBody.ReadAsync(context, _maxBodyBytes);
}

using System.Text;
using System.Text.Json;
using ControlPlane.Application;
using ControlPlane.Core.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Http;

/// <summary>Writes results and errors in SageMaker's shape, and reads request bodies within the configured limit.</summary>
internal sealed class ApiResponseWriter(IOptions<ControlPlaneOptions> options)
{
    public const string AwsJsonContentType = "application/x-amz-json-1.1";

    private readonly int _maxBodyBytes = options.Value.MaxRequestBodyBytes;

    public static Task WriteBodyAsync(HttpContext context, string json, string contentType)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(json, Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>
    /// The AWS JSON error: the bare code in <c>__type</c> and in <c>x-amzn-ErrorType</c> (JS v3 reads the header
    /// first), the text in <c>message</c>.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, ApiError error, string contentType)
    {
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-ErrorType"] = error.Code;
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = error.Code, ["message"] = error.Message });
        return context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>The request body, or the error to answer when it is larger than the limit or unreadable.</summary>
    public async Task<Result<byte[]>> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _maxBodyBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > _maxBodyBytes)
                {
                    return TooLarge();
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : ApiError.Serialization($"The request body could not be read: {e.Message}");
        }

        return buffer.ToArray();
    }

    private ApiError TooLarge() => ApiError.Validation($"The request body exceeds the maximum size of {_maxBodyBytes} bytes.");
}

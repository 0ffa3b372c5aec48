using ControlPlane.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace ControlPlane.Http;

/// <summary>Reads a request body whole, within a limit; a body already read (to check its signature) is not read twice.</summary>
public static class RequestBody
{
    public static async Task<Result<byte[]>> ReadAsync(HttpContext context, long maxBytes)
    {
        if (context.Features.Get<BufferedBody>() is { } buffered)
        {
            return buffered.Bytes;
        }

        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return ApiError.BodyTooLarge(maxBytes);
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return ApiError.BodyTooLarge(maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiError.BodyTooLarge(maxBytes)
                : ApiError.Serialization($"The request body could not be read: {e.Message}");
        }

        var body = buffer.ToArray();
        context.Features.Set(new BufferedBody(body));
        return body;
    }

    private sealed record BufferedBody(byte[] Bytes);
}

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

        byte[] body;
        try
        {
            var read = request.ContentLength is { } length ? await ReadExactlyAsync(request.Body, (int)length, context.RequestAborted) : await ReadToEndAsync(request.Body, maxBytes, context.RequestAborted);
            if (read is null)
            {
                return ApiError.BodyTooLarge(maxBytes);
            }

            body = read;
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiError.BodyTooLarge(maxBytes)
                : ApiError.Serialization($"The request body could not be read: {e.Message}");
        }
        catch (EndOfStreamException)
        {
            return ApiError.Serialization($"The request body ended before its Content-Length of {request.ContentLength} bytes.");
        }

        context.Features.Set(new BufferedBody(body));
        // Whatever reads the body afterwards (a handler, a forwarder) reads these same bytes from memory.
        request.Body = new MemoryStream(body, writable: false);
        return body;
    }

    /// <summary>A body of a declared length goes straight into an array of that size: no growing buffer, no copy.</summary>
    private static async Task<byte[]> ReadExactlyAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        await body.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    /// <summary>A chunked body, read until its end; null once it passes the limit.</summary>
    private static async Task<byte[]?> ReadToEndAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private sealed record BufferedBody(byte[] Bytes);
}

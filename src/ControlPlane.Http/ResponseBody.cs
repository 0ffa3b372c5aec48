using System.Text;
using Microsoft.AspNetCore.Http;

namespace ControlPlane.Http;

/// <summary>Writes a whole response body at once, with its length.</summary>
public static class ResponseBody
{
    /// <summary>
    /// The text as UTF-8 with its Content-Length. Without the length, Kestrel sends the body chunked and ends the
    /// response with a send of its own, so the client reads every answer in two parts.
    /// </summary>
    public static Task WriteUtf8Async(HttpContext context, string text)
    {
        context.Response.ContentLength = Encoding.UTF8.GetByteCount(text);
        return context.Response.WriteAsync(text, Encoding.UTF8, context.RequestAborted);
    }
}
